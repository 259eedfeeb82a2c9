# Start and stop the AWS-behaviour proxy (tests/tools/faultproxy.py) in
# front of moto, for one test script (after moto.sh's moto_start).
#   . tests/integ/lib/proxy.sh; proxy_start [faultproxy options]; ... "$PROXY_URL"
# The port is chosen by the proxy and read from its first line of output
# through a FIFO, so no test sleeps; proxy_stop (also on exit) ends it.

PROXY_PID=""

proxy_stop() {
	stop_pids $PROXY_PID
	PROXY_PID=""
}
at_exit proxy_stop

proxy_start() {
	proxy_stop
	rm -f "$T/proxy.fifo"
	mkfifo "$T/proxy.fifo"
	$PY tests/tools/faultproxy.py --upstream "$MOTO_URL" --port 0 \
	    --log "$T/proxy.log" "$@" >"$T/proxy.fifo" &
	PROXY_PID=$!
	read -r _word PROXY_PORT <"$T/proxy.fifo"
	PROXY_URL="http://127.0.0.1:$PROXY_PORT"
}

# proxy_stat COUNTER: a counter of /proxy-control/stats, summed over calls.
proxy_stat() {
	curl -s "$PROXY_URL/proxy-control/stats" | $PY -c \
	    'import json,sys; print(sum(v.get(sys.argv[1], 0) for v in json.load(sys.stdin).values()))' "$1"
}
