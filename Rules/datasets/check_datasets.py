#!/usr/bin/env python3
"""Check Rules/datasets/*.toml and Rules/codes/*.csv.

- every dataset file parses (tomllib) and has the expected keys and value types;
- every XML element named in the v6.0 validation rules CSV for the table
  (excluding group-rule rows whose element name is the table name) is a field;
- fields are in v6 order: the order in which elements first appear in the rules CSV
  (the flat files mhdq run writes take their column order from here);
- `identifier`, when given, is a boolean;
- key/group fields exist; field names are unique;
- every `codes` names an existing Rules/codes/<codes>.csv;
- a type = "code" field without `codes` must say why in `note`;
- every code list has the exact header `code,description,aliases`, no blank
  and no duplicate codes.

Usage: python3 Rules/datasets/check_datasets.py [path/to/validation_rules_v6.0.csv]
"""
import csv, sys, tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODES = HERE.parent / "codes"
RULES = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/reference/mhsds-v6/validation_rules_v6.0.csv")
TABLES = ["MHS000Header", "MHS001MPI", "MHS002GP", "MHS003AccommStatus", "MHS004EmpStatus",
          "MHS101Referral", "MHS102OtherServiceType", "MHS201CareContact"]
TYPES = {"text", "code", "date", "time", "datetime", "integer", "decimal", "period", "amount"}
MAND = {"M", "R", "O"}
errors = []

def err(msg): errors.append(msg)

# code lists
code_lists = {}
for p in sorted(CODES.glob("*.csv")):
    with open(p, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != ["code", "description", "aliases"]:
        err(f"{p.name}: header must be exactly code,description,aliases (got {rows[:1]})"); continue
    seen = set()
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != 3: err(f"{p.name}:{i}: expected 3 columns, got {len(r)}"); continue
        c = r[0]
        if not c.strip() or c != c.strip(): err(f"{p.name}:{i}: blank or padded code {c!r}")
        if c in seen: err(f"{p.name}:{i}: duplicate code {c!r}")
        if not r[1].strip(): err(f"{p.name}:{i}: empty description for {c!r}")
        seen.add(c)
    if not seen: err(f"{p.name}: no codes")
    code_lists[p.stem] = seen

# rules CSV elements per table
with open(RULES, encoding="utf-8-sig", newline="") as f:
    rules = list(csv.DictReader(f))
expected = {t: {r["XML ELEMENT NAME"] for r in rules if r["Table"] == t and r["XML ELEMENT NAME"] != t} for t in TABLES}
first_seen = {t: [] for t in TABLES}
for r in rules:
    t, e = r["Table"], r["XML ELEMENT NAME"]
    if t in first_seen and e != t and e not in first_seen[t]:
        first_seen[t].append(e)

for t in TABLES:
    p = HERE / f"{t}.toml"
    if not p.exists(): err(f"missing {p.name}"); continue
    try:
        d = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        err(f"{p.name}: TOML error {e}"); continue
    if d.get("table") != t: err(f"{p.name}: table = {d.get('table')!r}")
    for k in ("code", "title"):
        if not isinstance(d.get(k), str) or not d[k]: err(f"{p.name}: missing {k}")
    fields = d.get("field", [])
    names = [f.get("name") for f in fields]
    if len(names) != len(set(names)): err(f"{p.name}: duplicate field names")
    for k in ("key", "group"):
        v = d.get(k)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v): err(f"{p.name}: {k} must be an array of strings")
        else:
            for x in v:
                if x not in names: err(f"{p.name}: {k} field {x!r} is not a field")
    for name in sorted(expected[t] - set(names)): err(f"{p.name}: rules CSV element {name!r} missing")
    in_rules = [n for n in names if n in first_seen[t]]
    if in_rules != first_seen[t]: err(f"{p.name}: fields are not in v6 order (first appearance in the rules CSV): {first_seen[t]}")
    for fd in fields:
        n = fd.get("name", "?")
        for k in ("name", "item", "data_item", "format", "type", "mandatory"):
            if not isinstance(fd.get(k), str) or not fd[k]: err(f"{p.name}:{n}: missing {k}")
        if not isinstance(fd.get("identifier", False), bool): err(f"{p.name}:{n}: identifier must be true or false")
        if fd.get("type") not in TYPES: err(f"{p.name}:{n}: bad type {fd.get('type')!r}")
        if fd.get("mandatory") not in MAND: err(f"{p.name}:{n}: bad mandatory {fd.get('mandatory')!r}")
        if not isinstance(fd.get("aliases", []), list) or len(fd.get("aliases", [])) > 6: err(f"{p.name}:{n}: aliases must be a list of 0-6 strings")
        c = fd.get("codes")
        if c is not None:
            if fd.get("type") not in ("code", "amount"): err(f"{p.name}:{n}: codes given but type is {fd.get('type')!r}")
            if c not in code_lists: err(f"{p.name}:{n}: codes {c!r} has no Rules/codes/{c}.csv")
        elif fd.get("type") == "code" and not fd.get("note"):
            err(f"{p.name}:{n}: type code without codes must explain in note")
        if fd.get("type") == "date" and not fd.get("format", "").startswith("an10"): err(f"{p.name}:{n}: date format should be an10 CCYY-MM-DD")

if errors:
    print("\n".join(errors)); print(f"FAILED: {len(errors)} problem(s)"); sys.exit(1)
print(f"OK: {len(TABLES)} dataset files, {len(code_lists)} code lists")
