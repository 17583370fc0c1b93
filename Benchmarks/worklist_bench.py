#!/usr/bin/env python3
"""Benchmark (not a test): building the worklist exceptions.xlsx from an exceptions.csv of ~1M findings.

    python3 Benchmarks/worklist_bench.py [--findings N] [--skip-openpyxl] [--scratch .build]

Generates bench-data/exceptions_<N>.csv once (git-ignored): N findings in the exceptions.csv
layout over 30 rules (record rules with values and source rows, group rules, aggregates with
observed/expected/denominator, history status), with unicode, formula-like and long text.
Then times, each in its own process:
  mhdq       Benchmarks/worklist_write.swift (ExceptionsWorkbook.write: Summary + one sheet per
             rule, streamed and deflated) built against the release MHDQ library, at N and N/10
             findings so that peak memory can be seen not to grow with the findings;
  openpyxl   the baseline: openpyxl's write_only mode copying the same CSV into a single sheet
             (less work than ours: no grouping, no summary), at N/10 findings unless --full-baseline
             (it takes about 5 CPU minutes per million findings; its rate does not depend on N).
Prints findings/s, MB/s (of the CSV read) and peak RSS, with ratios against openpyxl.
"""
import argparse, csv, os, random, subprocess, sys, time, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
COLUMNS = ["run_id", "rule_id", "title", "class", "severity", "table", "source_file", "sheet", "row",
           "record_key", "field", "value", "message", "group", "period", "observed", "expected",
           "status", "first_seen", "denominator"]
TEAMS = ["RUG-CMHT", "COV-CMHT", "NUN-CMHT", "LEA-CMHT", "WAR-CMHT", "COV-CRHT", "STR-EIP", "BED-CMHT", ""]
SEVERITIES = ["Record rejected", "Group rejected", "Severity 1 Warning", "Warning", "Info"]
VALUES = ["", "99", "Z", "White - British", "Asian/Asian British – Indian", "31/02/2024", "'=SUM(A1)", "9434765919",
          "£12 café 😀", "line1\nline2", "  padded ", "-12"]


def generate(path, n):
    rnd = random.Random(7)
    rules = []
    for k in range(30):
        kind = "aggregate" if k % 10 == 9 else ("group" if k % 4 == 3 else "record")
        rules.append((f"MHS{k:05d}", f"Rule {k}: a field is missing, invalid or inconsistent", ["missing", "invalid", "orphan"][k % 3],
                      SEVERITIES[k % len(SEVERITIES)], ["MHS001MPI", "MHS101Referral", "MHS201CareContact"][k % 3], kind))
    weights = [1.0 / (k + 1) for k in range(30)]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for i in range(n):
            rid, title, cls, sev, table, kind = rnd.choices(rules, weights)[0]
            team = rnd.choice(TEAMS)
            status = rnd.choice(["new", "persisting", "persisting"])
            first = "20240301T060000Z" if status == "persisting" else "20240401T060000Z"
            if kind == "aggregate":
                row = ["20240401T060000Z", rid, title, cls, sev, table, "", "", "", team, "", "",
                       f"{title}: {rnd.uniform(40, 95):.1f}% for {team}", team, "2024-03",
                       f"{rnd.uniform(40, 95):.1f}%", "≥ 95% (warn below), ≥ 90% (fail below)", status, first, str(rnd.randrange(10, 5000))]
            else:
                value = rnd.choice(VALUES) if kind == "record" else ""
                if i % 100_000 == 0:
                    value = "long " * 8_000
                row = ["20240401T060000Z", rid, title, cls, sev, table, f"extracts/{table.lower()}.csv", "",
                       str(rnd.randrange(2, 2_000_000)), f"P{rnd.randrange(10**8):08d}", "EthnicCategory" if kind == "record" else "",
                       value, f"{sev} - [{rid}] {title}. LocalPatientID=P{i:08d} value={value[:20]!r}", team, "2024-03",
                       "", "", status, first, ""]
            w.writerow(row)
    return path


def build_runner(scratch):
    os.makedirs(DATA, exist_ok=True)
    runner = os.path.join(DATA, "worklist_write")
    subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch], cwd=ROOT, check=True)
    objdir = os.path.join(scratch, "release", "MHDQ.build")
    objects = [os.path.join(objdir, f) for f in os.listdir(objdir) if f.endswith(".o")]
    subprocess.run(["swiftc", "-O", os.path.join(ROOT, "Benchmarks", "worklist_write.swift"), "-o", runner,
                    "-I", os.path.join(scratch, "release", "Modules"), "-I", os.path.join(ROOT, "Sources", "CLibXML2"),
                    "-I", os.path.join(ROOT, "Sources", "CZlib"), "-I", os.path.join(ROOT, "Sources", "CSQLite"),
                    "-I", "/usr/include/libxml2", *objects, "-lxml2", "-lz", "-lsqlite3"], check=True)
    return runner


OPENPYXL = """
import csv, sys, openpyxl
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet("Findings")
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.reader(f):
        ws.append(row)
wb.save(sys.argv[2])
"""


def timed(cmd):
    """Runs cmd in a child process; returns (wall seconds, CPU seconds, peak RSS in MB, last stderr line).
    CPU time is printed too: on a shared machine it is the steadier measure."""
    t = time.perf_counter()
    res = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t
    if res.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{res.stderr}")
    lines = res.stderr.strip().splitlines()
    user, system, rss = lines[-1].split()
    return elapsed, float(user) + float(system), int(rss) / 1024, lines[-2] if len(lines) > 1 else ""


def dataset(n):
    os.makedirs(DATA, exist_ok=True)
    path = os.path.join(DATA, f"exceptions_{n}.csv")
    if not os.path.exists(path):
        t = time.perf_counter()
        generate(path + ".part", n)
        os.rename(path + ".part", path)
        print(f"generated {path} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=1_000_000)
    ap.add_argument("--skip-openpyxl", action="store_true")
    ap.add_argument("--full-baseline", action="store_true", help="run openpyxl at N findings, not N/10")
    ap.add_argument("--scratch", default=os.path.join(ROOT, ".build"), help="SwiftPM scratch path of the release build")
    ap.add_argument("--level", default="", help="zlib level for mhdq (default: the writer's)")
    args = ap.parse_args()
    runner = build_runner(os.path.abspath(args.scratch))
    results = {}
    for n in [args.findings // 10, args.findings]:
        path = dataset(n)
        csv_mb = os.path.getsize(path) / 1e6
        out = os.path.join(DATA, f"exceptions_{n}.xlsx")
        secs, cpu, rss, note = timed([runner, path, out] + ([args.level] if args.level else []))
        with zipfile.ZipFile(out) as z:
            xml_mb = sum(i.file_size for i in z.infolist()) / 1e6
        xlsx_mb = os.path.getsize(out) / 1e6
        print(f"  mhdq      {n:>9,} findings  {secs:7.2f} s ({cpu:6.2f} s CPU)  {n / secs:>9,.0f} findings/s  {csv_mb / secs:6.1f} MB/s of CSV"
              f"  {xml_mb / secs:6.1f} MB/s of sheet XML  peak RSS {rss:6.0f} MB  (CSV {csv_mb:.0f} MB -> xlsx {xlsx_mb:.0f} MB; {note})", flush=True)
        results[("mhdq", n)] = (secs, cpu, rss)
    n = args.findings if args.full_baseline else args.findings // 10
    if not args.skip_openpyxl:
        path = dataset(n)
        secs, cpu, rss, _ = timed([sys.executable, "-c", OPENPYXL, path, os.path.join(DATA, f"exceptions_{n}_openpyxl.xlsx")])
        print(f"  openpyxl  {n:>9,} findings  {secs:7.2f} s ({cpu:6.2f} s CPU)  {n / secs:>9,.0f} findings/s"
              f"  peak RSS {rss:6.0f} MB (one sheet, write_only)", flush=True)
        ours = results[("mhdq", n)]
        print(f"  vs openpyxl at {n:,} findings: mhdq {secs / ours[0]:.1f}x faster ({cpu / ours[1]:.1f}x less CPU),"
              f" {rss / ours[2]:.1f}x less memory")
    small, big = results[("mhdq", args.findings // 10)], results[("mhdq", args.findings)]
    print(f"  peak RSS at {args.findings:,} vs {args.findings // 10:,} findings: {big[2] / small[2]:.2f}x (flat when streaming)")


if __name__ == "__main__":
    main()
