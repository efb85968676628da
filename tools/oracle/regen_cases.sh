#!/usr/bin/env bash
# Regenerates the committed cases (deterministic: the same files every time).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export PYTHONDONTWRITEBYTECODE=1
python3 "$here/generate.py" --seed 1 --out "$here/cases/gen-a" --days 2 --scale 0.9
python3 "$here/generate.py" --seed 2 --out "$here/cases/gen-b" --days 1 --scale 0.18 --sets 3
