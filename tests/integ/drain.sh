#!/bin/sh
# A drain (--no-follow) of a job of 1,000 streams, read from moto through
# the proxy (AWS's stream-prefix filter and 1 MB pages): every event once,
# in time order, in a few FilterLogEvents calls. The job is made here
# (four events a stream, no host markers: genjob.py's start-up dump lists
# every host in every stream, too big at 1,000), so the groups are not
# checked, only the events.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh
. tests/integ/lib/proxy.sh

START=$(( $(date +%s) * 1000 - 3600 * 1000 ))
JOB=drain-1000-$(date +%s)
mkdir "$T/gen" "$T/home"
$PY - "$T/gen" "$JOB" "$START" <<'PYEOF'
import base64, json, os, sys
out, job, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
hosts = ["algo-%d" % (i + 1) for i in range(1000)]
streams = {"%s/%s-%d" % (job, h, start // 1000): h for h in hosts}
with open(os.path.join(out, "truth.events.jsonl"), "w") as f:
    for n, (s, h) in enumerate(streams.items()):
        for k in range(4):
            msg = "%s step %d of 4, stream %d" % (h, k + 1, n)
            f.write(json.dumps({"stream": s, "host": h, "group": "data_group",
                                "timestamp": start + k * 60000 + n,
                                "message_b64": base64.b64encode(msg.encode()).decode()}) + "\n")
json.dump({"job": job, "groups": {"data_group": {"instance_type": "ml.c5.xlarge", "hosts": hosts}},
           "hosts": {h: "data_group" for h in hosts}, "streams": streams,
           "events": 4000, "lines": 4000, "scenario": {"layout": "drain.sh"}},
          open(os.path.join(out, "truth.json"), "w"))
PYEOF
moto_start
$PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen" >/dev/null
proxy_start --prefix-fix --page-cap 1048576 \
    --job-times "$START,$((START + 180000 + 999))"
env -i PATH="$PATH" HOME="$T/home" AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    "$CWDEMUX" --no-follow --output json --region us-east-1 \
    --endpoint-url "$PROXY_URL" "$JOB" >"$T/out.jsonl" 2>"$T/err"
check "1,000 streams: exit 0" test $? -eq 0
check "1,000 streams: every event once, in time order" \
    $PY tests/tools/checktruth.py --any-group "$T/gen" "$T/out.jsonl"
# Three queries over thirds of the job's time, each a page or two.
check "1,000 streams: at most 8 FilterLogEvents calls" \
    test "$(curl -s "$PROXY_URL/proxy-control/stats" | $PY -c 'import json,sys; print(json.load(sys.stdin)["FilterLogEvents"]["requests"])')" -le 8

finish
