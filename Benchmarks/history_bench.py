#!/usr/bin/env python3
"""Run history at scale: 30 nightly runs of a generated trust into one history, then the morning commands.

Generates once into bench-data/history/ (git-ignored) a synthetic trust (`mhdq generate`, BENCH_HISTORY_PATIENTS
patients), then for each night rewrites its MPI from the generated one with a night-specific ~2% of ethnicity
codes blanked (broken) and ~2% of the defective ones set to "A" (fixed), so every night opens and resolves
findings. Each night is `mhdq run` into the same history. Reported:

- the run time with history against the same run with --no-history (ratio), for the first and the last night,
  so a growing history can be seen to cost (or not) on the nightly job;
- `mhdq worklist` (every open finding, and --new-since the night before), `history trend` (every team, one
  team, findings), `history list`: median of BENCH_REPS runs each;
- the history file's size (plus its write-ahead log), per run and per open finding.

Environment: MHDQ_BIN (default .build/release/mhdq), BENCH_HISTORY_PATIENTS (default 50000),
BENCH_HISTORY_RUNS (default 30), BENCH_REPS (default 3).
"""
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data", "history")


def run(cmd, check_codes=(0, 1)):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - t0
    if p.returncode not in check_codes:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr.decode()}")
    return seconds, p.stdout


def median_time(cmd, reps):
    return statistics.median(run(cmd)[0] for _ in range(reps))


def night_mpi(base_rows, header, night, path):
    """The generated MPI with this night's breaks and fixes (not cumulative: each night differs from the base)."""
    ethnic = header.index("Ethnicity")
    rng = random.Random(1000 + night)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in base_rows:
            r = list(row)
            u = rng.random()
            if u < 0.02:
                r[ethnic] = ""
            elif u < 0.04 and r[ethnic].strip() in ("", "99", "Z", "z", "Not stated", "Not recorded", "Not known"):
                r[ethnic] = "A"
            w.writerow(r)


def main():
    mhdq = os.environ.get("MHDQ_BIN", os.path.join(ROOT, ".build/release/mhdq"))
    if not os.path.exists(mhdq):
        sys.exit(f"no mhdq binary at {mhdq}: run `swift build -c release` or set MHDQ_BIN")
    patients = int(os.environ.get("BENCH_HISTORY_PATIENTS", "50000"))
    runs = int(os.environ.get("BENCH_HISTORY_RUNS", "30"))
    reps = int(os.environ.get("BENCH_REPS", "3"))
    trust = os.path.join(DATA, f"trust-{patients}")
    if not os.path.exists(os.path.join(trust, "pipeline.toml")):
        os.makedirs(DATA, exist_ok=True)
        run([mhdq, "generate", "--out", trust, "--patients", str(patients), "--seed", "7"], check_codes=(0,))
        shutil.copy(os.path.join(trust, "mpi.csv"), os.path.join(trust, "mpi.base.csv"))
    with open(os.path.join(trust, "mpi.base.csv"), newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        base = list(reader)
    manifest = os.path.join(trust, "pipeline.toml")
    out = os.path.join(DATA, f"runs-{patients}")
    shutil.rmtree(out, ignore_errors=True)
    baseline_out = os.path.join(DATA, f"baseline-{patients}")
    inputs_mb = sum(os.path.getsize(os.path.join(trust, f)) for f in os.listdir(trust)
                    if f.endswith(".csv") and f != "mpi.base.csv") / 1048576

    print(f"trust: {patients:,} patients, {inputs_mb:.1f} MB of extracts; {runs} nightly runs into one history; "
          f"mhdq = {os.path.relpath(mhdq, ROOT)}")
    times = []
    for night in range(1, runs + 1):
        night_mpi(base, header, night, os.path.join(trust, "mpi.csv"))
        if night in (1, runs):
            shutil.rmtree(baseline_out, ignore_errors=True)
            without = median_time([mhdq, "run", manifest, "--out", baseline_out, "--no-history"], reps)
        seconds, _ = run([mhdq, "run", manifest, "--out", out, "--run-id", f"night{night:02d}", "--history-wait", "0"])
        times.append(seconds)
        if night in (1, runs):
            summary = json.load(open(os.path.join(out, "latest", "summary.json")))
            h = summary["history"]
            print(f"night {night:2d}: run {seconds:.2f}s with history vs {without:.2f}s without ({seconds / without:.2f}x); "
                  f"{summary['findings']['total']:,} findings: {h['new']:,} new, {h['persisting']:,} persisting, "
                  f"{h['resolved']:,} resolved")
    print(f"all nights: median run {statistics.median(times):.2f}s (min {min(times):.2f}, max {max(times):.2f})")

    db = os.path.join(out, "history.sqlite")
    size = os.path.getsize(db) + (os.path.getsize(db + "-wal") if os.path.exists(db + "-wal") else 0)
    _, listing = run([mhdq, "history", "list", "--history", db, "--json"])
    last = json.loads(listing)[-1]
    open_findings = last["new"] + last["persisting"]
    print(f"history file: {size / 1048576:.2f} MB for {runs} runs ({size / runs / 1024:.0f} KB a run, "
          f"{size / max(open_findings, 1):.0f} bytes per open finding; {open_findings:,} open)\n")

    _, teams = run([mhdq, "history", "trend", "ETH020", "--history", db, "--json"])
    team = json.loads(teams)["groups"][0]["group"]
    commands = [
        ("worklist (all open, csv)", [mhdq, "worklist", "--history", db, "--csv"]),
        ("worklist (all open, text)", [mhdq, "worklist", "--history", db]),
        (f"worklist --new-since night{runs - 1:02d}", [mhdq, "worklist", "--history", db, "--new-since", f"night{runs - 1:02d}"]),
        ("history trend ETH020 (all teams)", [mhdq, "history", "trend", "ETH020", "--history", db]),
        (f"history trend ETH020 --group {team}", [mhdq, "history", "trend", "ETH020", "--group", team, "--history", db]),
        ("history trend ETH021 --json", [mhdq, "history", "trend", "ETH021", "--history", db, "--json"]),
        ("history trend findings", [mhdq, "history", "trend", "findings", "--history", db]),
        ("history list", [mhdq, "history", "list", "--history", db]),
        ("history show latest", [mhdq, "history", "show", "latest", "--history", db]),
    ]
    print(f"{'command':<38} {'median s':>9} {'output lines':>13}")
    for name, cmd in commands:
        seconds = median_time(cmd, reps)
        _, output = run(cmd)
        lines = output.count(b"\n")
        print(f"{name:<38} {seconds:>9.3f} {lines:>13,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
