#!/usr/bin/env bash
# Regenerates the demo extracts and manifest in this folder (deterministic: same bytes every time).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release >/dev/null
.build/release/mhdq generate --out Samples/demo --patients 2000 --seed 42 --period 2026-09 --provider RX4
# The aggregate returns (ASCOF indicator return, KPI return workbook) and their sources in pipeline.toml.
python3 Samples/demo/make_returns.py
