#!/usr/bin/env python3
"""The same 300 MPI rows as CSV (as the demo extract has them) and as an XLSX written by openpyxl,
with birth dates as real Excel dates and NHS numbers as text, the way a trust's spreadsheet holds them.
Run from the repository root: python3 Tests/MHDQTests/Fixtures/equivalence/make_fixtures.py"""
import csv, datetime, os
import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))
with open("Samples/demo/mpi.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))[:301]
with open(os.path.join(HERE, "mpi.csv"), "w", newline="", encoding="utf-8") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Patients"
header = rows[0]
ws.append(header)
dob = header.index("DOB")
for r in rows[1:]:
    out = list(r)
    try:
        d, m, y = map(int, r[dob].split("/"))
        out[dob] = datetime.date(y, m, d)
    except (ValueError, IndexError):
        pass  # malformed dates stay text, as a spreadsheet would keep them
    out = [None if v == "" else v for v in out]
    ws.append(out)
    if isinstance(out[dob], datetime.date):
        ws.cell(row=ws.max_row, column=dob + 1).number_format = "dd/mm/yyyy"
wb.save(os.path.join(HERE, "mpi.xlsx"))
