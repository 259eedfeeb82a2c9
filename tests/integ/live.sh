# Shared by the tests that follow a live job (after moto.sh and proxy.sh):
# the cwdemux and simulator processes a test starts, stopped by stop_all
# (with the proxy), and wait_for, a bounded wait for a file to appear.
#   . tests/integ/live.sh; ...; CW_PID=$!; ...; stop_all

CW_PID="" SIM_PID=""

stop_all() {
	for pid in $CW_PID $SIM_PID; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	CW_PID="" SIM_PID=""
	proxy_stop
}

# wait_for FILE: until the file exists (at most 60 s).
wait_for() {
	for _i in $(seq 600); do
		[ -e "$1" ] && return 0
		$PY -c 'import time; time.sleep(0.1)'
	done
	return 1
}
