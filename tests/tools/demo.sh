#!/bin/sh
# make demo: cwdemux on the bundled sample job. The live CloudWatch demo
# replaces this once cwdemux reads CloudWatch itself.
set -e
d=$(mktemp -d "${TMPDIR:-/tmp}/cwdemux-demo.XXXXXX")
trap 'rm -rf "$d"' EXIT INT TERM
python3 tests/tools/samples2tree.py "$d" >/dev/null
rm -f "$d/truth.json" "$d/truth.events.jsonl"
echo "== cwdemux --from $d (the sample job: data_group = algo-1, algo-3; train_group = algo-2)"
./cwdemux --from "$d" --timestamps
echo "== only train_group: cwdemux --from DIR | grep '^train_group '"
./cwdemux --from "$d" | grep '^train_group ' | head -5
echo "== per-group files: cwdemux --from DIR --export DIR/out"
./cwdemux --from "$d" --export "$d/out"
ls -l "$d/out"
