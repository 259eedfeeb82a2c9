# cwdemux: plain make, pkg-config for every library, objects out of the tree.
#
#   make            build ./cwdemux
#   make check      every test layer, one "N passed, N failed" line at the end
#   make asan       the same suite on an ASan+UBSan build (in build-asan/)
#   make lint       formatter, man page and include cycle checks (also part
#                   of check)
#   make fuzz       every libFuzzer harness for FUZZ_SECONDS each (in build-fuzz/)
#   make valgrind   unit tests and offline runs under valgrind's memcheck
#                   (also part of check, but for sanitizer builds)
#   make install    PREFIX=/usr/local DESTDIR= (the program, its pages,
#                   rules, and bash and zsh completion)
#   make deps       install the Debian packages the build and tests need
#   make demo       the live demo of the README (installs, builds, runs)
#   make bench      the benchmarks' table (about 8 minutes; tests/bench)
#   make soak       the endurance soak: 64 streams followed through the
#                   fault proxy for SOAK_MINUTES (30; tests/bench/soak.sh)

VERSION	= 0.1.0
PREFIX	?= /usr/local
BINDIR	= $(PREFIX)/bin
MANDIR	= $(PREFIX)/share/man
DATADIR	= $(PREFIX)/share/cwdemux
# Where bash-completion and zsh look for the scripts of --completion.
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions

BUILD	?= build
CC	?= cc
PKGS	= libcurl openssl yajl libpcre2-8 ncursesw zlib libdeflate

# Without the libraries the build would fail in the linker; say why now.
ifeq ($(filter deps demo clean,$(MAKECMDGOALS)),)
ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes),yes)
$(error the libraries $(PKGS) are not all installed: run "make deps")
endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN	= -std=c11 -Wall -Wextra -Werror -Wformat=2 -Wshadow \
	  -Wmissing-prototypes -Wstrict-prototypes -Wwrite-strings \
	  -Wcast-qual -Wundef -Wno-format-nonliteral
CFLAGS	?= -O2 -g
ALL_CFLAGS = $(WARN) $(CFLAGS) -D_DEFAULT_SOURCE -D_GNU_SOURCE \
	  -DCWDEMUX_VERSION='"$(VERSION)"' \
	  -DCWDEMUX_DATADIR='"$(DATADIR)"' -Iinclude $(PKG_CFLAGS)
LIBS	= $(PKG_LIBS) -lm -pthread

# make V=1 shows every command.
ifeq ($(V),1)
Q	=
ECHO	= :
else
Q	= @
ECHO	= echo
endif

SRCS	:= $(sort $(wildcard src/*.c))
OBJS	:= $(SRCS:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/default_rules.o
LIBOBJS	:= $(filter-out $(BUILD)/obj/main.o,$(OBJS))

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(filter-out tests/tools/failshim.c,$(sort $(wildcard tests/tools/*.c)))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)

# libFuzzer harnesses, linked against the program's objects built with
# clang and the fuzzer's coverage, ASan and UBSan (in FUZZ_BUILD).
FUZZ_BUILD = build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all \
	  -fsanitize=fuzzer-no-link,address,undefined
# The failure-injection shim, preloaded by tests/integ/failures.sh.
SHIM	= $(BUILD)/tools/failshim.so

.PHONY: all check unit lint asan install uninstall clean deps demo bench \
	soak fuzz fuzz-build fuzzers valgrind

all: cwdemux

cwdemux: $(BUILD)/cwdemux
	cp $(BUILD)/cwdemux $@

$(BUILD)/cwdemux: $(OBJS)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

# Header dependencies: the compiler writes NAME.d beside each object and
# program (-MMD), with an empty rule per header (-MP) so a deleted header
# is not an error. A target whose .d is missing (a build from before this
# rule) counts as out of date, through the empty rule for %.d below.
DEPFLAGS = -MMD -MP

$(BUILD)/obj/%.o: src/%.c $(BUILD)/obj/%.d | $(BUILD)/obj
	@$(ECHO) "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/tests/%.d $(LIBOBJS) | $(BUILD)/tests
	@$(ECHO) "  CCLD    $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
	    $(LIBOBJS) $(LIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/tools/%.d $(LIBOBJS) | $(BUILD)/tools
	@$(ECHO) "  CCLD    $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/fuzz/%.d $(LIBOBJS) | $(BUILD)/fuzz
	@$(ECHO) "  CCLD    $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

# Named explicitly, so make does not take them for intermediate files.
DEPS := $(OBJS:.o=.d) $(UNIT_BINS:=.d) $(TOOL_BINS:=.d) $(FUZZ_BINS:=.d)
$(DEPS): ;
-include $(wildcard $(DEPS))

# A shared object, built without the program's objects or sanitizers (it
# is preloaded into sh and env too).
$(SHIM): tests/tools/failshim.c | $(BUILD)/tools
	@$(ECHO) "  CCLD    $<"
	$(Q)$(CC) $(WARN) -O2 -g -D_GNU_SOURCE -fPIC -shared -o $@ $< -ldl

$(BUILD)/obj $(BUILD)/tests $(BUILD)/tools $(BUILD)/fuzz:
	mkdir -p $@

# Every layer runs through tests/run, which prints the one summary line.
# The fuzz layer runs each harness briefly (FUZZ_SECONDS=2) on its seeds.
# Memcheck (about 30 s) runs too, unless the build has sanitizers.
check: $(BUILD)/cwdemux $(UNIT_BINS) $(TOOL_BINS) $(SHIM) fuzz-build
	@BUILD=$(BUILD) CWDEMUX=$(abspath $(BUILD)/cwdemux) \
	    FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=2 \
	    CWDEMUX_VALGRIND=$(if $(findstring sanitize,$(CFLAGS)),,1) \
	    sh tests/run $(TEST_LAYERS)

# libFuzzer comes with clang. Without clang, make check runs every other
# layer and tests/run says the fuzz layer was skipped (CI installs clang
# through make deps, and there a missing clang is a failure).
HAVE_CLANG := $(shell command -v clang >/dev/null 2>&1 && echo yes)

fuzz-build:
ifeq ($(HAVE_CLANG),yes)
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang \
	    CFLAGS="$(FUZZ_CFLAGS)" \
	    LDFLAGS="-fsanitize=fuzzer,address,undefined" fuzzers
else
	@echo "fuzz-build: clang is not installed, the fuzz harnesses are not built (make deps)"
endif

fuzzers: $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/run fuzz

valgrind: $(BUILD)/cwdemux $(UNIT_BINS) $(TOOL_BINS)
	@BUILD=$(BUILD) CWDEMUX=$(abspath $(BUILD)/cwdemux) \
	    sh tests/run valgrind

lint:
	@BUILD=$(BUILD) sh tests/run lint

# The layers that run the program: the fuzz harnesses are sanitizer builds
# already, lint does not depend on the build, memcheck needs a plain one.
ASAN_BUILD = build-asan

asan:
	$(MAKE) BUILD=$(ASAN_BUILD) CC=clang \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" \
	    TEST_LAYERS="unit rules integ" check

install: $(BUILD)/cwdemux
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/patterns \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BUILD)/cwdemux $(DESTDIR)$(BINDIR)/cwdemux
	$(BUILD)/cwdemux --completion bash >$(DESTDIR)$(BASHCOMPDIR)/cwdemux
	$(BUILD)/cwdemux --completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_cwdemux
	install -m 644 man/cwdemux.1 $(DESTDIR)$(MANDIR)/man1/cwdemux.1
	install -m 644 man/cwdemux-rules.5 $(DESTDIR)$(MANDIR)/man5/cwdemux-rules.5
	install -m 644 patterns/*.rules $(DESTDIR)$(DATADIR)/patterns/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cwdemux $(DESTDIR)$(MANDIR)/man1/cwdemux.1 \
	    $(DESTDIR)$(MANDIR)/man5/cwdemux-rules.5 \
	    $(DESTDIR)$(BASHCOMPDIR)/cwdemux $(DESTDIR)$(ZSHCOMPDIR)/_cwdemux
	rm -rf $(DESTDIR)$(DATADIR)

deps:
	@sh tests/tools/deps.sh

# demo.sh runs deps.sh and then a make of its own: this make read
# pkg-config's answers before the libraries were there.
demo:
	@MAKE='$(MAKE)' sh tests/tools/demo.sh

bench: $(BUILD)/cwdemux $(TOOL_BINS)
	@BUILD=$(BUILD) sh tests/bench/run.sh

soak: $(BUILD)/cwdemux
	@BUILD=$(BUILD) sh tests/bench/soak.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) cwdemux

# The shipped rules are built into the binary, so ./cwdemux works without
# being installed; the installed copy is for reading and for --rules. They
# load in this order: markers first, then the error rules.
RULE_FILES = patterns/sagemaker.rules patterns/errors.rules

$(BUILD)/gen/default_rules.c: $(RULE_FILES) | $(BUILD)/gen
	$(Q){ echo '/* Generated from $(RULE_FILES) by make. */'; \
	  echo '#include "rules.h"'; \
	  n=0; for f in $(RULE_FILES); do \
	    echo "static const char text$$n[] ="; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' \
	        -e 's/^/"/' -e 's/$$/\\n"/' "$$f"; \
	    echo ';'; n=$$((n + 1)); \
	  done; \
	  echo 'const struct rules_builtin rules_builtin[] = {'; \
	  n=0; for f in $(RULE_FILES); do \
	    echo "    {\"$${f##*/}\", text$$n, sizeof text$$n - 1},"; \
	    n=$$((n + 1)); \
	  done; \
	  echo '};'; \
	  echo 'const size_t rules_nbuiltin = sizeof rules_builtin / sizeof rules_builtin[0];'; \
	} > $@

$(BUILD)/obj/default_rules.o: $(BUILD)/gen/default_rules.c include/rules.h | $(BUILD)/obj
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen:
	mkdir -p $@
