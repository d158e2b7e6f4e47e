# SPDX-License-Identifier: MIT
# nook - a container init (nook-init) and spawner (nook).  Plain GNU make.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
B        ?= build
GIT      := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes
ifeq ($(CI),true)
WARN     += -Werror
endif
CPPFLAGS += -DNOOK_VERSION='"$(VERSION)"' -DNOOK_GIT='"$(GIT)"'

# nook-init: static and tiny.  musl when Debian's musl-tools is there.
INIT_CC  ?= $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo $(CC))
INIT_CFLAGS  ?= -Os -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-stack-protector
INIT_LDFLAGS ?= -static -s -Wl,--gc-sections,-z,noseparate-code,-z,norelro \
	-Wl,--build-id=none,-z,common-page-size=64

# Debian packages: to build, and to run the tests.
DEPS_BUILD = gcc make libc6-dev musl-tools pkg-config libcap-ng-dev \
	libinih-dev libseccomp-dev
DEPS_CHECK = perl util-linux procps psmisc busybox-static runc cpio \
	qemu-system-x86 linux-image-amd64 mandoc python3 iproute2 uidmap

PKGS      = inih libcap-ng libseccomp
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -linih -lcap-ng -lseccomp)
SPAWNER_SRC = spawner/main.c spawner/keys.c spawner/ini.c spawner/errors.c spawner/values.c \
	spawner/model.c spawner/print.c spawner/util.c spawner/ns.c \
	spawner/mount.c spawner/kernelfs.c spawner/process.c spawner/security.c spawner/idmap.c \
	spawner/hostcheck.c spawner/child.c \
	spawner/cgroup.c spawner/cghost.c spawner/cglimits.c \
	spawner/cgmount.c spawner/net.c spawner/state.c spawner/commands.c spawner/services.c spawner/exec.c
SPAWNER_OBJ = $(SPAWNER_SRC:spawner/%.c=$(B)/spawner/%.o)

all: $(B)/nook-init $(B)/nook

$(B):
	mkdir -p $(B)

$(B)/nook-init: init/nook-init.c | $(B)
	$(INIT_CC) $(CPPFLAGS) $(INIT_CFLAGS) $(WARN) $(INIT_LDFLAGS) \
		-o $@ init/nook-init.c

$(B)/spawner/%.o: spawner/%.c spawner/*.h
	@mkdir -p $(B)/spawner
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(B)/nook: $(SPAWNER_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(SPAWNER_OBJ) $(PKG_LIBS)

# Install what is missing (Debian, root); say so and go on elsewhere.
# deps-build: enough for `make` and `make demo`; deps: the tests' too.
define install_missing
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
		echo "deps: missing: $$missing (install them as root)"; exit 0; fi; \
	echo "deps: installing: $$missing"; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install \
		-y -q --no-install-recommends $$missing
endef

deps-build:
	$(call install_missing,$(DEPS_BUILD))

deps: deps-build
	$(call install_missing,$(DEPS_CHECK))

# The main job: see README.md.
demo: deps-build all
	NOOK_DEMO_HOST_NS="$$(for n in user pid mnt net uts ipc cgroup time; do \
		readlink /proc/self/ns/$$n; done)" $(B)/nook config/demo.ini

# Test programs: the config loader's C unit test, and the static probe
# that answers questions from inside a container.
TEST_BINS = $(B)/tests/unit-config $(B)/tests/probe

# the unit test links everything but main()
UNIT_OBJ = $(filter-out $(B)/spawner/main.o,$(SPAWNER_OBJ))

$(B)/tests/unit-config: tests/unit-config.c $(UNIT_OBJ) spawner/nook.h
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(WARN) -Ispawner -o $@ \
		tests/unit-config.c $(UNIT_OBJ) $(PKG_LIBS)

$(B)/tests/probe: tests/probe.c
	@mkdir -p $(B)/tests
	$(INIT_CC) $(CPPFLAGS) -O2 $(WARN) -static -o $@ tests/probe.c

check: deps all static-check $(TEST_BINS)
	prove -v tests/

static-check: $(B)/nook-init
	./tests/static-check.sh $(B)/nook-init

bench: bench-init bench-spawn

bench-init: all
	./bench/init.sh $(B)/nook-init

bench-spawn: all
	./bench/spawn.sh $(B)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(PREFIX)/share/doc/nook/examples
	install -m 755 $(B)/nook-init $(DESTDIR)$(BINDIR)/nook-init
	install -m 755 $(B)/nook $(DESTDIR)$(BINDIR)/nook
	install -m 644 init/nook-init.8 $(DESTDIR)$(MANDIR)/man8/nook-init.8
	install -m 644 spawner/nook.1 $(DESTDIR)$(MANDIR)/man1/nook.1
	install -m 644 config/nook.ini.5 $(DESTDIR)$(MANDIR)/man5/nook.ini.5
	install -m 644 config/*.ini $(DESTDIR)$(PREFIX)/share/doc/nook/examples

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nook-init $(DESTDIR)$(BINDIR)/nook \
		$(DESTDIR)$(MANDIR)/man8/nook-init.8 \
		$(DESTDIR)$(MANDIR)/man1/nook.1 $(DESTDIR)$(MANDIR)/man5/nook.ini.5 \
		$(addprefix $(DESTDIR)$(PREFIX)/share/doc/nook/examples/, \
		$(notdir $(wildcard config/*.ini)))
	rmdir $(DESTDIR)$(PREFIX)/share/doc/nook/examples \
		$(DESTDIR)$(PREFIX)/share/doc/nook 2>/dev/null || true

clean:
	rm -rf $(B)

.PHONY: all deps deps-build demo check static-check bench bench-init bench-spawn install \
	uninstall clean

# ---- fuzzing (issue 14): the config loader and the value parsers ----
# The spawner's own warnings are the normal build's business: its files
# are compiled here without $(WARN), the fuzz targets with it.
# make fuzz: libFuzzer targets (clang), each run FUZZ_SECONDS with the seed
# corpus and dictionary of tests/fuzz/; a crash is copied to
# tests/fuzz/regress/.  make fuzz-regress: the corpus and the saved crashes
# replayed by a plain driver built with gcc's ASan and UBSan (no clang).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config values
FUZZ_CC      ?= clang
FUZZ_FLAGS    = -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined
REPLAY_FLAGS  = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
FUZZ_SPAWNER  = $(filter-out spawner/main.c,$(SPAWNER_SRC))
FUZZ_OBJ      = $(FUZZ_SPAWNER:spawner/%.c=$(B)/fuzz/obj/%.o)
REPLAY_OBJ    = $(FUZZ_SPAWNER:spawner/%.c=$(B)/fuzz/replay-obj/%.o)
FUZZ_ENV      = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(B)/fuzz/clang-ok:
	@mkdir -p $(B)/fuzz
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "fuzz: $(FUZZ_CC)" \
		"not found: apt-get install clang libclang-rt-14-dev"; exit 1; }
	@echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)' \
		'{ return d && n; }' | $(FUZZ_CC) -x c - -o $@.tmp \
		-fsanitize=fuzzer,address,undefined 2>/dev/null || { echo \
		"fuzz: $(FUZZ_CC) cannot link -fsanitize=fuzzer,address," \
		"undefined: apt-get install libclang-rt-14-dev"; exit 1; }
	@rm -f $@.tmp && touch $@

$(B)/fuzz/obj/%.o: spawner/%.c spawner/*.h | $(B)/fuzz/clang-ok
	@mkdir -p $(B)/fuzz/obj
	$(FUZZ_CC) $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_FLAGS) \
		-fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(B)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_OBJ) spawner/nook.h
	$(FUZZ_CC) $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_FLAGS) $(WARN) -Ispawner \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS)

$(B)/fuzz/replay-obj/%.o: spawner/%.c spawner/*.h
	@mkdir -p $(B)/fuzz/replay-obj
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(REPLAY_FLAGS) -c -o $@ $<

$(B)/fuzz/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c $(REPLAY_OBJ) \
		spawner/nook.h
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(REPLAY_FLAGS) $(WARN) -Ispawner -o $@ \
		tests/fuzz/replay.c $< $(REPLAY_OBJ) $(PKG_LIBS)

# fuzz-regress.t's proof that a crash, a leak or an exit is caught
$(B)/fuzz/selftest-values: tests/fuzz/fuzz-values.c tests/fuzz/replay.c \
		$(REPLAY_OBJ) spawner/nook.h
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(REPLAY_FLAGS) $(WARN) -Ispawner \
		-DFUZZ_SELFTEST -o $@ tests/fuzz/replay.c $< $(REPLAY_OBJ) $(PKG_LIBS)

# The seeds: tests/fuzz/corpus/TARGET, and the example configs; libFuzzer
# adds what it finds to $(B)/fuzz/corpus-TARGET.
fuzz: $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz-%)
	@rc=0; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(B)/fuzz/corpus-$$t $(B)/fuzz/crash-$$t; \
		cp -n tests/fuzz/corpus/$$t/* $(B)/fuzz/corpus-$$t/; \
		[ $$t != config ] || cp -n config/*.ini $(B)/fuzz/corpus-$$t/; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s (log: $(B)/fuzz/$$t.log)"; \
		$(FUZZ_ENV) $(B)/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -dict=tests/fuzz/dict -max_len=8192 \
			-timeout=10 -artifact_prefix=$(B)/fuzz/crash-$$t/ \
			$(B)/fuzz/corpus-$$t >$(B)/fuzz/$$t.log 2>&1 || rc=1; \
		grep -E '^#[0-9]+.*(INITED|DONE)|^stat::|ERROR|SUMMARY' \
			$(B)/fuzz/$$t.log | sed "s/^/fuzz: $$t: /"; \
		for f in $(B)/fuzz/crash-$$t/*; do [ -f "$$f" ] || continue; \
			mkdir -p tests/fuzz/regress; \
			mv "$$f" tests/fuzz/regress/$$t-$${f##*/}; rc=1; \
			echo "fuzz: $$t: crash saved as" \
				"tests/fuzz/regress/$$t-$${f##*/}"; done; \
	done; exit $$rc

fuzz-regress: $(FUZZ_TARGETS:%=$(B)/fuzz/replay-%)
	@rc=0; for t in $(FUZZ_TARGETS); do \
		echo "fuzz-regress: $$t"; \
		$(FUZZ_ENV) $(B)/fuzz/replay-$$t $$(find tests/fuzz/regress \
			tests/fuzz/corpus -type f ! -name "*todo*" 2>/dev/null | \
			sort) || rc=1; \
	done; exit $$rc

.PHONY: fuzz fuzz-regress
