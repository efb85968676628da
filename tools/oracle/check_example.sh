#!/usr/bin/env bash
# Runs the oracle on the worked example and compares with its expected final alerts
# (JSON-normalised and sorted) and with its 15 dead letters. Exit 0 when both match.
# Usage: tools/oracle/check_example.sh [EXAMPLE_DIR]   (default: the project's examples/small)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ex="${1:-$here/../../examples/small}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
PYTHONDONTWRITEBYTECODE=1 python3 "$here/oracle.py" --in "$ex/in" --out "$tmp/got.jsonl" 2> "$tmp/stderr"
cat "$tmp/stderr" >&2
norm() { python3 -c 'import json,sys
for l in sys.stdin:
    if l.strip(): print(json.dumps(json.loads(l), sort_keys=True, ensure_ascii=False))' | LC_ALL=C sort; }
norm < "$ex/expected-final-alerts.jsonl" > "$tmp/want.norm"
norm < "$tmp/got.jsonl" > "$tmp/got.norm"
status=0
if diff -u "$tmp/want.norm" "$tmp/got.norm"; then
  echo "final alerts: identical ($(wc -l < "$tmp/got.norm") alerts)"
else
  echo "final alerts: DIFFERENT" >&2; status=1
fi
if LC_ALL=C sort "$ex/expected-final-alerts.jsonl" | cmp -s - "$tmp/got.jsonl"; then
  echo "byte-for-byte identical to the sorted expected file"
fi
dead="$(sed -n 's/^dead letters: \([0-9]*\).*/\1/p' "$tmp/stderr")"
if [ "$dead" = "15" ]; then echo "dead letters: 15 (as expected)"; else echo "dead letters: $dead, expected 15" >&2; status=1; fi
exit $status
