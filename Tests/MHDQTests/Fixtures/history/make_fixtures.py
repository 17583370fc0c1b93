#!/usr/bin/env python3
"""Fixtures for the run-history tests (Tests/MHDQTests/History). Run from this folder: python3 make_fixtures.py

mpi-run1.csv .. mpi-run3.csv: one MPI extract on three consecutive nights, with records fixed, broken and added
(the expected new / persisting / resolved sets are spelled out in FindingStatusTests.swift):

  patient  night 1  night 2  night 3
  P1       A        (blank)  (blank)   broken on night 2, still broken
  P2       (blank)  A        (blank)   fixed on night 2, broken again on night 3 (a new episode)
  P3       X        X        B         invalid until fixed on night 3
  P4       99       99       99        not known throughout
  P5       Z        Z        A         not stated until night 3
  P6       -        Q        Q         added on night 2, invalid
  P7       -        -        (blank)   added on night 3, missing

history-v1.sqlite: a history database in schema version 1 (before per-run status counts and rule titles) holding
nights 1 and 2 of the extracts above as mhdq would have recorded them, with fingerprints computed the way
FindingFingerprint does (salted SHA-256 over rule, table, record key and field, first 16 bytes).
"""
import hashlib
import os
import sqlite3

NIGHTS = [
    [("P1", "A"), ("P2", ""), ("P3", "X"), ("P4", "99"), ("P5", "Z")],
    [("P1", ""), ("P2", "A"), ("P3", "X"), ("P4", "99"), ("P5", "Z"), ("P6", "Q")],
    [("P1", ""), ("P2", ""), ("P3", "B"), ("P4", "99"), ("P5", "A"), ("P6", "Q"), ("P7", "")],
]

for i, rows in enumerate(NIGHTS, start=1):
    with open(f"mpi-run{i}.csv", "w", newline="") as f:
        f.write("LocalPatientID,EthnicCategory\n")
        for key, code in rows:
            f.write(f"{key},{code}\n")

# Schema version 1, as HistorySchema.migrations[0] creates it.
V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL UNIQUE, pipeline TEXT NOT NULL, started TEXT NOT NULL,
    finished TEXT NOT NULL, manifest TEXT NOT NULL, manifest_sha256 TEXT NOT NULL, period TEXT NOT NULL,
    tool_version TEXT NOT NULL, exit_code INTEGER NOT NULL, findings INTEGER NOT NULL, failing INTEGER NOT NULL);
CREATE TABLE run_inputs (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, table_name TEXT NOT NULL,
    file TEXT NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL);
CREATE INDEX run_inputs_run ON run_inputs(run);
CREATE TABLE run_tables (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, table_name TEXT NOT NULL,
    rows_read INTEGER NOT NULL, rows_exported INTEGER NOT NULL, rows_rejected INTEGER NOT NULL,
    PRIMARY KEY (run, table_name)) WITHOUT ROWID;
CREATE TABLE run_packs (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, pack TEXT NOT NULL,
    version TEXT NOT NULL, PRIMARY KEY (run, pack)) WITHOUT ROWID;
CREATE TABLE metrics (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, rule_id TEXT NOT NULL,
    grp TEXT NOT NULL, period TEXT NOT NULL, value REAL, numerator REAL, denominator REAL, status TEXT NOT NULL,
    PRIMARY KEY (rule_id, grp, period, run)) WITHOUT ROWID;
CREATE INDEX metrics_run ON metrics(run);
CREATE TABLE findings (fingerprint BLOB NOT NULL, first_run INTEGER NOT NULL, last_run INTEGER NOT NULL,
    first_seen TEXT NOT NULL, rule_id TEXT NOT NULL, table_name TEXT NOT NULL, record_key TEXT NOT NULL,
    field TEXT NOT NULL, grp TEXT NOT NULL, severity TEXT NOT NULL, PRIMARY KEY (fingerprint, first_run)) WITHOUT ROWID;
CREATE INDEX findings_last_run ON findings(last_run);
PRAGMA user_version = 1;
"""

SALT = bytes.fromhex("00112233445566778899aabbccddeeff")


def fingerprint(rule, table, key, field):
    return hashlib.sha256(SALT + "\x1f".join([rule, table, key, field]).encode()).digest()[:16]


# The ethnicity pack's findings for nights 1 and 2 (provider RX1): (rule, key, field, severity).
def findings(rows):
    out = []
    classes = {"": ("ETH001", "Warning"), "X": ("ETH002", "Warning"), "Q": ("ETH002", "Warning"),
               "99": ("ETH003", "Info"), "Z": ("ETH004", "Info")}
    for key, code in rows:
        if code in classes:
            rule, severity = classes[code]
            out.append((rule, key, "EthnicCategory", severity))
    out.append(("ETH010", "RX1", "", "Fail"))
    out.append(("ETH013", "RX1", "", "Fail"))
    return out


path = "history-v1.sqlite"
if os.path.exists(path):
    os.remove(path)
db = sqlite3.connect(path)
db.executescript(V1)
db.execute("INSERT INTO meta VALUES ('fingerprint_salt', ?)", (SALT.hex(),))
started = ["2026-01-05T02:00:00Z", "2026-01-06T02:00:00Z"]
open_episodes = {}  # fingerprint -> first_run
for night in (1, 2):
    rows = NIGHTS[night - 1]
    found = findings(rows)
    failing = sum(1 for f in found if f[3] == "Fail")
    db.execute("INSERT INTO runs VALUES (?, ?, 'fixture', ?, ?, 'pipeline.toml', '', '2026-09', '0.1.0', ?, ?, ?)",
               (night, f"night{night}", started[night - 1], started[night - 1], 1 if failing else 0, len(found), failing))
    valid = sum(1 for _, c in rows if c[:1] in "ABCDEFGHJKLMNPRS" and c)
    db.execute("INSERT INTO metrics VALUES (?, 'ETH010', 'RX1', '2026-09', ?, ?, ?, 'fail')",
               (night, valid / len(rows), valid, len(rows)))
    still_open = {}
    for rule, key, field, severity in found:
        fp = fingerprint(rule, "MHS001MPI", key, field)
        if fp in open_episodes:
            db.execute("UPDATE findings SET last_run = ? WHERE fingerprint = ? AND first_run = ?",
                       (night, fp, open_episodes[fp]))
            still_open[fp] = open_episodes[fp]
        else:
            db.execute("INSERT INTO findings VALUES (?, ?, ?, ?, ?, 'MHS001MPI', ?, ?, ?, ?)",
                       (fp, night, night, started[night - 1], rule, key, field, "RX1" if field == "" else "", severity))
            still_open[fp] = night
    open_episodes = still_open
db.commit()
db.execute("VACUUM")
db.close()
