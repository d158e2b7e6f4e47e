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
# nook -V and nook-oci --version print the commit: the files that say it
# are compiled again when it changes (the stamp is rewritten only then)
GIT_STAMP = $(B)/git-stamp
$(shell mkdir -p $(B) && [ "$$(cat $(GIT_STAMP) 2>/dev/null)" = "$(GIT)" ] || \
	echo "$(GIT)" > $(GIT_STAMP))

# nook-init: static and tiny.  musl when Debian's musl-tools is there.
OBJCOPY ?= objcopy
INIT_CC  ?= $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo $(CC))
INIT_CFLAGS  ?= -Oz -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-stack-protector
INIT_LDFLAGS ?= -static -s -Wl,--gc-sections,-z,noseparate-code,-z,norelro \
	-Wl,--build-id=none,-z,common-page-size=64

# Debian packages: to build, and to run the tests.
DEPS_BUILD = gcc make libc6-dev musl-tools pkg-config libcap-ng-dev \
	libinih-dev libseccomp-dev libjson-c-dev
DEPS_CHECK = perl util-linux procps psmisc busybox-static runc cpio \
	qemu-system-x86 linux-image-amd64 mandoc python3 iproute2 uidmap \
	podman $(if $(shell command -v dockerd),,docker.io) strace mount \
	golang-go golang-github-opencontainers-runtime-tools-dev containerd conmon \
	python3-yaml

# json-c reads OCI config.json for nook-oci (spawner/oci.c says why)
PKGS      = inih libcap-ng libseccomp json-c
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --static --libs $(PKGS) 2>/dev/null || \
	echo -linih -lcap-ng -lseccomp -ljson-c)
# nook is linked static and position-independent (so still randomized):
# no dynamic loader at each start.  With musl (NOOK_LIBC=musl, the
# default when musl-gcc is there as nook is built - make demo and make
# check install Debian's musl-tools first): glibc's start-up probes the
# CPU with cpuid, a trap to the hypervisor in a VM - about 0.3 ms of every
# start here.  Debian's static libseccomp, libcap-ng, inih and json-c are
# built against glibc: spawner/libc-compat.c gives them glibc's checked
# printf family.  NOOK_LIBC=glibc links with glibc (-static-pie;
# NOOK_LDFLAGS= links it dynamic).  Users and groups are looked up in the
# image's own files, so glibc's static NSS caveat does not apply.  The
# unit test, the fuzz, sanitizer and valgrind builds use glibc and $(CC)
# whatever nook uses.
NOOK_LIBC    ?= auto
MUSL_CC      ?= musl-gcc
NOOK_LDFLAGS ?= -static-pie
SPAWNER_SRC = spawner/main.c spawner/keys.c spawner/ini.c spawner/errors.c spawner/values.c \
	spawner/model.c spawner/print.c spawner/util.c spawner/ns.c \
	spawner/mount.c spawner/kernelfs.c spawner/process.c spawner/security.c spawner/idmap.c \
	spawner/hostcheck.c spawner/child.c \
	spawner/cgroup.c spawner/cghost.c spawner/cglimits.c \
	spawner/cgmount.c spawner/net.c spawner/state.c spawner/commands.c spawner/services.c spawner/exec.c \
	spawner/tty.c spawner/oci.c spawner/oci-process.c spawner/oci-linux.c spawner/oci-seccomp.c spawner/oci-cli.c spawner/oci-state.c spawner/oci-hooks.c \
	spawner/libc-compat.c spawner/musl-malloc.c
SPAWNER_OBJ = $(SPAWNER_SRC:spawner/%.c=$(B)/spawner/%.o)

all: $(B)/nook-init $(B)/nook $(B)/nook-oci

$(B):
	mkdir -p $(B)

# The compilers' version strings (.comment, 143 bytes with its header)
# are all the file holds besides the program: removed.
$(B)/nook-init: init/nook-init.c | $(B)
	$(INIT_CC) $(CPPFLAGS) $(INIT_CFLAGS) $(WARN) $(INIT_LDFLAGS) \
		-o $@ init/nook-init.c
	$(OBJCOPY) -R .comment $@

$(foreach d,spawner musl,$(B)/$(d)/main.o $(B)/$(d)/oci-cli.o): $(GIT_STAMP)

$(B)/spawner/%.o: spawner/%.c spawner/*.h
	@mkdir -p $(B)/spawner
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# musl's headers, then the kernel's and the four libraries' alone (not
# glibc's), through a directory of links
MUSL_INC  = $(B)/musl/include
MUSL_OBJ  = $(SPAWNER_SRC:spawner/%.c=$(B)/musl/%.o)
MUSL_LIBS = $(foreach l,inih cap-ng seccomp json-c, \
	$(shell $(CC) -print-file-name=lib$(l).a))
# static-pie by hand: Debian's musl-gcc specs know only -static
MUSL_CRT  = /usr/lib/$(patsubst %-gnu,%-musl,$(shell $(CC) -print-multiarch))

$(MUSL_INC)/ok:
	@mkdir -p $(MUSL_INC)
	for h in linux asm-generic seccomp.h seccomp-syscalls.h cap-ng.h \
		ini.h json-c; do ln -sfn /usr/include/$$h $(MUSL_INC)/$$h; done
	ln -sfn /usr/include/$$($(CC) -print-multiarch)/asm $(MUSL_INC)/asm
	touch $@

$(B)/musl/%.o: spawner/%.c spawner/*.h $(MUSL_INC)/ok
	$(MUSL_CC) $(CPPFLAGS) -idirafter $(MUSL_INC) $(CFLAGS) $(WARN) \
		-c -o $@ $<

$(B)/nook.musl: $(MUSL_OBJ)
	$(MUSL_CC) -static -nostartfiles -Wl,-pie,--no-dynamic-linker,-z,text \
		$(LDFLAGS) -o $@ $(MUSL_CRT)/rcrt1.o $(MUSL_CRT)/crti.o \
		$(shell $(CC) -print-file-name=crtbeginS.o) $(MUSL_OBJ) \
		$(MUSL_LIBS) $(shell $(CC) -print-file-name=crtendS.o) \
		$(MUSL_CRT)/crtn.o

$(B)/nook.glibc: $(SPAWNER_OBJ)
	$(CC) $(NOOK_LDFLAGS) $(LDFLAGS) -o $@ $(SPAWNER_OBJ) $(PKG_LIBS)

# the choice is made when nook is built, not when make starts: make demo
# installs musl-tools in the same run
$(B)/nook: $(SPAWNER_SRC) spawner/*.h $(GIT_STAMP) | $(B)
	@libc=$(NOOK_LIBC); if [ "$$libc" = auto ]; then libc=glibc; \
		command -v $(MUSL_CC) >/dev/null 2>&1 && libc=musl; fi; \
	echo "nook: linked with $$libc"; \
	$(MAKE) --no-print-directory $(B)/nook.$$libc && \
		ln -f $(B)/nook.$$libc $@

# nook-oci: the same binary, an OCI runtime when called by that name
$(B)/nook-oci: $(B)/nook
	ln -sf nook $@

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
# main.o too: nook-hardening.t links the glibc objects into a dynamic nook
# (nook itself may be the musl build, which has its own objects)
TEST_BINS = $(B)/tests/unit-config $(B)/tests/probe $(B)/tests/unit-alloc \
	$(B)/spawner/main.o

# the unit test links everything but main()
UNIT_OBJ = $(filter-out $(B)/spawner/main.o,$(SPAWNER_OBJ))

$(B)/tests/unit-config: tests/unit-config.c $(UNIT_OBJ) spawner/nook.h
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(WARN) -Ispawner -o $@ \
		tests/unit-config.c $(UNIT_OBJ) $(PKG_LIBS)

# the musl build's allocator alone, linked with musl (none: not built,
# tests/unit-alloc.t skips)
$(B)/tests/unit-alloc: tests/unit-alloc.c spawner/musl-malloc.c
	@mkdir -p $(B)/tests
	@command -v $(MUSL_CC) >/dev/null 2>&1 || { echo "no $(MUSL_CC):" \
		"$@ not built"; exit 0; }; \
	echo $(MUSL_CC) -O2 -static -o $@ tests/unit-alloc.c \
		spawner/musl-malloc.c; \
	$(MUSL_CC) $(CPPFLAGS) -O2 $(WARN) -static -o $@ tests/unit-alloc.c \
		spawner/musl-malloc.c

$(B)/tests/probe: tests/probe.c
	@mkdir -p $(B)/tests
	$(INIT_CC) $(CPPFLAGS) -O2 $(WARN) -static -o $@ tests/probe.c

check: deps all static-check $(TEST_BINS)
	prove -v tests/

static-check: $(B)/nook-init
	./tests/static-check.sh $(B)/nook-init

bench: bench-init bench-spawn bench-oci

bench-init: all
	./bench/init.sh $(B)/nook-init

# podman run / ctr run with nook-oci, runc and crun as the runtime
bench-oci: all
	./bench/oci.sh $(B)

# bench-spawn's programs: the C runner that times every start, the floor
# (a raw clone3 + pivot_root + /proc + exec), and the static no-op payload;
# the floor and the payload static like nook-init, so that neither pays for
# dynamic linking
BENCH_BINS = $(B)/bench/runner $(B)/bench/floor $(B)/bench/true

$(B)/bench/runner: bench/spawn/runner.c
	@mkdir -p $(B)/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ bench/spawn/runner.c

$(B)/bench/floor: bench/spawn/floor.c
	@mkdir -p $(B)/bench
	$(INIT_CC) $(CPPFLAGS) -O2 $(WARN) -static -o $@ bench/spawn/floor.c

$(B)/bench/true: bench/spawn/true.c
	@mkdir -p $(B)/bench
	$(INIT_CC) $(CPPFLAGS) $(INIT_CFLAGS) $(WARN) $(INIT_LDFLAGS) -o $@ \
		bench/spawn/true.c

bench-spawn: all $(BENCH_BINS)
	./bench/spawn.sh $(B)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(PREFIX)/share/doc/nook/examples
	install -m 755 $(B)/nook-init $(DESTDIR)$(BINDIR)/nook-init
	install -m 755 $(B)/nook $(DESTDIR)$(BINDIR)/nook
	ln -sf nook $(DESTDIR)$(BINDIR)/nook-oci
	install -m 644 spawner/nook-oci.1 $(DESTDIR)$(MANDIR)/man1/nook-oci.1
	install -m 644 init/nook-init.8 $(DESTDIR)$(MANDIR)/man8/nook-init.8
	install -m 644 spawner/nook.1 $(DESTDIR)$(MANDIR)/man1/nook.1
	install -m 644 config/nook.ini.5 $(DESTDIR)$(MANDIR)/man5/nook.ini.5
	install -m 644 config/*.ini $(DESTDIR)$(PREFIX)/share/doc/nook/examples

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nook-init $(DESTDIR)$(BINDIR)/nook \
		$(DESTDIR)$(BINDIR)/nook-oci $(DESTDIR)$(MANDIR)/man1/nook-oci.1 \
		$(DESTDIR)$(MANDIR)/man8/nook-init.8 \
		$(DESTDIR)$(MANDIR)/man1/nook.1 $(DESTDIR)$(MANDIR)/man5/nook.ini.5 \
		$(addprefix $(DESTDIR)$(PREFIX)/share/doc/nook/examples/, \
		$(notdir $(wildcard config/*.ini)))
	rmdir $(DESTDIR)$(PREFIX)/share/doc/nook/examples \
		$(DESTDIR)$(PREFIX)/share/doc/nook 2>/dev/null || true

clean:
	rm -rf $(B)

.PHONY: all deps deps-build demo check static-check bench bench-init bench-spawn bench-oci install \
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

# ---- appliance (issue 11) ----
# make appliance: the example of examples/appliance/ under $(B)/appliance/:
# Debian's kernel, an initramfs whose /init is nook-init running
# `nook /etc/nook/app.ini', the kernel's command line and a run script.
# make check-vm: boot it in qemu and check it (tests/appliance-vm.t), with
# the other qemu tests.
# APPLIANCE_KERNEL: default the newest /boot/vmlinuz-*, looked for once
# the packages are in
APPLIANCE_KERNEL ?=
APPLIANCE_DEPS    = cpio busybox-static linux-image-amd64

appliance: deps-build all
	$(call install_missing,$(APPLIANCE_DEPS))
	k="$(APPLIANCE_KERNEL)"; [ -n "$$k" ] || \
		k=$$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1); \
	examples/appliance/mkappliance.sh $(B)/appliance $(B)/nook-init \
		$(B)/nook "$$k"

check-vm: deps appliance
	NOOK_BUILD=$(abspath $(B)) prove -v tests/appliance-vm.t \
		tests/init-vm.t tests/nook-cgroup-v2-vm.t

.PHONY: appliance check-vm

# ---- sanitizers (issue 14) ----
# make check-sanitize: nook, the config loader's unit test and a nook-init
# built with gcc's ASan and UBSan into $(B)/sanitize/, and the whole suite
# run on that build (NOOK_BUILD).  A container's init cannot be an ASan
# program: ASan has no static runtime, and nook execs nook-init from a
# memfd inside a rootfs that has no libasan (runc bundles and the qemu
# initramfs copy it too).  So the build has two:
#   nook-init       static (musl) as always, with UBSan in trap mode (it
#                   needs no runtime: undefined behaviour is SIGILL)
#   nook-init-asan  dynamic, ASan and UBSan: the one the nook-init tests
#                   run themselves in a PID namespace (NOOK_HOST_INIT)
# The runtime options are compiled in (tests/sanitize.c): a memory error
# or undefined behaviour aborts, a leak (looked for in the unit test only)
# is reported without changing the exit status.  Every report goes to
# $(B)/sanitize/log/ (mode 1777: the tests run nook as other users too),
# and any report there fails the target.  SANITIZE_TESTS: what prove runs.
# make check-valgrind: memcheck over the unit test, and over nook --check
# and -p of the bundled configs (a dynamic nook: valgrind cannot follow
# malloc in a static one).
SAN_DIR    = $(B)/sanitize
SAN_FLAGS  = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all
SAN_OBJ    = $(SPAWNER_SRC:spawner/%.c=$(SAN_DIR)/obj/%.o)
SAN_LOG    = $(abspath $(SAN_DIR))/log
SAN_BINS   = $(SAN_DIR)/nook $(SAN_DIR)/nook-oci $(SAN_DIR)/nook-init \
	$(SAN_DIR)/nook-init-asan $(SAN_DIR)/tests/unit-config $(SAN_DIR)/tests/probe
SANITIZE_TESTS ?= tests/
DEPS_SANITIZE = valgrind
VALGRIND   = valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect

# the spawner's own warnings are the normal build's business (as in fuzz)
$(SAN_DIR)/obj/%.o: spawner/%.c spawner/*.h
	@mkdir -p $(SAN_DIR)/obj
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(SAN_DIR)/nook: $(SAN_OBJ) tests/sanitize.c
	$(CC) $(CPPFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $@ tests/sanitize.c \
		$(SAN_OBJ) $(PKG_LIBS)

$(SAN_DIR)/tests/unit-config: tests/unit-config.c tests/sanitize.c $(SAN_OBJ)
	@mkdir -p $(SAN_DIR)/tests
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(SAN_FLAGS) -Ispawner \
		-DSAN_DETECT_LEAKS=1 -o $@ tests/unit-config.c tests/sanitize.c \
		$(filter-out $(SAN_DIR)/obj/main.o,$(SAN_OBJ)) $(PKG_LIBS)

$(SAN_DIR)/nook-init: init/nook-init.c
	@mkdir -p $(SAN_DIR)
	$(INIT_CC) $(CPPFLAGS) $(INIT_CFLAGS) -fsanitize=undefined \
		-fsanitize-undefined-trap-on-error $(WARN) $(INIT_LDFLAGS) \
		-o $@ init/nook-init.c

$(SAN_DIR)/nook-init-asan: init/nook-init.c tests/sanitize.c
	@mkdir -p $(SAN_DIR)
	$(CC) $(CPPFLAGS) $(SAN_FLAGS) -o $@ init/nook-init.c tests/sanitize.c

$(SAN_DIR)/nook-oci: $(SAN_DIR)/nook
	ln -sf nook $@

$(SAN_DIR)/tests/probe: $(B)/tests/probe
	@mkdir -p $(SAN_DIR)/tests
	cp $(B)/tests/probe $@

sanitize: $(SAN_BINS)

# The suite's own status, then what the logs say; the time it took.
check-sanitize: deps $(SAN_BINS)
	rm -rf $(SAN_LOG) && mkdir -p $(SAN_LOG) && chmod 1777 $(SAN_LOG)
	@t0=$$(date +%s); rc=0; \
	ASAN_OPTIONS=log_path=$(SAN_LOG)/asan \
	UBSAN_OPTIONS=log_path=$(SAN_LOG)/ubsan \
	NOOK_BUILD=$(abspath $(SAN_DIR)) \
	NOOK_HOST_INIT=$(abspath $(SAN_DIR))/nook-init-asan \
		prove $(SANITIZE_TESTS) || rc=1; \
	echo "check-sanitize: the suite took $$(($$(date +%s) - t0)) s"; \
	n=0; for f in $(SAN_LOG)/*; do [ -s "$$f" ] || continue; \
		n=$$((n + 1)); rc=1; echo "check-sanitize: $$f:"; \
		sed -n '1,60p' "$$f"; done; \
	echo "check-sanitize: $$n sanitizer reports in $(SAN_LOG)"; exit $$rc

$(B)/valgrind/nook: $(SPAWNER_OBJ) $(B)/nook-init
	@mkdir -p $(B)/valgrind
	$(CC) $(LDFLAGS) -o $@ $(SPAWNER_OBJ) $(PKG_LIBS)
	ln -sf ../nook-init $(B)/valgrind/nook-init

check-valgrind: $(B)/tests/unit-config $(B)/valgrind/nook
	$(call install_missing,$(DEPS_SANITIZE))
	NOOK_VALGRIND=1 prove --exec '$(VALGRIND) --error-exitcode=1' \
		$(B)/tests/unit-config
	@rc=0; for f in config/*.ini; do for o in --check -p; do \
		$(VALGRIND) --error-exitcode=99 $(B)/valgrind/nook $$o $$f \
			>/dev/null 2>$(B)/valgrind/nook.err; \
		if [ $$? = 99 ]; then rc=1; cat $(B)/valgrind/nook.err; fi; \
		echo "check-valgrind: nook $$o $$f: $$(grep -c '^==' \
			$(B)/valgrind/nook.err) lines of memcheck"; \
	done; done; exit $$rc

.PHONY: sanitize check-sanitize check-valgrind

# ---- long checks (issue 14) ----
# make check-long: the soak (2,000 container runs in a row, 200 eight at a
# time, faults) and the init's storms at full size; make check runs the
# same tests with small counts.  NOOK_SOAK_SEQ/NOOK_SOAK_PAR change them.
LONG_TESTS = tests/nook-soak.t $(wildcard tests/init-storm.t)

check-long: deps all $(TEST_BINS)
	NOOK_LONG=1 NOOK_BUILD=$(abspath $(B)) prove -v $(LONG_TESTS)

.PHONY: check-long

# ---- everything CI runs (issues 11 and 14) ----
# make check-all: the suite, then the long checks, the suite again under
# ASan and UBSan, memcheck over the loader, and each fuzz target for
# FUZZ_SECONDS.  The README's test command.
DEPS_FUZZ = clang libclang-rt-14-dev

fuzz-deps:
	$(call install_missing,$(DEPS_FUZZ))

check-all: check
	$(MAKE) check-long
	$(MAKE) check-sanitize
	$(MAKE) check-valgrind
	$(MAKE) fuzz-deps
	$(MAKE) fuzz

.PHONY: fuzz-deps check-all

# ---- nook-oci's hooks: the runner's test driver ----
# tests/oci-hooks.t runs the hooks of a bundle's config.json through it,
# apart from the lifecycle (tests/helpers/oci/hooks-driver.c says how).
$(B)/tests/oci-hooks-driver: tests/helpers/oci/hooks-driver.c $(UNIT_OBJ) \
		spawner/nook.h spawner/oci-hooks.h
	@mkdir -p $(B)/tests
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(WARN) -Ispawner -o $@ \
		tests/helpers/oci/hooks-driver.c $(UNIT_OBJ) $(PKG_LIBS)

# ---- OCI validation (nook-oci beside runc and crun) ----
# make oci-validation: the validation programs of tests/helpers/oci/
# validation.sh (Go, on runtime-tools' packaged libraries) against nook-oci,
# runc and crun, a line per program and the three totals side by side.
# tests/oci-validation.t runs the same for make check, with the known
# failures of tests/helpers/oci/validation-known.txt as TODO points.
OCI_VALIDATION = tests/helpers/oci/validation.sh

oci-validation: all
	@export NOOK_BUILD=$(abspath $(B)); \
	$(OCI_VALIDATION) --build || exit 1; \
	for rt in $(abspath $(B))/nook-oci runc crun; do \
		command -v $$rt >/dev/null 2>&1 || { echo "$$rt: not installed"; continue; }; \
		echo "== $$rt"; $(OCI_VALIDATION) $$rt; \
	done; \
	echo "== totals"; \
	for rt in nook-oci runc crun; do \
		f=$(abspath $(B))/oci-validation/results/$$rt/summary; \
		[ -f $$f ] || continue; \
		printf '%-10s %3s passed %3s failed %3s skipped of %s\n' $$rt \
			$$(grep -c ' pass ' $$f) $$(grep -c ' fail ' $$f) \
			$$(grep -c ' skip ' $$f) $$(wc -l <$$f); \
	done; \
	echo "(nook-oci's known failures: tests/helpers/oci/validation-known.txt)"

.PHONY: oci-validation
