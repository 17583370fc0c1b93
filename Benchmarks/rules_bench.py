#!/usr/bin/env python3
"""Rule evaluation cost and a big run's memory: `mhdq check` with the manifest's packs against `--no-rules`.

Generates once into bench-data/ (git-ignored), with `mhdq generate`, a synthetic trust of BENCH_RULES_PATIENTS
patients (default 50,000: about 530k rows in seven extracts) and times, median of BENCH_REPS rounds (each
round runs every binary once, so the baseline and the build meet the same machine):
  check --no-rules   read + stage only (the baseline)
  check              read + stage + the mhsds-v6 and ethnicity packs
and reports what the rules add as a multiple of reading. `check --no-rules` makes no Value it does not
report (codes and dates are checked, text columns left alone), so it understates the staging the rules
stand on: mhdq-stage-bench (Benchmarks/StageAll, built beside mhdq) stages every value and runs no
rules, and the rules' own cost is `check` minus that. Then, unless BENCH_BIG_PATIENTS is 0, the
foundation and rule-engine issues' big extract (default 1,000,000 patients with 3 referrals and 10 contacts
each on average: about 3M referrals and 10M contacts, 17M rows; BENCH_REFERRALS / BENCH_CONTACTS change
the means) under GNU time for wall time and peak RSS: `mhdq check --no-rules` (read + stage only) beside
`mhdq check` (the packs too) and `mhdq run` (read, stage, both packs, every export), once each
(`apt-get install time` if /usr/bin/time is missing).

MHDQ_BASELINE_BIN (optional): another mhdq build (say, main's) timed the same way in the same session,
so a change is reported as a ratio against it rather than against numbers from another day.
Environment: MHDQ_BIN (default .build/release/mhdq), BENCH_REPS (default 3).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
GNU_TIME = "/usr/bin/time"


def generate(mhdq, patients, referrals, contacts):
    name = f"trust-{patients}" + ("" if (referrals, contacts) == ("1.5", "5") else f"-r{referrals}-c{contacts}")
    folder = os.path.join(DATA, name)
    manifest = os.path.join(folder, "pipeline.toml")
    if os.path.exists(manifest):
        return manifest
    part = folder + ".part"
    shutil.rmtree(part, ignore_errors=True)
    cmd = [mhdq, "generate", "--out", part, "--patients", str(patients), "--seed", "1"]
    if (referrals, contacts) != ("1.5", "5"):
        cmd += ["--referrals-per-patient", referrals, "--contacts-per-patient", contacts]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    os.replace(part, folder)
    return manifest


def rows(manifest):
    """Data rows across the extracts (for rows/s)."""
    total = 0
    folder = os.path.dirname(manifest)
    for f in os.listdir(folder):
        if f.endswith(".csv"):
            with open(os.path.join(folder, f), "rb") as fh:
                total += sum(1 for _ in fh) - 1
    return total


def run_once(cmd, use_time=False):
    """Returns (seconds, peak RSS in MiB or None, stdout)."""
    rss = None
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as t:
        full = [GNU_TIME, "-f", "%M", "-o", t.name] + cmd if use_time else cmd
        start = time.perf_counter()
        p = subprocess.run(full, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if use_time:
            text = open(t.name).read().strip().splitlines()
            rss = int(text[-1]) / 1024 if text and text[-1].isdigit() else None
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed with exit {p.returncode}: {p.stderr.strip()}")
    return elapsed, rss, p.stdout


def median_seconds(cmd, reps):
    times = [run_once(cmd)[0] for _ in range(reps)]
    return statistics.median(times), times


def main():
    reps = int(os.environ.get("BENCH_REPS", "3"))
    patients = int(os.environ.get("BENCH_RULES_PATIENTS", "50000"))
    big = int(os.environ.get("BENCH_BIG_PATIENTS", "1000000"))
    referrals = os.environ.get("BENCH_REFERRALS", "3")
    contacts = os.environ.get("BENCH_CONTACTS", "10")
    mhdq = os.environ.get("MHDQ_BIN", os.path.join(ROOT, ".build/release/mhdq"))
    baseline = os.environ.get("MHDQ_BASELINE_BIN")
    for b in [mhdq] + ([baseline] if baseline else []):
        if not os.access(b, os.X_OK):
            sys.exit(f"no mhdq binary at {b}: run `swift build -c release` or set MHDQ_BIN / MHDQ_BASELINE_BIN")
    use_time = os.access(GNU_TIME, os.X_OK)
    os.makedirs(DATA, exist_ok=True)

    manifest = generate(mhdq, patients, "1.5", "5")
    n = rows(manifest)
    print(f"input: {os.path.relpath(os.path.dirname(manifest), ROOT)}  {patients:,} patients, {n:,} rows; median of {reps} rounds\n")
    binaries = [("mhdq", mhdq)] + ([("baseline", baseline)] if baseline else [])
    stage_bench = os.path.join(os.path.dirname(mhdq), "mhdq-stage-bench")
    if not os.access(stage_bench, os.X_OK):
        stage_bench = None
        print("(no mhdq-stage-bench beside mhdq: staging every value is not timed)\n")
    # Rounds, each running every binary once, so a slow spell on a shared machine falls on both builds
    # rather than on whichever happened to run then.
    samples = {label: ([], []) for label, _ in binaries}
    for _ in range(reps):
        for label, b in binaries:
            samples[label][0].append(run_once([b, "check", manifest, "--no-rules", "--json"])[0])
            samples[label][1].append(run_once([b, "check", manifest, "--json"])[0])
    results = {label: (statistics.median(s), statistics.median(f)) for label, (s, f) in samples.items()}
    print(f"{'binary':<10} {'--no-rules s':>13} {'with packs s':>13} {'rules s':>9} {'rules / reading':>16} {'rows/s (packs)':>15}")
    for label, (stage, full) in results.items():
        print(f"{label:<10} {stage:>13.3f} {full:>13.3f} {full - stage:>9.3f} {(full - stage) / stage:>15.2f}x {n / full:>15,.0f}")
    if stage_bench:
        stage_all, _ = median_seconds([stage_bench, manifest], reps)
        stage, full = results["mhdq"]
        print(f"\nread + stage every value (mhdq-stage-bench) {stage_all:.3f} s; rule evaluation alone (check minus that) "
              f"{full - stage_all:.3f} s = {(full - stage_all) / stage_all:.2f}x read + stage")
    if baseline:
        (s1, f1), (s0, f0) = results["mhdq"], results["baseline"]
        r1, r0 = f1 - s1, f0 - s0
        print(f"\nvs baseline: reading {s0 / s1:.2f}x faster, rules {r0 / r1:.2f}x faster, whole check {f0 / f1:.2f}x faster")

    if big > 0:
        big_manifest = generate(mhdq, big, referrals, contacts)
        big_rows = rows(big_manifest)
        print(f"\nbig run: {big:,} patients ({referrals} referrals, {contacts} contacts a patient), {big_rows:,} rows")
        def mib(rss):
            return f"{rss:,.0f} MiB" if rss is not None else "- (no GNU time)"
        for label, b in binaries:
            read_seconds, read_rss, _ = run_once([b, "check", big_manifest, "--no-rules", "--json"], use_time)
            print(f"  {label:<10} check --no-rules {read_seconds:8.1f} s  {big_rows / read_seconds:>12,.0f} rows/s  peak RSS {mib(read_rss)}")
            if label == "mhdq" and stage_bench:
                staged_seconds, staged_rss, _ = run_once([stage_bench, big_manifest], use_time)
                print(f"  {label:<10} stage every value{staged_seconds:8.1f} s  {big_rows / staged_seconds:>12,.0f} rows/s  peak RSS {mib(staged_rss)}")
            check_seconds, check_rss, _ = run_once([b, "check", big_manifest, "--json"], use_time)
            alone = f"; rule evaluation alone: {(check_seconds - staged_seconds) / staged_seconds:.1f}x read + stage" if label == "mhdq" and stage_bench else ""
            print(f"  {label:<10} check (packs)    {check_seconds:8.1f} s  {big_rows / check_seconds:>12,.0f} rows/s  peak RSS {mib(check_rss)}"
                  f"  (rules: {(check_seconds - read_seconds) / read_seconds:.1f}x reading{alone})")
            # The run's outputs, and the history database a run keeps beside them, go to a folder removed after.
            scratch = tempfile.mkdtemp(prefix="mhdq-bench-run-")
            try:
                seconds, rss, _ = run_once([b, "run", big_manifest, "--out", os.path.join(scratch, "out")], use_time)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            print(f"  {label:<10} run              {seconds:8.1f} s  {big_rows / seconds:>12,.0f} rows/s  peak RSS {mib(rss)}"
                  f"  (everything but reading: {(seconds - read_seconds) / read_seconds:.1f}x reading)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
