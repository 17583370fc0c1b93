#!/usr/bin/env python3
"""CSV read + stage throughput: `wc -l` (the floor), Python's csv module, and `mhdq check`.

Generates once into bench-data/ (git-ignored) a deterministic 1M-patient MHS001MPI extract with
MHSDS field names as headers (and a 3M-row one to show mhdq's memory does not grow with the file),
then times each tool 3 times, the tools in turn round after round (so a busy moment of a shared machine
falls on all of them alike), and reports the median, MB/s, rows/s, peak RSS and the ratio to Python's
csv module. Peak RSS comes from GNU time (`apt-get install time` if /usr/bin/time is missing).

Environment: MHDQ_BIN (default .build/release/mhdq), MHDQ_BASELINE_BIN (another build, timed in the same
rounds and reported as a ratio), BENCH_ROWS (default 1000000),
BENCH_BIG_ROWS (default 3000000; 0 skips the big file), BENCH_REPS (default 3).
"""
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
GNU_TIME = "/usr/bin/time"

HEADER = ["LocalPatientID", "OrgIDLocalPatientID", "NHSNumber", "NHSNumberStatus", "PersonBirthDate",
          "Postcode", "GenderIDCode", "Gender", "MaritalStatus", "EthnicCategory", "LanguageCodePreferred",
          "PersDeathDate"]
ETHNIC = ["A"] * 40 + ["B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S"] * 2 + ["Z"] * 8 + ["99"] * 5
# Descriptions as hand-kept systems send them, some quoted because they hold a comma.
ETHNIC_TEXT = ["White - British", "\"White, British\"", "\"Asian or Asian British, Indian\"", "Not stated"]
OUTWARD = ["LS1", "LS6", "LS11", "BD3", "BD7", "HX1", "WF1", "WF10", "HD1", "YO1", "S1", "M14"]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def nhs_number(rng):
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def generate(path, rows, seed=20240501):
    if os.path.exists(path) and os.path.getsize(path) > 0:
        return
    os.makedirs(DATA, exist_ok=True)
    rng = random.Random(seed)
    tmp = path + ".part"
    with open(tmp, "w", newline="") as f:
        f.write(",".join(HEADER) + "\r\n")
        lines = []
        for i in range(rows):
            y = rng.randrange(1930, 2015)
            birth = f"{y:04d}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            postcode = f"{rng.choice(OUTWARD)} {rng.randrange(10)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"
            ethnic = rng.choice(ETHNIC_TEXT) if rng.random() < 0.05 else rng.choice(ETHNIC)
            death = f"{rng.randrange(2020, 2025)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}" if rng.random() < 0.01 else ""
            lines.append(",".join([
                f"RX3{i:08d}", "RX3", nhs_number(rng) if rng.random() < 0.97 else "", rng.choice(["01", "01", "01", "02", "03"]),
                birth, f"\"{postcode}\"" if rng.random() < 0.1 else postcode, rng.choice("1122X9"), rng.choice("1122X9"),
                rng.choice("SMDWPN8"), ethnic, rng.choice(["en", "en", "en", "pl", "ur", "pa", "q1"]), death]))
            if len(lines) == 10000:
                f.write("\r\n".join(lines) + "\r\n")
                lines = []
        if lines:
            f.write("\r\n".join(lines) + "\r\n")
    os.replace(tmp, path)


PY_CSV = "import csv,sys\nn=0\nwith open(sys.argv[1], newline='', encoding='utf-8') as f:\n    for r in csv.reader(f): n+=1\nprint(n)\n"


def run_once(cmd, use_time):
    """Returns (seconds, peak RSS in MiB or None, stdout)."""
    rss = None
    if use_time:
        with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as t:
            start = time.perf_counter()
            p = subprocess.run([GNU_TIME, "-f", "%M", "-o", t.name] + cmd, cwd=ROOT, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            text = open(t.name).read().strip().splitlines()
            rss = int(text[-1]) / 1024 if text and text[-1].isdigit() else None
    else:
        start = time.perf_counter()
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed with exit {p.returncode}: {p.stderr.strip()}")
    return elapsed, rss, p.stdout


def summarise(name, runs):
    seconds = statistics.median(r[0] for r in runs)
    rss = max((r[1] for r in runs if r[1] is not None), default=None)
    return {"name": name, "seconds": seconds, "rss": rss, "stdout": runs[-1][2], "all": [r[0] for r in runs]}


def measure(name, cmd, reps, use_time):
    return summarise(name, [run_once(cmd, use_time) for _ in range(reps)])


def measure_in_turn(tools, reps, use_time):
    """Runs the tools one after another, round after round, so a busy moment of a shared machine falls on
    all of them alike instead of on whichever tool happened to be running."""
    runs = {name: [] for name, _ in tools}
    for _ in range(reps):
        for name, cmd in tools:
            runs[name].append(run_once(cmd, use_time))
    return [summarise(name, runs[name]) for name, _ in tools]


def main():
    rows = int(os.environ.get("BENCH_ROWS", "1000000"))
    big_rows = int(os.environ.get("BENCH_BIG_ROWS", "3000000"))
    reps = int(os.environ.get("BENCH_REPS", "3"))
    mhdq = os.environ.get("MHDQ_BIN", os.path.join(ROOT, ".build/release/mhdq"))
    baseline = os.environ.get("MHDQ_BASELINE_BIN")
    for b in [mhdq] + ([baseline] if baseline else []):
        if not os.access(b, os.X_OK):
            sys.exit(f"no mhdq binary at {b}: run `make build` or set MHDQ_BIN / MHDQ_BASELINE_BIN")
    use_time = os.access(GNU_TIME, os.X_OK)
    if not use_time:
        print("note: GNU time not found (apt-get install time): peak RSS not measured")

    path = os.path.join(DATA, f"mhs001mpi-{rows}.csv")
    t0 = time.perf_counter()
    generate(path, rows)
    size_mb = os.path.getsize(path) / 1e6
    print(f"input: {os.path.relpath(path, ROOT)}  {rows:,} rows  {size_mb:.1f} MB  (ready in {time.perf_counter() - t0:.1f}s)")
    print(f"median of {reps} runs each, in turn; mhdq = {os.path.relpath(mhdq, ROOT)}\n")

    tools = [
        ("wc -l", ["wc", "-l", path]),
        ("python csv", [sys.executable, "-c", PY_CSV, path]),
        ("mhdq check --no-rules", [mhdq, "check", "--no-rules", "--table", f"MHS001MPI={path}", "--json"]),
    ]
    if baseline:
        tools.append(("baseline mhdq", [baseline, "check", "--no-rules", "--table", f"MHS001MPI={path}", "--json"]))
    results = measure_in_turn(tools, reps, use_time)
    staged = json.loads(results[2]["stdout"])["tables"][0]
    if staged["rows_read"] != rows:
        sys.exit(f"mhdq read {staged['rows_read']} rows, expected {rows}")
    python = results[1]["seconds"]
    print(f"{'tool':<22} {'median s':>9} {'MB/s':>8} {'rows/s':>12} {'peak RSS MiB':>13} {'vs python csv':>14}")
    for r in results:
        rss = f"{r['rss']:.1f}" if r["rss"] is not None else "-"
        print(f"{r['name']:<22} {r['seconds']:>9.3f} {size_mb / r['seconds']:>8.1f} {rows / r['seconds']:>12,.0f} {rss:>13} {python / r['seconds']:>13.2f}x")
    print(f"\nmhdq staged {staged['rows_staged']:,}, rejected {staged['rows_rejected']:,}, values mapped {staged['values_mapped']:,}")
    if baseline:
        print(f"vs baseline: {results[3]['seconds'] / results[2]['seconds']:.2f}x faster")

    if big_rows > 0:
        big = os.path.join(DATA, f"mhs001mpi-{big_rows}.csv")
        generate(big, big_rows, seed=20240502)
        big_mb = os.path.getsize(big) / 1e6
        r = measure("mhdq check --no-rules", [mhdq, "check", "--no-rules", "--table", f"MHS001MPI={big}", "--json"], 1, use_time)
        rss = f"{r['rss']:.1f} MiB" if r["rss"] is not None else "-"
        small = f"{results[2]['rss']:.1f} MiB" if results[2]["rss"] is not None else "-"
        print(f"\n{big_rows:,} rows ({big_mb:.0f} MB): mhdq check {r['seconds']:.2f}s, {big_mb / r['seconds']:.1f} MB/s, "
              f"peak RSS {rss} (vs {small} for {rows:,} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
