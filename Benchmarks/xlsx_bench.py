#!/usr/bin/env python3
"""Benchmark (not a test): reading a 1,048,575-row x 12-column XLSX with mhdq, openpyxl and python-calamine.

    pip install openpyxl python-calamine
    python3 Benchmarks/xlsx_bench.py [--rows N] [--skip-openpyxl]

Generates bench-data/bench_<rows>.xlsx once (git-ignored): a header row plus N data rows of
mixed text (shared strings, one column unique per row), integers, decimals, dates, date-times
and booleans, laid out as Excel writes them. Then times, each in its own process:
  mhdq      `.build/release/mhdq inspect FILE --records csv > /dev/null` when that command
            exists; until then Benchmarks/xlsx_read.swift (same work: every row as CSV to
            /dev/null) built against the release MHDQ library in .build-xlsx;
  openpyxl  load_workbook(read_only=True), iterating every value;
  calamine  python_calamine load_workbook, iterating every row.
Prints rows/s, MB/s (of the .xlsx file) and peak RSS, with ratios against openpyxl.
"""
import argparse, os, random, resource, subprocess, sys, time, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
SCRATCH = os.path.join(ROOT, ".build-xlsx")

NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TEAMS = [f"Community Mental Health Team {k}" for k in range(20)]
ETHNIC = list("ABCDEFGHJKLMNPRSZ")
NOTES = [f"Note number {k}: follow-up" for k in range(100)]
HEADER = ["LocalPatientID", "Team", "EthnicCategory", "ReferralDate", "ContactDateTime", "Age",
          "Score", "Contacts", "Ratio", "Discharged", "Note", "NHSNumber"]


CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/></Types>')


def col(n):
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def generate(path, rows):
    rnd = random.Random(42)
    strings = HEADER + TEAMS + ETHNIC + NOTES
    base_team, base_eth, base_note = len(HEADER), len(HEADER) + len(TEAMS), len(HEADER) + len(TEAMS) + len(ETHNIC)
    first_id = len(strings)  # one unique patient id per row follows
    cols = [col(c) for c in range(1, 13)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook {NS}><sheets><sheet name="Contacts" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                   f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml", f'<styleSheet {NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm"/></numFmts>'
                   '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>')
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {NS}>'.encode())
            f.write("".join(f"<si><t>{s}</t></si>" for s in strings).encode())
            for k in range(rows):
                f.write(f"<si><t>P{k + 1:08d}</t></si>".encode())
            f.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData>'.encode())
            head = "".join(f'<c r="{cols[k]}1" t="s"><v>{k}</v></c>' for k in range(12))
            f.write(f'<row r="1">{head}</row>'.encode())
            buf = []
            for k in range(rows):
                r = k + 2
                c = cols
                buf.append(
                    f'<row r="{r}"><c r="{c[0]}{r}" t="s"><v>{first_id + k}</v></c>'
                    f'<c r="{c[1]}{r}" t="s"><v>{base_team + rnd.randrange(20)}</v></c>'
                    f'<c r="{c[2]}{r}" t="s"><v>{base_eth + rnd.randrange(17)}</v></c>'
                    f'<c r="{c[3]}{r}" s="1"><v>{43000 + rnd.randrange(2000)}</v></c>'
                    f'<c r="{c[4]}{r}" s="2"><v>{43000 + rnd.randrange(2000) + rnd.randrange(1440) / 1440!r}</v></c>'
                    f'<c r="{c[5]}{r}"><v>{rnd.randrange(5, 95)}</v></c>'
                    f'<c r="{c[6]}{r}"><v>{rnd.randrange(0, 400) / 4}</v></c>'
                    f'<c r="{c[7]}{r}"><v>{rnd.randrange(0, 60)}</v></c>'
                    f'<c r="{c[8]}{r}"><v>{rnd.random()!r}</v></c>'
                    f'<c r="{c[9]}{r}" t="b"><v>{rnd.randrange(2)}</v></c>'
                    f'<c r="{c[10]}{r}" t="s"><v>{base_note + rnd.randrange(100)}</v></c>'
                    f'<c r="{c[11]}{r}"><v>{9000000000 + rnd.randrange(999999999)}</v></c></row>')
                if len(buf) == 10000:
                    f.write("".join(buf).encode())
                    buf = []
            f.write("".join(buf).encode())
            f.write(b"</sheetData></worksheet>")


OPENPYXL = """
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = 0
for row in wb.worksheets[0].iter_rows(values_only=True):
    for v in row:
        pass
    n += 1
print(n, file=sys.stderr)
"""

CALAMINE = """
import sys, python_calamine
wb = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
n = 0
for row in wb.get_sheet_by_index(0).iter_rows():
    for v in row:
        pass
    n += 1
print(n, file=sys.stderr)
"""


def mhdq_command(path):
    cli = os.path.join(ROOT, ".build", "release", "mhdq")
    if os.path.exists(cli):
        # Use the CLI only once it really prints a workbook's records.
        fixture = os.path.join(ROOT, "Tests", "MHDQTests", "Fixtures", "xlsx", "handmade.xlsx")
        probe = subprocess.run([cli, "inspect", fixture, "--records", "csv"], capture_output=True)
        if probe.returncode == 0 and b"rich text" in probe.stdout:
            return [cli, "inspect", path, "--records", "csv"]
    runner = os.path.join(DATA, "xlsx_read")
    subprocess.run(["swift", "build", "-c", "release", "--scratch-path", SCRATCH], cwd=ROOT, check=True)
    objects = [os.path.join(SCRATCH, "release", "MHDQ.build", f) for f in os.listdir(os.path.join(SCRATCH, "release", "MHDQ.build")) if f.endswith(".o")]
    subprocess.run(["swiftc", "-O", os.path.join(ROOT, "Benchmarks", "xlsx_read.swift"), "-o", runner,
                    "-I", os.path.join(SCRATCH, "release", "Modules"), "-I", os.path.join(ROOT, "Sources", "CLibXML2"),
                    "-I", os.path.join(ROOT, "Sources", "CZlib"), "-I", os.path.join(ROOT, "Sources", "CSQLite"),
                    "-I", "/usr/include/libxml2", *objects, "-lxml2", "-lz", "-lsqlite3"], check=True)
    return [runner, path]


def timed(cmd):
    """Runs cmd in a child process; returns (seconds, peak RSS in MB of that child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    # /usr/bin/time -v gives the child's own peak RSS even when an earlier child was larger.
    res = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t
    if res.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{res.stderr}")
    rss_kb = int(res.stderr.strip().splitlines()[-1])
    return elapsed, rss_kb / 1024, res.stderr.strip().splitlines()[-2] if len(res.stderr.strip().splitlines()) > 1 else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_048_575, help="data rows (plus one header row)")
    ap.add_argument("--skip-openpyxl", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(DATA, exist_ok=True)
    path = os.path.join(DATA, f"bench_{args.rows}.xlsx")
    if not os.path.exists(path):
        t = time.perf_counter()
        generate(path + ".part", args.rows)
        os.rename(path + ".part", path)
        print(f"generated {path} in {time.perf_counter() - t:.1f} s")
    size_mb = os.path.getsize(path) / 1e6
    with zipfile.ZipFile(path) as z:
        xml_mb = z.getinfo("xl/worksheets/sheet1.xml").file_size / 1e6
    rows = args.rows + 1
    print(f"{path}: {size_mb:.1f} MB zipped, sheet XML {xml_mb:.0f} MB, {rows} rows x 12 columns")

    readers = [("mhdq", mhdq_command(path))]
    if not args.skip_openpyxl:
        readers.append(("openpyxl", [sys.executable, "-c", OPENPYXL, path]))
    readers.append(("calamine", [sys.executable, "-c", CALAMINE, path]))
    results = {}
    for name, cmd in readers:
        best = None
        for _ in range(args.repeat):
            r = timed(cmd)
            if best is None or r[0] < best[0]:
                best = r
        results[name] = best
        print(f"  {name:9s} {best[0]:7.2f} s  {rows / best[0]:>10,.0f} rows/s  {size_mb / best[0]:6.1f} MB/s  peak RSS {best[1]:6.0f} MB", flush=True)
    if "openpyxl" in results:
        base = results["openpyxl"][0]
        print("  speed vs openpyxl: " + ", ".join(f"{n} {base / r[0]:.1f}x" for n, r in results.items()))
    if "calamine" in results:
        base = results["calamine"][0]
        print("  speed vs calamine: " + ", ".join(f"{n} {base / r[0]:.2f}x" for n, r in results.items()))


if __name__ == "__main__":
    main()
