#!/bin/sh
# The documentation's examples, run as written, so that they cannot drift
# from the program: the EXAMPLES of cwdemux(1) and the README's marked
# shell blocks (tests/tools/docexamples.py extracts them, with the exit
# status and the text each must give). They run one after another in one
# directory, as a reader would type them, against a private moto server
# holding the job they name (in two Regions, for the --profile example),
# with logs/ holding the same job on disk and a ~/.aws with a profile
# "dev". Two things differ from a reader's shell: the emulator's port
# 5000 of the examples is moto's port here, and "cwdemux" is a wrapper
# that adds --grace 1s, so that following a job that has ended takes a
# second rather than the default 20.
. tests/integ/lib/setup.sh
. tests/integ/lib/moto.sh
moto_start
JOB=hetero-pt-2024-06-01-12-00-00-123

# The job: started four minutes ago (--since 10m must see it; moto keeps
# only recent events), three hosts in two groups, algo-2 fails.
start=$($PY -c 'import time; print(int(time.time() * 1000) - 240000)')
$PY tests/tools/genjob.py --job "$JOB" --start-ms "$start" \
    --lines-per-host 120 --seed 2 --fail algo-2 "$T/gen" >/dev/null
check "the job loads (us-east-1)" $PY tests/tools/loadjob.py "$MOTO_URL" "$T/gen"
check "the job loads (eu-west-1)" $PY tests/tools/loadjob.py \
    --region eu-west-1 "$MOTO_URL" "$T/gen"
# On disk only, beside it: an MPI job whose rank 11 runs out of memory on
# algo-3 (mpirun --host algo-1:8,algo-3:8).
$PY tests/tools/genjob.py --job mpi-pt-2024-06-01-12-00-00-456 --seed 6 \
    --groups data_group:ml.c5.18xlarge:1,train_group:ml.p3dn.24xlarge:2 \
    --mpi-workers --fail-rank 11 --lines-per-host 200 "$T/gen" >/dev/null

mkdir -p "$T/home/.aws" "$T/bin"
printf '[profile dev]\nregion = eu-west-1\n' >"$T/home/.aws/config"
printf '[dev]\naws_access_key_id = testing\naws_secret_access_key = testing\n' \
    >"$T/home/.aws/credentials"
printf '#!/bin/sh\nexec "%s" --grace 1s "$@"\n' "$CWDEMUX" >"$T/bin/cwdemux"
chmod +x "$T/bin/cwdemux"

# run DOC: every example of DOC, in a fresh directory.
run() {
	_doc=$1
	_ex=$T/ex-$(basename "$_doc")
	_dir=$T/run-$(basename "$_doc")
	if ! _n=$($PY tests/tools/docexamples.py "$_doc" "$_ex" 2>"$T/ex.err"); then
		fail "$_doc: $(cat "$T/ex.err")"
		return
	fi
	check "$_doc has examples ($_n)" test "$_n" -gt 0
	[ "$_n" -gt 0 ] || return
	mkdir "$_dir"
	cp -R "$T/gen" "$_dir/logs"
	rm -f "$_dir/logs/truth.json" "$_dir/logs/truth.events.jsonl"
	cp "$_ex"/files/* "$_dir/" 2>/dev/null
	for _sh in "$_ex"/[0-9]*.sh; do
		_b=${_sh%.sh}
		_where=$(cat "$_b.where")
		sed "s/127\.0\.0\.1:5000/127.0.0.1:$MOTO_PORT/g" "$_sh" >"$_b.run"
		(cd "$_dir" && env -i PATH="$T/bin:$PATH" HOME="$T/home" \
		    LANG=C.UTF-8 AWS_ENDPOINT_URL="$MOTO_URL" \
		    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
		    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
		    timeout 60 sh "$_b.run") >"$_b.out" 2>&1 </dev/null
		_rc=$?
		_want=$(cat "$_b.status")
		_text=$(cat "$_b.text")
		if [ "$_rc" -ne "$_want" ]; then
			fail "$_where: exit status $_rc, want $_want: $(head -1 "$_sh")"
			sed 's/^/    /' "$_b.out" | head -10
		elif [ -n "$_text" ] && ! grep -qF -- "$_text" "$_b.out"; then
			fail "$_where: no \"$_text\" in the output of: $(head -1 "$_sh")"
			sed 's/^/    /' "$_b.out" | head -10
		else
			ok
		fi
	done
}

# --help lists every option, grouped, in two screens at most, and sends
# the reader to the man page, whose OPTIONS describe every option too;
# --version.
"$CWDEMUX" --help >"$T/help" 2>&1
check "--help: exit 0, at most 48 lines of at most 80 columns" test $? -eq 0 \
    -a "$(wc -l <"$T/help")" -le 48 -a "$(awk 'length > 80' "$T/help" | wc -l)" -eq 0
contains "--help names the man page" "$T/help" "man cwdemux"
sed -n 's/^ *{"\([a-z-]*\)", [a-z_]*, NULL, OPT_.*/\1/p' src/cli.c >"$T/options"
check "the option table is read" test "$(wc -l <"$T/options")" -ge 40
for _o in $(cat "$T/options"); do
	check "--help lists --$_o" grep -q -- "--$_o\\b" "$T/help"
	check "cwdemux(1) describes --$_o" grep -q "^\\.It Fl .*-$_o\\( \\|$\\)" man/cwdemux.1
done
# The other way: each option cwdemux(1) describes is one cli.c knows.
for _o in $(grep '^\.It Fl ' man/cwdemux.1 | grep -o 'Fl -[a-z][a-z-]*' |
    sed 's/^Fl -//' | sort -u); do
	check "cwdemux(1)'s --$_o is an option" grep -qx -- "$_o" "$T/options"
done
# Short options: cli.c's table of them, each in --help and cwdemux(1)
# beside its long option.
sed -n 's/^ *{'"'"'\(.\)'"'"', OPT_\([A-Z_]*\)},$/\1 \2/p' src/cli.c >"$T/shorts"
check "the short option table is read" test "$(wc -l <"$T/shorts")" -ge 9
while read -r _c _opt; do
	_o=$(echo "$_opt" | tr 'A-Z_' 'a-z-')
	check "--help lists -$_c with --$_o" grep -q -- "-$_c, --$_o\b" "$T/help"
	check "cwdemux(1) describes -$_c with --$_o" \
	    grep -q "^\.It Fl $_c\( Ar [a-z]*\| Cm .*\)\{0,1\} , Fl -$_o\( \|$\)" man/cwdemux.1
done <"$T/shorts"
check "--version: the version" sh -c \
    '"$1" --version | grep -qx "cwdemux [0-9][0-9.]*"' sh "$CWDEMUX"

run man/cwdemux.1
run README.md

[ -n "${KEEP:-}" ] && cp -R "$T" "$KEEP"
finish
