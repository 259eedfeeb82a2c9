#!/bin/sh
# The event-stream framing of Live Tail, with botocore as the oracle:
# random streams (every header type, broken and cut ones too) decoded by
# the program's decoder (tests/tools/esdump) and by botocore must read
# alike; and botocore's own start_live_tail against the fault proxy's
# StartLiveTail reads back every event, sampling, the quota, refusals and
# every way a session ends (tests/tools/livetailcheck.py).
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh

mkdir "$T/es"
check "random streams made" $PY tests/tools/escheck.py 1 60 "$T/es"
seed=1
while [ "$seed" -le 60 ]; do
	"$BUILD/tools/esdump" "$seed" <"$T/es/$seed.bin" >"$T/es/$seed.got" 2>/dev/null
	same "decoder equals botocore, seed $seed" "$T/es/$seed.got" "$T/es/$seed.want"
	seed=$((seed + 1))
done

moto_start
. tests/integ/lib/proxy.sh
proxy_start
$PY tests/tools/livetailcheck.py "$PROXY_URL" >"$T/live.out" 2>&1
while read -r word rest; do
	case $word in
	ok) ok ;;
	FAIL) fail "botocore start_live_tail: $rest" ;;
	esac
done <"$T/live.out"
contains "botocore start_live_tail ran to its end" "$T/live.out" " 0 failed"
finish
