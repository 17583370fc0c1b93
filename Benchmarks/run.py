#!/usr/bin/env python3
"""Runs every Benchmarks/*_bench.py in name order (make bench). Each script prints its own report."""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    scripts = sorted(glob.glob(os.path.join(HERE, "*_bench.py")))
    if not scripts:
        print("no Benchmarks/*_bench.py found")
        return 1
    failed = []
    for script in scripts:
        print(f"== {os.path.basename(script)}", flush=True)
        if subprocess.call([sys.executable, script] + sys.argv[1:], cwd=os.path.dirname(HERE)) != 0:
            failed.append(os.path.basename(script))
        print(flush=True)
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
