# Shared by the tests that follow a live job (after moto.sh and proxy.sh):
# the cwdemux and simulator processes a test starts, stopped by stop_all
# (with the proxy), also on exit.
#   . tests/integ/lib/live.sh; ...; CW_PID=$!; ...; stop_all

CW_PID="" SIM_PID=""

stop_all() {
	stop_pids $CW_PID $SIM_PID
	CW_PID="" SIM_PID=""
	proxy_stop
}
at_exit stop_all
