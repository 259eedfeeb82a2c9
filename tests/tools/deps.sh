#!/bin/sh
# make deps: install the Debian packages that building and testing cwdemux
# need, when they are missing. As root it runs apt-get; otherwise it prints
# the command to run.
set -e

# pkg-config name, command or file -> Debian package.
need="
pkg:libcurl:libcurl4-openssl-dev
pkg:openssl:libssl-dev
pkg:yajl:libyajl-dev
pkg:libpcre2-8:libpcre2-dev
pkg:ncursesw:libncurses-dev
pkg:zlib:zlib1g-dev
pkg:libdeflate:libdeflate-dev
cmd:cc:gcc
cmd:make:make
cmd:pkg-config:pkg-config
cmd:clang:clang
cmd:clang-format:clang-format
cmd:groff:groff-base
cmd:script:bsdutils
cmd:tmux:tmux
cmd:python3:python3
cmd:valgrind:valgrind
cmd:/usr/bin/time:time
cmd:curl:curl
cmd:setsid:util-linux
cmd:/usr/bin/aws:awscli
cmd:zsh:zsh
file:/usr/share/zoneinfo/Asia/Kolkata:tzdata
"

missing=""
for item in $need; do
	kind=${item%%:*}
	rest=${item#*:}
	name=${rest%%:*}
	package=${rest#*:}
	case $kind in
	pkg) command -v pkg-config >/dev/null 2>&1 &&
	    pkg-config --exists "$name" 2>/dev/null && continue ;;
	cmd) command -v "$name" >/dev/null 2>&1 && continue ;;
	file) [ -e "$name" ] && continue ;;
	esac
	missing="$missing $package"
done
# The sanitizer build and the fuzz harnesses link clang's runtimes.
if command -v clang >/dev/null 2>&1 && {
    ! echo 'int main(void){return 0;}' | clang -x c -fsanitize=address,undefined \
    -o /dev/null - >/dev/null 2>&1 ||
    ! echo 'int LLVMFuzzerTestOneInput(const char *p, long n){return 0;}' |
    clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; }; then
	missing="$missing libclang-rt-dev"
fi

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing:$missing"
		echo "deps: run: sudo apt-get update && sudo apt-get install -y$missing"
		exit 1
	fi
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# The tests and the demo run moto server (with boto3), which Debian does
# not package.
if ! python3 -c 'import boto3, moto.server' >/dev/null 2>&1; then
	echo "deps: python3 lacks moto or boto3; run: python3 -m pip install 'moto[server]' boto3"
	exit 1
fi
echo "deps: everything is installed"
