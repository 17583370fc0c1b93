#!/usr/bin/env python3
"""Writes the demo's aggregate returns and adds them to pipeline.toml (run by make_demo.sh after `mhdq generate`).

- indicator_return.csv: ASCOF 1F and 1H, monthly, October 2024 to September 2026, for four councils, as an
  NHS England MHSDS download looks (counts rounded to the nearest 5, under 5 shown as *), with the defects
  real returns carry (../../shared/DOMAIN.md, "ASCOF 1F and 1H"):
    Northshire: the provider's system goes down from December 2025 to June 2026 (seven months): only
      neighbouring trusts' records flow, the denominator collapses from ~12,000 to ~300, then returns in July
      with the numerator recovering more slowly than the denominator;
    Eastborough 1H: the percentage column is copied down from February for four months;
    Eastborough 1F: January 2026 returned twice ("Jan-26" and "2026-01");
    Riverside 1F: three months of unrounded counts in a "rounded to 5" return;
    Westvale (small): a count of 3 not suppressed, a zero denominator printed as 0.0%, a missing month,
      and the latest month "Unavailable".
- kpi_return.xlsx (openpyxl: a real workbook as a trust's performance team keeps it): a title, a note, the
  header on row 3, an empty RAG column; targets and actuals typed by hand ("85%", "74.02%", ">75%",
  "8 days per FTE (+/- 1 day)", "Retention rate is 87%", "Information unavailable", "39% (rolling 12 months)")
  and some actuals entered as numbers in a percentage format (0.913 shown as 91.3%).
- kpi_return.csv: the same return saved as CSV (what the sheet shows), which the tests stage beside the workbook.

Deterministic: the same bytes every run (fixed seed; the workbook's timestamps are fixed).
Needs openpyxl (pip install openpyxl).
"""
import csv, datetime, io, os, random, re, sys, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20260930)

MONTHS = [(2024 + (9 + i) // 12, (9 + i) % 12 + 1) for i in range(24)]   # 2024-10 .. 2026-09
NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def iso(y, m):
    return f"{y}-{m:02d}"


def short(y, m):
    return f"{NAMES[m - 1]}-{y % 100:02d}"


def round5(n):
    return int(5 * round(n / 5))


def count(n):
    """A published count: rounded to 5, under 5 as *, thousands grouped."""
    return "*" if n < 5 else f"{round5(n):,}"


def pct(num, den, places=1):
    return f"{100 * num / den:.{places}f}%"


rows = []   # (period, area, code, measure, numerator, denominator, stated)


def series(area, code, measure, den0, rate0, *, outage=None, recovery=None, copy_from=None, copy_months=0,
           unrounded=(), unsuppressed=None, zero=None, missing=None, unavailable=None, duplicate=None, spelling=iso):
    den = den0
    copied = None
    for y, m in MONTHS:
        p = iso(y, m)
        den = den * (1 + rng.uniform(-0.006, 0.008))
        rate = rate0 + rng.uniform(-0.004, 0.004)
        true_den, true_num = den, den * rate
        if outage and outage[0] <= p <= outage[1]:
            # Only neighbouring trusts' records flow: a few hundred people, a different mix.
            true_den = rng.uniform(290, 320)
            true_num = true_den * outage[2] * (1 + rng.uniform(-0.03, 0.03))
        if recovery and p in recovery:
            true_num = true_den * recovery[p]
        if p == missing:
            continue
        period = spelling(y, m)
        if p == unavailable:
            rows.append((period, area, code, measure, "Unavailable", "Unavailable", "Unavailable"))
            continue
        if p == zero:
            rows.append((period, area, code, measure, "0", "0", "0.0%"))
            continue
        num_text, den_text = count(true_num), count(true_den)
        stated = pct(true_num, true_den) if true_num >= 5 else "*"
        if p in unrounded:
            num_text, den_text = f"{round(true_num):,}", f"{round(true_den):,}"
            stated = pct(round(true_num), round(true_den))
        if p == unsuppressed:
            num_text, stated = "3", pct(3, true_den)
        if copy_from and p == copy_from:
            copied = stated
        elif copied and copy_months > 0:
            stated = copied
            copy_months -= 1
        rows.append((period, area, code, measure, num_text, den_text, stated))
        if p == duplicate:
            rows.append((short(y, m), area, code, measure, num_text, den_text, stated))


# Northshire: the outage. 1H's rate jumps during it (a different mix of people) and climbs back as the
# numerator recovers more slowly than the denominator; 1F's stays near its level.
series("Northshire", "E10000099", "ASCOF 1H", 12000, 0.583, outage=("2025-12", "2026-06", 0.29),
       recovery={"2026-07": 0.20, "2026-08": 0.40})
series("Northshire", "E10000099", "ASCOF 1F", 12000, 0.065, outage=("2025-12", "2026-06", 0.066),
       recovery={"2026-07": 0.025, "2026-08": 0.05})
series("Eastborough", "E06000098", "ASCOF 1H", 8200, 0.612, copy_from="2026-02", copy_months=4)
series("Eastborough", "E06000098", "ASCOF 1F", 8200, 0.071, duplicate="2026-01")
series("Riverside", "E08000097", "ASCOF 1H", 9900, 0.571, spelling=short)
series("Riverside", "E08000097", "ASCOF 1F", 9900, 0.123, unrounded=("2026-01", "2026-02", "2026-03"), spelling=short)
series("Westvale", "E07000096", "ASCOF 1H", 150, 0.55, missing="2026-04", unavailable="2026-09")
series("Westvale", "E07000096", "ASCOF 1F", 150, 0.045, unsuppressed="2026-02", zero="2026-06")

# Eastborough 1H copied down: make the drift under the copied column visible (a steady fall in people housed).
for i, r in enumerate(rows):
    if r[1] == "Eastborough" and r[3] == "ASCOF 1H" and "2026-03" <= r[0] <= "2026-06":
        k = int(r[0][-2:]) - 2
        den = int(r[5].replace(",", ""))
        rows[i] = (r[0], r[1], r[2], r[3], f"{round5(den * (0.612 - 0.018 * k)):,}", r[5], r[6])

with open(os.path.join(HERE, "indicator_return.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["Month", "Local Authority", "LA Code", "Measure", "Numerator", "Denominator", "Percentage"])
    w.writerows(rows)

# --- KPI return -----------------------------------------------------------------------------------------

TRUST, COUNCIL = "Demo MH Trust", "Demo County Council"
PERCENT = object()   # an actual entered as a number in a percentage format
kpis = [
    # (KPI, organisation, period, target, actual, polarity)
    ("Appraisal rate", TRUST, "Q1 2026/27", "85%", "76.5%", "Higher is better"),
    ("Appraisal rate", TRUST, "Q2 2026/27", "85%", "74.02%", "Higher is better"),
    ("Mandatory training compliance", TRUST, "Q2 2026/27", "90%", (PERCENT, 0.913), "Higher is better"),
    ("Sickness absence rate", TRUST, "Q1 2026/27", "4%", (PERCENT, 0.043), "Lower is better"),
    ("Sickness absence rate", TRUST, "Q2 2026/27", "4%", (PERCENT, 0.0512), "Lower is better"),
    ("Staff turnover", TRUST, "Q2 2026/27", "Retention rate is 87%", "39% (rolling 12 months)", "Lower is better"),
    ("Vacancy rate", TRUST, "Q2 2026/27", "10%", "11.4%", "Lower is better"),
    ("72-hour follow-up", TRUST, "Q2 2026/27", ">75%", "81.2%", "Higher is better"),
    ("EIP two-week wait", TRUST, "Q2 2026/27", "60%", "Information unavailable", "Higher is better"),
    ("CYP eating disorders urgent within 1 week", TRUST, "Q2 2026/27", "95%", "N/A", "Higher is better"),
    ("CYP eating disorders routine within 4 weeks", TRUST, "Q2 2026/27", "95%", "88.9%", "Higher is better"),
    ("CPA review within 12 months", TRUST, "Q2 2026/27", "N/A", "93.1%", "Higher is better"),
    ("Out of area placements (bed days)", TRUST, "Q2 2026/27", "0", "212", "Lower is better"),
    ("Appraisal rate", COUNCIL, "FY2025/26", "85%", (PERCENT, 0.87), "Higher is better"),
    ("Sickness absence days per FTE", COUNCIL, "FY2025/26", "8 days per FTE (+/- 1 day)", "14.85 days per FTE", "Lower is better"),
    ("Safeguarding enquiries completed within timescale", COUNCIL, "Jul-Sep 26", "", "71%", "Higher is better"),
]


def shown(actual):
    """What the sheet holds for an actual: a percentage-formatted number reads as its value in per cent."""
    return _percent_text(actual[1]) if isinstance(actual, tuple) else actual


def _percent_text(v):
    # The stored number with its point moved two places: what mhdq reads from a percentage cell.
    s = repr(v)
    whole, _, frac = s.partition(".")
    digits = (whole + frac[:2].ljust(2, "0")).lstrip("0") or "0"
    rest = frac[2:]
    return digits + ("." + rest if rest else "") + "%"


header = ["KPI", "Organisation", "Period", "Target", "Actual", "Polarity", "RAG"]

with open(os.path.join(HERE, "kpi_return.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    for k in kpis:
        w.writerow([k[0], k[1], k[2], k[3], shown(k[4]), k[5], ""])

try:
    import openpyxl
    from openpyxl.styles import Font
except ImportError:
    sys.exit("make_returns.py needs openpyxl (pip install openpyxl) to write kpi_return.xlsx")

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "KPIs"
ws["A1"] = "Integrated performance report: workforce and quality KPIs (Demo MH Trust and Demo County Council)"
ws["A1"].font = Font(bold=True)
ws["A2"] = "Sources: ESR, RiO, council HR. RAG per Trust Board policy (to be completed by the performance team)."
ws.append(header)
for c in ws[3]:
    c.font = Font(bold=True)
for k in kpis:
    actual = k[4]
    ws.append([k[0], k[1], k[2], k[3] if k[3] else None, actual[1] if isinstance(actual, tuple) else actual, k[5], None])
    if isinstance(actual, tuple):
        ws.cell(row=ws.max_row, column=5).number_format = "0.0%"
wb.properties.creator = "Performance team"
fixed = datetime.datetime(2026, 10, 5, 9, 0, 0)
wb.properties.created = fixed
wb.properties.modified = fixed
buffer = io.BytesIO()
wb.save(buffer)
# Rewrite the zip with fixed entry times so the file is byte-for-byte the same each run.
with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
        zipfile.ZipFile(os.path.join(HERE, "kpi_return.xlsx"), "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        data = src.read(item.filename)
        if item.filename == "docProps/core.xml":
            data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                          b'<dcterms:modified xsi:type="dcterms:W3CDTF">2026-10-05T09:00:00Z</dcterms:modified>', data)
        info = zipfile.ZipInfo(item.filename, date_time=(2026, 10, 5, 9, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        dst.writestr(info, data)

# --- pipeline.toml: the two returns as sources, and the packs that check them -----------------------------

manifest = os.path.join(HERE, "pipeline.toml")
text = open(manifest, encoding="utf-8").read()
marker = "\n# Aggregate returns (added by make_returns.py)\n"
text = text.split(marker)[0]
text = text.replace('packs = ["mhsds-v6", "ethnicity"]', 'packs = ["mhsds-v6", "ethnicity", "ascof", "kpi"]')
text += marker + '''
[[source]]
table = "IndicatorReturn"
file = "indicator_return.csv"
format = "csv"

[source.columns]                   # local header = dataset field
"Month" = "Period"
"Local Authority" = "Area"
"LA Code" = "AreaCode"
"Measure" = "Measure"
"Numerator" = "Numerator"
"Denominator" = "Denominator"
"Percentage" = "StatedValue"

[[source]]
table = "KpiReturn"
file = "kpi_return.xlsx"
format = "xlsx"
sheet = "KPIs"
header_row = 3                     # a title and a note above the header

[source.columns]                   # local header = dataset field
"KPI" = "Indicator"
"Organisation" = "Organisation"
"Period" = "Period"
"Target" = "Target"
"Actual" = "Actual"
"Polarity" = "Direction"
# no dataset field, kept as context: "RAG" (left empty by the performance team)
'''
open(manifest, "w", encoding="utf-8").write(text)
print(f"wrote indicator_return.csv ({len(rows)} rows), kpi_return.xlsx and kpi_return.csv ({len(kpis)} rows); pipeline.toml updated")
