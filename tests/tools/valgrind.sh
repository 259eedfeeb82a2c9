#!/bin/sh
# make valgrind: the unit tests, the rule tests and offline runs of every
# output (the reference samples, a generated job with hostile bytes, the
# hostile catalogue, gzip input) under valgrind's memcheck. Any leak or
# invalid access fails the run. Slow, so not part of make check.
#
# Environment: BUILD (build directory), CWDEMUX (the binary).

BUILD=${BUILD:-build}
CWDEMUX=${CWDEMUX:-$PWD/$BUILD/cwdemux}
PY=${PYTHON:-python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/cwdemux-valgrind.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
pass=0 fail=0

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind is not installed (apt-get install valgrind)" >&2
	exit 1
fi

# vg NAME CMD...: CMD under memcheck, its output thrown away. (Rules run
# interpreted there: see UNDER_VALGRIND in src/rules.c.)
vg() {
	_name=$1
	shift
	valgrind -q --error-exitcode=99 --leak-check=full --num-callers=40 \
	    --show-leak-kinds=definite,indirect,possible \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    --log-file="$T/vg.log" "$@" >/dev/null 2>"$T/stderr"
	# The exit status is the program's own (some runs fail on purpose);
	# memcheck's findings are in its log.
	if [ $? -ne 99 ] && [ ! -s "$T/vg.log" ]; then
		pass=$((pass + 1))
		echo "ok   $_name"
	else
		fail=$((fail + 1))
		echo "FAIL $_name"
		head -40 "$T/vg.log"
	fi
}

for t in "$BUILD"/tests/test_*; do
	vg "unit $(basename "$t")" "$t"
done
vg "rule tests" "$BUILD"/tools/ruletest tests/rules/*.test

JOB=hetero-pt-2024-06-01-12-00-00-123
$PY tests/tools/samples2tree.py "$T/exp" >/dev/null
vg "samples: lines" "$CWDEMUX" --from "$T/exp" "$JOB"
vg "samples: json" "$CWDEMUX" --from "$T/exp" --output json "$JOB"
vg "samples: export" "$CWDEMUX" --from "$T/exp" --export "$T/x1" "$JOB"

$PY tests/tools/genjob.py "$T/gen" --hosts 6 --lines-per-host 400 --seed 5 \
    --mpi-workers >/dev/null
GJOB=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' "$T/gen/truth.json")
vg "generated job: lines, times, colour" "$CWDEMUX" --from "$T/gen" \
    --timestamps --color=always "$GJOB"
vg "generated job: json and export" "$CWDEMUX" --from "$T/gen" \
    --output json --export "$T/x2" "$GJOB"
vg "generated job: small hold limit" "$CWDEMUX" --from "$T/gen" \
    --hold-limit 64K "$GJOB"

# The hostile catalogue, gzip-compressed, one stream a case.
$PY - tests/data/hostile "$T/hostile" <<'PYEOF'
import gzip, os, sys
src, dst = sys.argv[1:3]
for i, name in enumerate(sorted(n for n in os.listdir(src) if n.endswith(".txt")), 1):
    d = os.path.join(dst, "j", "algo-%d-1700000000" % i)
    os.makedirs(d)
    msg = open(os.path.join(src, name), "rb").read()
    with gzip.open(os.path.join(d, "000000.gz"), "wb") as f:
        f.write(b"2024-06-01T00:00:00.000Z SM_CURRENT_INSTANCE_GROUP=g\n")
        f.write(b"2024-06-01T00:00:01.000Z " + msg + b"\n")
PYEOF
vg "hostile catalogue (gzip): lines, colour" "$CWDEMUX" --from "$T/hostile" --color=always j
vg "hostile catalogue (gzip): json and export" "$CWDEMUX" --from "$T/hostile" \
    --output json --export "$T/x3" j
printf 'marker ^(?<group>(a+)+)$\n' >"$T/evil.rules"
vg "catastrophic rule" "$CWDEMUX" --from "$T/hostile" --rules "$T/evil.rules" j
vg "bad rule file" "$CWDEMUX" --from "$T/exp" --rules /nonexistent j
vg "failing export" "$CWDEMUX" --from "$T/exp" --export /proc/cwdemux "$JOB"

echo "# valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
