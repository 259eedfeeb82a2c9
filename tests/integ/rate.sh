#!/bin/sh
# The adaptive request rate (src/budget.c), against botocore's adaptive
# retry mode as the oracle and against a simulated account quota; no
# server needed (tests/tools/rateoracle.py drives tools/ratetrace).
. tests/integ/lib/setup.sh

RT=$TOP/$BUILD/tools/ratetrace
check "the rate equals botocore's adaptive mode after every answer" \
    $PY tests/tools/rateoracle.py "$RT" oracle
check "a 5/s quota with 10% random throttling: >= 80% used, never far above" \
    $PY tests/tools/rateoracle.py "$RT" quota
check "throttling stops: back at the ceiling within a minute, never above" \
    $PY tests/tools/rateoracle.py "$RT" recover

finish
