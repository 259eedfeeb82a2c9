# One clean-up list for a test script (or a benchmark, or the demo), run
# on exit however the script ends. Source it once $T (the script's private
# temp dir) is set; setup.sh does, for every integration test.
#   . tests/integ/lib/cleanup.sh; ...; cmd & PID=$!; at_exit "stop_pids \$PID"

# at_exit CMD: run CMD (a shell command) when the script exits. Clean-ups
# run last registered first, the reverse of the order in which what they
# undo was set up; then $T is removed (unless KEEP_T is set). This is the
# only EXIT trap: a script registers here rather than setting its own.
_AT_EXIT=""
at_exit() {
	_AT_EXIT="$1${_AT_EXIT:+; $_AT_EXIT}"
}

_run_at_exit() {
	eval "$_AT_EXIT"
	[ -n "${KEEP_T:-}" ] || rm -rf "$T"
}
trap _run_at_exit EXIT
trap 'exit 130' INT TERM

# stop_pids PID...: end each process the script started (if it still runs)
# and reap it. The one stop function every helper uses.
stop_pids() {
	for _pid in "$@"; do
		kill "$_pid" 2>/dev/null
		wait "$_pid" 2>/dev/null
	done
	return 0
}
