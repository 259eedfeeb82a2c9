# Start and stop a private moto server for one test script.
#   . tests/integ/lib/moto.sh; moto_start; ... "$MOTO_URL" ...
# The port is chosen free at run time; the server is bound to 127.0.0.1 and
# is stopped on exit (moto_stop, registered with at_exit).

MOTO_PID=""

moto_stop() {
	stop_pids $MOTO_PID
	MOTO_PID=""
}
at_exit moto_stop

moto_start() {
	_tries=0
	while :; do
		MOTO_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		$PY -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$T/moto.log" 2>&1 &
		MOTO_PID=$!
		# Ready when it answers; give up after about 20 s.
		if $PY - "$MOTO_PORT" <<'PYEOF'
import sys, time, urllib.request
url = "http://127.0.0.1:%s/moto-api/" % sys.argv[1]
for _ in range(200):
    try:
        urllib.request.urlopen(url, timeout=1).read()
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PYEOF
		then
			break
		fi
		moto_stop
		_tries=$((_tries + 1))
		if [ "$_tries" -ge 3 ]; then
			echo "moto did not start:" >&2
			cat "$T/moto.log" >&2
			return 1
		fi
	done
	MOTO_URL="http://127.0.0.1:$MOTO_PORT"
	export MOTO_URL MOTO_PORT
}
