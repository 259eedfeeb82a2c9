# Shared by the integration tests: a private temp dir, one clean-up list
# run on exit (cleanup.sh: at_exit, stop_pids), ok/fail counters and the
# summary line tests/run adds up.
#   . tests/integ/lib/setup.sh; ...; check "name" cmd...; ...; finish
# The other helpers of tests/integ/lib/ (moto.sh, proxy.sh, live.sh) are
# sourced after this one. Helpers live in lib/, out of the reach of
# tests/run's tests/integ/*.sh.

: "${CWDEMUX:?set CWDEMUX to the binary}"
: "${TOP:=$PWD}"
NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/cwdemux-$NAME.XXXXXX")
PASSED=0
FAILED=0
PY=${PYTHON:-python3}
. tests/integ/lib/cleanup.sh

# wait_for FILE [SECONDS]: until the file exists (at most 60 s), polled.
wait_for() {
	_n=$(( ${2:-60} * 10 ))
	while [ "$_n" -gt 0 ]; do
		[ -e "$1" ] && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

ok() {
	PASSED=$((PASSED + 1))
}

fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL integ/$NAME: $*"
}

# check NAME CMD...: passes when CMD exits 0.
check() {
	_name=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		ok
	else
		fail "$_name"
		sed 's/^/    /' "$T/check.out" | head -20
	fi
}

# same NAME GOT WANT: the two files are equal.
same() {
	if cmp -s "$2" "$3"; then
		ok
	else
		fail "$1: $2 differs from $3"
		diff -u "$3" "$2" | head -20 | sed 's/^/    /'
	fi
}

# status NAME WANT CMD...: CMD exits with status WANT.
status() {
	_name=$1
	_want=$2
	shift 2
	"$@" >"$T/status.out" 2>"$T/status.err"
	_got=$?
	if [ "$_got" -eq "$_want" ]; then
		ok
	else
		fail "$_name: exit status $_got, want $_want"
		sed 's/^/    /' "$T/status.err" | head -10
	fi
}

# contains NAME FILE TEXT: FILE holds TEXT (a fixed string).
contains() {
	if grep -qF -- "$3" "$2"; then
		ok
	else
		fail "$1: no \"$3\" in $2"
		sed 's/^/    /' "$2" | head -10
	fi
}

finish() {
	echo "# integ $NAME: $PASSED passed, $FAILED failed"
	# A non-zero exit is kept for a script that died before this line.
	return 0
}
