#!/usr/bin/env python3
"""`mhdq run` end to end on a generated 1M-patient trust: time, peak RSS, and the nothing-lost check.

Generates once into bench-data/ (git-ignored) `mhdq generate --patients 1000000` (all seven core tables),
then measures, one run each:
  - `mhdq check MANIFEST --json`: stage + validate, nothing written (the baseline);
  - `mhdq run MANIFEST`: the same plus the exports (flat files spooled and copied, exceptions, summary);
  - `mhdq run MANIFEST --redact`: the same with every identifier masked (HMAC-SHA-256).
Each run's time and peak RSS are reported with its ratio to the baseline. Then it verifies, for every
table, rows read = rows exported + rows rejected in summary.json and reconciliation.csv, and that each
flat file holds exactly rows_exported records (counted with Python's csv module), and exits 1 if not.
Peak RSS comes from GNU time -v (`apt-get install time`).

Environment: MHDQ_BIN (default .build/release/mhdq), BENCH_PATIENTS (default 1000000),
BENCH_REDACT (default 1; 0 skips the --redact run), BENCH_KEEP (default 0; 1 keeps the run folders).
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
GNU_TIME = "/usr/bin/time"


def measure(cmd, env=None):
    """Runs cmd under GNU time -v: (wall seconds, CPU seconds or None, peak RSS MiB or None, exit code, stdout).
    CPU seconds (user + system) are the steadier figure on a shared machine, where wall time waits for a core."""
    use_time = os.access(GNU_TIME, os.X_OK)
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as t:
        full = [GNU_TIME, "-v", "-o", t.name] + cmd if use_time else cmd
        start = time.perf_counter()
        p = subprocess.run(full, cwd=ROOT, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - start
        rss = cpu = None
        if use_time:
            report = open(t.name).read()
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
            rss = int(m.group(1)) / 1024 if m else None
            u = re.search(r"User time \(seconds\): ([\d.]+)", report)
            k = re.search(r"System time \(seconds\): ([\d.]+)", report)
            cpu = float(u.group(1)) + float(k.group(1)) if u and k else None
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed with exit {p.returncode}: {p.stderr.strip()[-2000:]}")
    return elapsed, cpu, rss, p.returncode, p.stdout


def count_records(path, delimiter):
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f, delimiter=delimiter)) - 1


def verify(run_dir):
    """Reconciliation holds and the flat files hold exactly the rows exported. Returns problems."""
    problems = []
    summary = json.load(open(os.path.join(run_dir, "summary.json")))
    with open(os.path.join(run_dir, "reconciliation.csv"), newline="") as f:
        reconciliation = {r["table"]: r for r in csv.DictReader(f)}
    files = {f["table"]: f for f in summary["flat_files"]}
    for t in summary["tables"]:
        name = t["table"]
        if t["rows_read"] != t["rows_exported"] + t["rows_rejected"] or not t["balanced"]:
            problems.append(f"{name}: read {t['rows_read']} != exported {t['rows_exported']} + rejected {t['rows_rejected']}")
        r = reconciliation.get(name)
        if r is None or int(r["rows_exported"]) != t["rows_exported"] or r["balanced"] != "yes":
            problems.append(f"{name}: reconciliation.csv disagrees with summary.json")
        f = files.get(name)
        if f is None:
            problems.append(f"{name}: no flat file")
            continue
        n = count_records(os.path.join(run_dir, f["file"]), ",")
        if n != t["rows_exported"] or f["records"] != n:
            problems.append(f"{name}: {n} records in {f['file']}, summary says {f['records']}, rows_exported {t['rows_exported']}")
    return summary, problems


def main():
    patients = int(os.environ.get("BENCH_PATIENTS", "1000000"))
    redact = os.environ.get("BENCH_REDACT", "1") != "0"
    keep = os.environ.get("BENCH_KEEP", "0") == "1"
    mhdq = os.environ.get("MHDQ_BIN", os.path.join(ROOT, ".build/release/mhdq"))
    if not os.access(mhdq, os.X_OK):
        sys.exit(f"no mhdq binary at {mhdq}: run `swift build -c release` or set MHDQ_BIN")
    if not os.access(GNU_TIME, os.X_OK):
        print("note: GNU time not found (apt-get install time): peak RSS not measured")

    trust = os.path.join(DATA, f"trust-{patients}")
    manifest = os.path.join(trust, "pipeline.toml")
    t0 = time.perf_counter()
    if not os.path.exists(os.path.join(trust, ".complete")):
        shutil.rmtree(trust, ignore_errors=True)
        subprocess.run([mhdq, "generate", "--out", trust, "--patients", str(patients), "--seed", "1"],
                       cwd=ROOT, check=True, capture_output=True)
        open(os.path.join(trust, ".complete"), "w").close()
    size_mb = sum(os.path.getsize(os.path.join(trust, f)) for f in os.listdir(trust) if f.endswith(".csv")) / 1e6
    print(f"input: {os.path.relpath(trust, ROOT)}/  {patients:,} patients, {size_mb:.0f} MB of CSV "
          f"(ready in {time.perf_counter() - t0:.1f}s); mhdq = {os.path.relpath(mhdq, ROOT)}\n")

    out = os.path.join(DATA, "runs")
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, MHDQ_REDACT_KEY="bench")
    runs = [("check (baseline)", [mhdq, "check", manifest, "--json"], None)]
    runs.append(("run", [mhdq, "run", manifest, "--out", out, "--run-id", "plain"], os.path.join(out, "plain")))
    if redact:
        runs.append(("run --redact", [mhdq, "run", manifest, "--out", out, "--run-id", "redacted", "--redact"],
                     os.path.join(out, "redacted")))

    results = []
    for name, cmd, run_dir in runs:
        seconds, cpu, rss, code, stdout = measure(cmd, env)
        results.append((name, seconds, cpu, rss, run_dir))
    base_wall, base_cpu, base_rss = results[0][1], results[0][2], results[0][3]
    print(f"{'command':<18} {'wall s':>8} {'CPU s':>8} {'MB/s (CPU)':>11} {'peak RSS MiB':>13} {'CPU vs check':>13} {'RSS vs check':>13}")
    for name, seconds, cpu, rss, _ in results:
        c = f"{cpu:.1f}" if cpu is not None else "-"
        rate = f"{size_mb / cpu:.1f}" if cpu else "-"
        r = f"{rss:.0f}" if rss is not None else "-"
        cr = f"{cpu / base_cpu:.2f}x" if cpu and base_cpu else f"{seconds / base_wall:.2f}x (wall)"
        rr = f"{rss / base_rss:.2f}x" if rss and base_rss else "-"
        print(f"{name:<18} {seconds:>8.1f} {c:>8} {rate:>11} {r:>13} {cr:>13} {rr:>13}")

    failed = False
    for name, _, _, _, run_dir in results:
        if run_dir is None:
            continue
        summary, problems = verify(run_dir)
        read = sum(t["rows_read"] for t in summary["tables"])
        exported = sum(t["rows_exported"] for t in summary["tables"])
        rejected = sum(t["rows_rejected"] for t in summary["tables"])
        flat_mb = sum(os.path.getsize(os.path.join(run_dir, f["file"])) for f in summary["flat_files"]) / 1e6
        print(f"\n{name}: rows read {read:,} = exported {exported:,} + rejected {rejected:,} "
              f"({'balanced' if read == exported + rejected else 'NOT BALANCED'}); flat files {flat_mb:.0f} MB")
        for t in summary["tables"]:
            print(f"  {t['table']:<24} read {t['rows_read']:>10,}  exported {t['rows_exported']:>10,}  rejected {t['rows_rejected']:>8,}")
        for p in problems:
            print(f"  PROBLEM: {p}")
        failed = failed or bool(problems) or read != exported + rejected
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    print("\nreconciliation: " + ("FAILED" if failed else "holds for every table, and the flat files hold exactly the rows exported"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
