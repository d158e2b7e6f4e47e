// SPDX-License-Identifier: MIT
/*
 * Unit test of nook's config loader (spawner/config.c) and its value
 * parsers (spawner/util.c), and of the reading of the host's cgroup
 * hierarchies from /proc (spawner/cghost.c).  TAP on stdout: "ok N - ...", "not ok N - ...",
 * the plan "1..N" at the end; exits 1 when a test failed.  Tests of known
 * bugs are marked "# TODO" (prove counts them as passing and reports them
 * as "unexpectedly succeeded" once fixed: then drop the TODO).
 *
 * Every config is written to a temporary file (mkstemps) and loaded with
 * cfg_init()/cfg_load_file(); --set and the command line go through
 * cfg_set()/cfg_set_command() as main.c does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nook.h"
#include "cgroup.h"

static int n_test, n_fail, last_ok;

static void __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	char *s, *p, *nl;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		exit(2);
	va_end(ap);
	for (p = s; p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = 0;
		printf("# %s\n", p);
	}
	free(s);
}

static int
report(int cond, const char *todo, const char *fmt, va_list ap)
{
	n_test++;
	printf("%sok %d - ", cond ? "" : "not ", n_test);
	vprintf(fmt, ap);
	if (todo)
		printf(" # TODO %s", todo);
	putchar('\n');
	if (!cond && !todo)
		n_fail++;
	last_ok = cond;
	fflush(stdout);
	return cond;
}

static int __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = report(cond, NULL, fmt, ap);
	va_end(ap);
	return r;
}

/*
 * make check-valgrind sets NOOK_VALGRIND: valgrind 3.19 (Debian 12) has no
 * openat2 (ENOSYS, so no user is found in a rootfs) and cannot run a child
 * under RLIMIT_AS.  The checks that need either are skipped there.
 */
static int
skip_valgrind(const char *why)
{
	if (!getenv("NOOK_VALGRIND"))
		return 0;
	printf("ok %d # SKIP under valgrind: %s\n", ++n_test, why);
	return 1;
}

/* A test of a known bug: expected to fail until the bug is fixed. */
static int __attribute__((format(printf, 3, 4)))
todo(int cond, const char *why, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = report(cond, why, fmt, ap);
	va_end(ap);
	return r;
}

static int
is_str(const char *got, const char *want, const char *what)
{
	int r = (got && want && !strcmp(got, want)) || (!got && !want);

	if (!ok(r, "%s", what))
		diag("got:  '%s'\nwant: '%s'", got ? got : "(null)",
		    want ? want : "(null)");
	return r;
}

static int
is_num(long long got, long long want, const char *what)
{
	if (!ok(got == want, "%s", what)) {
		diag("got:  %lld\nwant: %lld", got, want);
		return 0;
	}
	return 1;
}

/* ---- temporary files ---- */

static char *tmp_files[256];
static size_t n_tmp;

/* Write text to a new /tmp/unit-config-XXXXXX.ini; returns its path. */
static char *
write_tmp(const char *text, size_t len)
{
	char *path = xstrdup("/tmp/unit-config-XXXXXX.ini");
	int fd = mkstemps(path, 4);
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		perror("unit-config: mkstemps");
		exit(2);
	}
	if (fwrite(text, 1, len, f) != len || fclose(f)) {
		perror("unit-config: write");
		exit(2);
	}
	if (n_tmp < sizeof(tmp_files) / sizeof(tmp_files[0]))
		tmp_files[n_tmp++] = path;
	return path;
}

static void
rm_tmp(void)
{
	size_t i;

	for (i = 0; i < n_tmp; i++) {
		unlink(tmp_files[i]);
		free(tmp_files[i]);
	}
	n_tmp = 0;
}

#define SELF_DIR "/nonexistent/nook-bin"

/* Load text as a config file; the cfg_load_file() result. */
static int
load_n(struct cfg *c, const char *text, size_t len)
{
	char *path = write_tmp(text, len);

	cfg_init(c, path, SELF_DIR);
	return cfg_load_file(c);
}

static int
load(struct cfg *c, const char *text)
{
	return load_n(c, text, strlen(text));
}

/* What nook does before a start: the file's checks, then the host's. */
static int
validate(struct cfg *c)
{
	int r = cfg_validate(c);

	return r == 0 ? cfg_check_host(c) : r;
}

static void
dump_errs(const struct cfg *c)
{
	size_t i;

	for (i = 0; i < c->nerrs; i++)
		diag("err[%zu]: %s", i, c->errs[i]);
}

/* The error equal to want ('@' at the start stands for the file). */
static int
find_err(const struct cfg *c, const char *want, int exact)
{
	char *w = *want == '@' ? xasprintf("%s%s", c->file, want + 1) :
	    xstrdup(want);
	size_t i;
	int r = -1;

	for (i = 0; i < c->nerrs && r < 0; i++)
		if (exact ? !strcmp(c->errs[i], w) : !!strstr(c->errs[i], w))
			r = (int)i;
	free(w);
	return r;
}

/* Test: there is an error exactly want. */
static int
has_err(const struct cfg *c, const char *want, const char *what)
{
	if (ok(find_err(c, want, 1) >= 0, "%s", what))
		return 1;
	diag("want error: '%s'%s", want, c->nerrs ? "" : " (no errors)");
	dump_errs(c);
	return 0;
}

static int
no_errs(const struct cfg *c, const char *what)
{
	if (ok(c->nerrs == 0, "%s", what))
		return 1;
	dump_errs(c);
	return 0;
}

/* Compare a NULL-ended vector to want[0..n); frees v. */
static int
is_strv(char **v, const char *const *want, size_t n, const char *what)
{
	size_t i, got = 0;
	int r;

	while (v[got])
		got++;
	r = got == n;
	for (i = 0; r && i < n; i++)
		r = !strcmp(v[i], want[i]);
	if (!ok(r, "%s", what)) {
		for (i = 0; i < got; i++)
			diag("got[%zu]:  '%s'", i, v[i]);
		for (i = 0; i < n; i++)
			diag("want[%zu]: '%s'", i, want[i]);
	}
	free_strv(v);
	return r;
}

#define STRV(...) ((const char *const[]){ __VA_ARGS__ })
#define NSTRV(...) (sizeof(STRV(__VA_ARGS__)) / sizeof(char *))
#define IS_STRV(v, what, ...) is_strv(v, STRV(__VA_ARGS__), \
	NSTRV(__VA_ARGS__), what)
#define IS_EMPTY(v, what) is_strv(v, NULL, 0, what)

/* A config that passes validate() on this host (root, Debian 12). */
#define BASE "[process]\ncommand = /bin/true\n[rootfs]\npath = /\n" \
	"[init]\npath = /bin/sh\n"	/* lines 1-6 */

static char *
print_cfg(const struct cfg *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		exit(2);
	cfg_print((struct cfg *)c, f);
	fclose(f);
	return buf;
}

/* s for a TAP line: \n, \t and \# (static buffer). */
static const char *
printable(const char *s)
{
	static char buf[256];
	size_t n = 0;

	for (; *s && n < sizeof(buf) - 3; s++) {
		if (*s == '\n' || *s == '\t' || *s == '#') {
			buf[n++] = '\\';
			buf[n++] = *s == '\n' ? 'n' : *s == '\t' ? 't' : '#';
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = 0;
	return buf;
}

/* ---- the tests ---- */

static void
test_missing_file(void)
{
	struct cfg c;

	cfg_init(&c, "/nonexistent/dir/web.ini", SELF_DIR);
	ok(cfg_load_file(&c) < 0 && c.nerrs == 1,
	    "missing config file: cfg_load_file fails with one error");
	has_err(&c, "/nonexistent/dir/web.ini: No such file or directory",
	    "missing config file: the error names the file and errno");
	cfg_free(&c);
}

static void
test_defaults(void)
{
	struct cfg c;
	char *base, *want;
	const struct loc *l;

	ok(load(&c, "[process]\ncommand = /bin/true\n[rootfs]\npath = /\n")
	    == 0, "minimal config loads");
	no_errs(&c, "minimal config: no errors");
	ok(cfg_validate(&c) == 0, "minimal config: types without errors");
	base = strrchr(c.file, '/') + 1;
	want = xasprintf("%.*s", (int)(strlen(base) - 4), base);
	is_str(cfg_str(&c, K_NAME), want, "default name: file name "
	    "without .ini");
	is_str(cfg_str(&c, K_HOSTNAME), want, "default hostname: the name");
	free(want);
	is_str(cfg_str(&c, K_INIT_PATH), SELF_DIR "/nook-init",
	    "default [init] path: nook-init next to nook");
	is_str(cfg_str(&c, K_CWD), "/", "default cwd /");
	is_str(cfg_str(&c, K_USER), "0", "default user 0");
	is_str(cfg_str(&c, K_DOMAINNAME), "", "default domainname empty");
	is_num(c.t.umask, 022, "default umask 0022");
	is_num(c.t.stop_timeout, 10000, "default stop_timeout 10s");
	is_num(c.t.shm_size, 64LL << 20, "default shm_size 64M");
	is_num(c.t.boottime_offset, 0, "default boottime_offset 0");
	ok(c.t.clear_env && c.t.new_session &&
	    c.t.root_readonly && c.t.proc &&
	    c.t.tmp, "default booleans are yes");
	ok(c.t.init_mode == INIT_MODE_INIT && c.t.sys == SYS_RO &&
	    c.t.dev == DEV_MINIMAL && c.t.overlay == OVERLAY_NONE &&
	    c.t.propagation == PROP_SLAVE,
	    "default enums: mode init, sys ro, dev minimal, overlay none, "
	    "propagation slave");
	ok(!strcmp(cfg_str(&c, K_NS_USER), "new") &&
	    !strcmp(cfg_str(&c, K_NS_TIME), "new") &&
	    !strcmp(cfg_str(&c, K_NS_MOUNT), "new"), "default namespaces new");
	IS_STRV(cfg_list(&c, K_UID_MAP), "default uid_map: auto", "auto");
	IS_EMPTY(cfg_list(&c, K_ENV), "default env: empty list");
	IS_EMPTY(cfg_words(&c, K_INIT_ARGS), "default init args: no words");
	IS_STRV(cfg_words(&c, K_COMMAND), "command words", "/bin/true");
	ok(tloc(&c, K_CWD) == NULL, "a default has no location");
	l = tloc(&c, K_ROOT_PATH);
	ok(l && l->line == 4 && !strcmp(l->file, c.file),
	    "a value's location is its file and line");
	cfg_free(&c);
}

static void
test_values(void)
{
	struct cfg c;
	int r;

	load(&c, BASE
	    "[container]\n"
	    "name = web-1\n"			/* 8 */
	    "hostname = web.example\n"
	    "domainname = example.org\n"
	    "[process]\n"
	    "cwd = /srv\n"
	    "user = www-data\n"
	    "group = 33\n"
	    "umask = 0077\n"
	    "stop_timeout = 500ms\n"
	    "clear_env = no\n"
	    "[namespaces]\n"
	    "net = host\n"
	    "[time]\nboottime_offset = -2h\n"
	    "[filesystem]\n"
	    "sys = no\n"
	    "dev = minimal\n"
	    "shm_size = 1G\n");
	no_errs(&c, "values: loads without errors");
	r = validate(&c);
	if (r != 0 && skip_valgrind("no openat2"))
		;
	else if (!ok(r == 0, "values: validates"))
		dump_errs(&c);
	is_str(cfg_str(&c, K_NAME), "web-1", "name set");
	is_str(cfg_str(&c, K_HOSTNAME), "web.example", "hostname set");
	is_str(cfg_str(&c, K_DOMAINNAME), "example.org", "domainname set");
	is_str(cfg_str(&c, K_CWD), "/srv", "cwd set");
	is_str(cfg_str(&c, K_USER), "www-data", "user by name");
	is_str(cfg_str(&c, K_GROUP), "33", "group by number");
	is_num(c.t.umask, 077, "umask 0077 is octal");
	is_num(c.t.stop_timeout, 500, "stop_timeout 500ms");
	ok(!c.t.clear_env, "clear_env = no");
	is_str(cfg_str(&c, K_NS_NET), "host", "net = host");
	is_num(c.t.boottime_offset, -7200000LL,
	    "boottime_offset may be negative");
	is_num(c.t.sys, SYS_NO, "sys = no is SYS_NO");
	is_num(c.t.shm_size, 1LL << 30, "shm_size 1G");
	is_num(tloc(&c, K_FS_SHM_SIZE)->line, 25, "shm_size: line 25");
	cfg_free(&c);
}

static void
test_bools(void)
{
	static const struct { const char *s; int v; } good[] = {
		{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
		{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 },
		{ "YES", 1 }, { "Off", 0 },
	};
	static const char *const bad[] = { "maybe", "2", "", "y", "yess",
		"enabled", "-1", " yes" };
	struct cfg c;
	size_t i;
	char *t;
	int b, pb;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		pb = -1;
		b = parse_bool(good[i].s, &pb) == 0 && pb == good[i].v;
		t = xasprintf(BASE "[rootfs]\nreadonly = %s\n", good[i].s);
		load(&c, t);
		b = b && c.nerrs == 0 && validate(&c) == 0 &&
		    c.t.root_readonly == good[i].v;
		if (!ok(b, "bool \"%s\" is %s (parse_bool and [rootfs] readonly)",
		    good[i].s, good[i].v ? "yes" : "no"))
			if (!last_ok)
				dump_errs(&c);
		cfg_free(&c);
		free(t);
	}
	b = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_bool(bad[i], &pb) != -1) {
			diag("parse_bool(\"%s\") accepted", bad[i]);
			b = 0;
		}
	ok(b, "parse_bool rejects maybe, 2, empty, y, yess, enabled, -1, \" yes\"");
	load(&c, BASE "[rootfs]\nreadonly = maybe\n");
	ok(validate(&c) == -1, "readonly = maybe: validation fails");
	has_err(&c, "@:8: [rootfs] readonly: \"maybe\": expected yes, no, true, false, "
	    "on, off, 1 or 0", "readonly = maybe: file:line, key and reason");
	cfg_free(&c);
}

static void
test_sizes(void)
{
	static const struct { const char *s; long long v; } good[] = {
		{ "4096", 4096 }, { "512k", 512LL << 10 }, { "512K", 512LL << 10 },
		{ "64M", 64LL << 20 }, { "64m", 64LL << 20 }, { "1G", 1LL << 30 },
		{ "2T", 2LL << 40 }, { "64MiB", 64LL << 20 }, { "64MB", 64LL << 20 },
		{ "max", -1 }, { "0", 0 },
	};
	static const char *const bad[] = { "", "M", "64Q", "-1", "1.5G",
		"64 M", "0x10", "MAX", "64MiBs", "9999999999T",
		"18446744073709551616", "64iB" };
	struct cfg c;
	long long v;
	size_t i;
	int b;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -2;
		b = parse_size(good[i].s, &v) == 0 && v == good[i].v;
		if (!ok(b, "parse_size(\"%s\") = %lld", good[i].s, good[i].v))
			diag("got %lld", v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(parse_size(bad[i], &v) == -1, "parse_size rejects \"%s\"",
		    bad[i]);
	load(&c, BASE "[filesystem]\nshm_size = 0\n");
	validate(&c);
	has_err(&c, "@:8: [filesystem] shm_size: \"0\": must not be 0",
	    "shm_size = 0: must not be 0");
	cfg_free(&c);
	load(&c, BASE "[filesystem]\nshm_size = 64Q\n");
	validate(&c);
	has_err(&c, "@:8: [filesystem] shm_size: \"64Q\": expected a size such as "
	    "64M, "
	    "1G, 4096 or max", "shm_size = 64Q: bad size");
	cfg_free(&c);
	load(&c, BASE "[filesystem]\nshm_size = max\n");
	ok(validate(&c) == 0 && c.t.shm_size == -1,
	    "shm_size = max is -1 (no limit)");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);
}

static void
test_durations(void)
{
	static const struct { const char *s; long long v; int neg; } good[] = {
		{ "500ms", 500, 0 }, { "10s", 10000, 0 }, { "10", 10000, 0 },
		{ "2m", 120000, 0 }, { "2min", 120000, 0 }, { "1h", 3600000, 0 },
		{ "3d", 3 * 86400000LL, 0 }, { "0", 0, 0 }, { "-5s", -5000, 1 },
		{ "-500ms", -500, 1 },
	};
	static const struct { const char *s; int neg; } bad[] = {
		{ "", 0 }, { "ms", 0 }, { "10 s", 0 }, { "1.5s", 0 },
		{ "10sec", 0 }, { "-5s", 0 }, { "--5s", 1 }, { "5x", 0 },
		{ "1000000001s", 0 }, { " 10s", 0 },
	};
	struct cfg c;
	long long v;
	size_t i;
	int b;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -2;
		b = parse_duration(good[i].s, &v, good[i].neg) == 0 &&
		    v == good[i].v;
		if (!ok(b, "parse_duration(\"%s\") = %lld ms", good[i].s,
		    good[i].v))
			diag("got %lld", v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(parse_duration(bad[i].s, &v, bad[i].neg) == -1,
		    "parse_duration rejects \"%s\"%s", bad[i].s,
		    bad[i].neg ? " (negative allowed)" : "");
	load(&c, BASE "[process]\nstop_timeout = 10 seconds\n");
	validate(&c);
	has_err(&c, "@:8: [process] stop_timeout: \"10 seconds\": expected a "
	    "duration such as 500ms, 10s, 2m or 1h",
	    "stop_timeout = 10 seconds: bad duration, shown");
	cfg_free(&c);
	load(&c, BASE "[process]\nstop_timeout = -1s\n");
	validate(&c);
	has_err(&c, "@:8: [process] stop_timeout: \"-1s\": expected a duration "
	    "such as 500ms, 10s, 2m or 1h", "stop_timeout = -1s: not negative");
	cfg_free(&c);
	load(&c, BASE "[process]\nstop_timeout = 3651d\n");
	validate(&c);
	has_err(&c, "@:8: [process] stop_timeout: \"3651d\": out of range (at most 3650 "
	    "days)", "stop_timeout = 3651d: out of range");
	cfg_free(&c);
}

static void
test_words(void)
{
	static const struct {
		const char *in;
		const char *out[5];
		size_t n;
	} good[] = {
		{ "a b\t c  ", { "a", "b", "c" }, 3 },
		{ "'a b' \"c d\"", { "a b", "c d" }, 2 },
		{ "a\\ b \\'x", { "a b", "'x" }, 2 },
		{ "\"x\\\"y\\\\z\"", { "x\"y\\z" }, 1 },
		{ "\"a\\nb\"", { "a\\nb" }, 1 },
		{ "'a\\b'", { "a\\b" }, 1 },
		{ "'it'\\''s'", { "it's" }, 1 },
		{ "'' \"\"", { "", "" }, 2 },
		{ "a'b'\"c\"d", { "abcd" }, 1 },
		{ "'$HOME' * ;", { "$HOME", "*", ";" }, 3 },
		{ "", { NULL }, 0 },
	};
	const char *why = NULL;
	char **argv;
	size_t argc, i, j;
	int r;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		argv = NULL, argc = 0;
		r = parse_words(good[i].in, &argv, &argc, &why) == 0 &&
		    argc == good[i].n;
		for (j = 0; r && j < argc; j++)
			r = !strcmp(argv[j], good[i].out[j]);
		if (!ok(r, "parse_words <%s>", printable(good[i].in)))
			for (j = 0; j < argc; j++)
				diag("word[%zu]: '%s'", j, argv[j]);
		free_strv(argv);
	}
	argv = NULL, argc = 0;
	r = parse_words("a 'b c", &argv, &argc, &why);
	ok(r == -1 && why && !strcmp(why, "unterminated ' quote"),
	    "parse_words: unterminated ' quote");
	free_strv(argv);
	argv = NULL, argc = 0;
	r = parse_words("a \"b\\\"", &argv, &argc, &why);
	ok(r == -1 && why && !strcmp(why, "unterminated \" quote"),
	    "parse_words: unterminated \" quote (an escaped \" does not close)");
	free_strv(argv);
	argv = NULL, argc = 0;
	parse_words("x", &argv, &argc, &why);
	parse_words("y z", &argv, &argc, &why);
	ok(argc == 3 && !strcmp(argv[2], "z") && !argv[3],
	    "parse_words appends to argv, NULL-ended");
	free_strv(argv);
}

static void
test_continuation(void)
{
	struct cfg c;

	load(&c, "[process]\n"
	    "command = /bin/sh -c 'echo \"a  b\"\n"	/* 2 */
	    "\techo c' x\n"				/* 3 */
	    "    'y z'\n"				/* 4 */
	    "env = A=1\n"				/* 5 */
	    "\tB=2\n"					/* 6 */
	    "[init]\n"
	    "args = -v\n"				/* 8 */
	    "args = -g \"two\n"				/* 9 */
	    "  words\"\n"				/* 10 */
	    "[rootfs]\npath = /\n");
	no_errs(&c, "continuation lines: no errors");
	IS_STRV(cfg_words(&c, K_COMMAND), "command: quotes span continuation "
	    "lines, which join with one blank", "/bin/sh", "-c",
	    "echo \"a  b\" echo c", "x", "y z");
	is_num(tloc(&c, K_COMMAND)->line, 2, "command: location is its "
	    "first line");
	IS_STRV(cfg_list(&c, K_ENV), "env: a continuation line is one more "
	    "item", "A=1", "B=2");
	IS_STRV(cfg_words(&c, K_INIT_ARGS), "init args: lists of words append; "
	    "quotes span lines", "-v", "-g", "two words");
	cfg_free(&c);

	load(&c, BASE "[container]\nhostname = web\n\tserver\n");
	has_err(&c, "@:9: [container] hostname: an indented line continues a "
	    "value, but this key takes a single value",
	    "a continuation line of a scalar is an error");
	cfg_free(&c);

	load(&c, "[process]\ncommand = /bin/echo 'a\n\t[b'\n[rootfs]\npath = /\n");
	ok(c.nerrs == 0,
	    "a continuation line starting with '[' is fine");
	if (!last_ok)
		dump_errs(&c);
	IS_STRV(cfg_words(&c, K_COMMAND), "... and continues the value",
	    "/bin/echo", "a [b");
	cfg_free(&c);

	load(&c, "[process]\ncommand = /bin/true\n\n\t/bin/false\n"
	    "[rootfs]\npath = /\n");
	IS_STRV(cfg_words(&c, K_COMMAND), "an indented line after a blank "
	    "line still continues the value", "/bin/true", "/bin/false");
	cfg_free(&c);

	load(&c, BASE "[mounts]\nfile = /etc/motd:=line 1\n\tline 2\n"
	    "\tline 3\n");
	{
		struct mnt_spec m;
		const char *why = NULL;

		ok(c.nmounts == 1 && cfg_mount_parse(&c.mounts[0], &m, &why) == 0
		    && !strcmp(m.dst, "/etc/motd") &&
		    !strcmp(m.text, "line 1\nline 2\nline 3\n"),
		    "[mounts] file: continuation lines are lines of the text");
		mnt_spec_free(&m);
	}
	cfg_free(&c);
}

static void
test_lists(void)
{
	struct cfg c;

	load(&c, BASE "[process]\n"
	    "env = A=1\n"		/* 8 */
	    "env = B=2\n"
	    "env =\n"			/* 10: clears */
	    "env = C=3\n"
	    "env = D=4\n"
	    "[user]\n"
	    "uid_map =\n"		/* clears the default "auto" */
	    "gid_map =\n"
	    "gid_map = 0 100000 65536\n"
	    "[mounts]\n"
	    "bind = /etc\n"
	    "tmpfs = /run\n"
	    "bind = /usr\n"
	    "bind =\n"			/* clears binds, not tmpfs */
	    "bind_ro = /var\n");
	no_errs(&c, "lists: no errors");
	IS_STRV(cfg_list(&c, K_ENV), "env: repeated values append; an empty "
	    "value clears", "C=3", "D=4");
	is_num(tloc(&c, K_ENV)->line, 11, "env: location of the first item "
	    "after the clear");
	IS_EMPTY(cfg_list(&c, K_UID_MAP), "uid_map =: clears the default "
	    "(auto)");
	IS_STRV(cfg_list(&c, K_GID_MAP), "gid_map: clear then one range",
	    "0 100000 65536");
	ok(c.nmounts == 2 && c.mounts[0].kind == K_M_TMPFS &&
	    c.mounts[1].kind == K_M_BIND_RO && !strcmp(c.mounts[1].v.s, "/var"),
	    "mounts: bind = clears the binds only, order kept");
	cfg_set(&c, "process.env=E=5");
	IS_STRV(cfg_list(&c, K_ENV), "--set appends to a list", "C=3", "D=4",
	    "E=5");
	cfg_set(&c, "process.env=");
	IS_EMPTY(cfg_list(&c, K_ENV), "--set with an empty value clears a list");
	no_errs(&c, "lists: --set added no errors");
	cfg_free(&c);
}

static void
test_duplicates(void)
{
	struct cfg c;

	load(&c, BASE "[process]\n"
	    "umask = 0027\n"		/* 8 */
	    "env = A=1\n"
	    "umask = 0077\n"		/* 10 */
	    "[rootfs]\n"
	    "path = /srv\n");		/* 12: path was on line 4 */
	has_err(&c, "@:10: [process] umask: given twice (first on line 8)",
	    "scalar given twice: the error names both lines");
	has_err(&c, "@:12: [rootfs] path: given twice (first on line 4)",
	    "scalar given twice in a reopened section: both lines named");
	is_num(c.nerrs, 2, "given twice: two errors");
	is_str(cfg_str(&c, K_UMASK), "0027", "given twice: the first value "
	    "stays");
	cfg_free(&c);

	load(&c, BASE "[container]\nhostname =\nhostname = web\n");
	ok(find_err(&c, "@:9: [container] hostname: given twice (first on "
	    "line 8)", 1) >= 0,
	    "scalar given twice, the first time empty: still an error");
	cfg_free(&c);
}

static void
test_set(void)
{
	struct cfg c;
	const struct loc *l;

	load(&c, BASE "[process]\numask = 0022\n");
	ok(cfg_set(&c, "process.umask=0077") == 0, "--set of a scalar: ok");
	ok(cfg_set(&c, "process.umask= 0070") == 0,
	    "--set of a scalar twice: ok (blanks after = are skipped)");
	cfg_validate(&c);
	no_errs(&c, "--set replaces a scalar given in the file: no error");
	is_num(c.t.umask, 070, "--set: the last value wins");
	l = tloc(&c, K_UMASK);
	ok(l && l->line == 0 && !strcmp(l->file, "--set process.umask= 0070"),
	    "--set: the location is the option itself");
	ok(cfg_set(&c, "process.command=/bin/echo 'a b'") == 0 &&
	    c.nerrs == 0, "--set replaces the command (a word list)");
	IS_STRV(cfg_words(&c, K_COMMAND), "--set command: words parsed",
	    "/bin/echo", "a b");
	ok(validate(&c) == 0, "--set values validate");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);

	load(&c, BASE);
	cfg_set(&c, "process.umask=0800");
	ok(validate(&c) == -1, "--set process.umask=0800: validation fails");
	has_err(&c, "--set process.umask=0800: [process] umask: \"0800\": "
	    "expected an octal mode from 0000 to 0777",
	    "--set bad value: the error names \"--set SEC.KEY=VALUE\"");
	cfg_free(&c);

	load(&c, BASE);
	ok(cfg_set(&c, "umask=0077") == -1, "--set without a section: fails");
	has_err(&c, "--set umask=0077: expected SECTION.KEY=VALUE",
	    "--set without a section: error");
	ok(cfg_set(&c, "process.umask") == -1, "--set without '=': fails");
	has_err(&c, "--set process.umask: expected SECTION.KEY=VALUE",
	    "--set without '=': error");
	ok(cfg_set(&c, "process.umsk=0077") == -1, "--set unknown key: fails");
	has_err(&c, "--set process.umsk=0077: [process] unknown key \"umsk\" "
	    "(did you mean \"umask\"?)", "--set unknown key: with a hint");
	ok(cfg_set(&c, "proces.umask=0077") == -1,
	    "--set unknown section: fails");
	has_err(&c, "--set proces.umask=0077: unknown section [proces] (did "
	    "you mean [process]?)", "--set unknown section: with a hint");
	cfg_free(&c);
}

static void
test_set_command(void)
{
	static char *argv[] = { "/bin/echo", "a b", "it's", "", "$x", "\\",
		"\"q\"", "tab\there", NULL };
	struct cfg c;
	char **w;
	size_t i;
	int r;

	load(&c, BASE);
	cfg_set_command(&c, argv);
	w = cfg_words(&c, K_COMMAND);
	for (r = 1, i = 0; argv[i] || w[i]; i++)
		if (!argv[i] || !w[i] || strcmp(argv[i], w[i])) {
			r = 0;
			break;
		}
	ok(r && c.cmdline_command, "cfg_set_command: the words come back "
	    "verbatim (blanks, quotes, backslash, empty)");
	free_strv(w);
	cfg_free(&c);
}

static void
test_unknown(void)
{
	struct cfg c;

	load(&c, BASE
	    "[proces]\n"		/* 7 */
	    "user = 1\n"		/* 8 */
	    "[zzzzzzzz]\n"
	    "a = 1\n"			/* 10 */
	    "[process]\n"
	    "comand = /bin/false\n"	/* 12 */
	    "qqqqqqqqq = 1\n"		/* 13 */
	    "Umask = 0022\n"		/* 14 */
	    "[rootfs]\n"
	    "overlay: tmpfs\n");	/* 16: ':' works like '=' */
	has_err(&c, "@:7: unknown section [proces] (did you mean [process]?)",
	    "unknown section: with a hint, on its header's line");
	has_err(&c, "@:9: unknown section [zzzzzzzz]",
	    "unknown section: no hint when nothing is close");
	has_err(&c, "@:12: [process] unknown key \"comand\" (did you mean "
	    "\"command\"?)", "unknown key: with a hint");
	has_err(&c, "@:13: [process] unknown key \"qqqqqqqqq\"",
	    "unknown key: no hint when nothing is close");
	has_err(&c, "@:14: [process] unknown key \"Umask\" (did you mean "
	    "\"umask\"?)", "keys are case-sensitive; the hint is not");
	is_num(c.nerrs, 5, "unknown: five errors, all collected");
	is_str(cfg_str(&c, K_ROOT_OVERLAY), "tmpfs", "KEY: VALUE also sets");
	is_str(cfg_str(&c, K_USER), "0", "a key of an unknown section sets "
	    "nothing");
	cfg_free(&c);

	load(&c, "[rootfs]\npath = /\n[container]\n  nmae = web\n"
	    "[process]\ncommand = /bin/true\n");
	ok(find_err(&c, "@:4: [container] unknown key \"nmae\" (did you "
	    "mean \"name\"?)", 1) >= 0, "an indented unknown key after a section header "
	    "is reported");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);

	load(&c, "name = web\n" BASE);
	has_err(&c, "@:1: key \"name\" before any [section]", "a key before "
	    "any section is named as such");
	cfg_free(&c);
}

static void
test_syntax(void)
{
	struct cfg c;

	load(&c, BASE "[process]\n"
	    "just some words\n"		/* 8 */
	    "[rootfs\n"			/* 9 */
	    "readonly = no\n");
	has_err(&c, "@:8: expected KEY = VALUE, [SECTION] or a comment",
	    "a line without '=' is an error");
	has_err(&c, "@:9: section header without ']'", "a section header "
	    "without ']' is an error");
	/*
	 * After a header without ']' the keys stay in the previous section:
	 * readonly is reported as unknown in [process].
	 */
	has_err(&c, "@:10: [process] unknown key \"readonly\"", "after a broken "
	    "header, keys stay in the previous section");
	is_num(c.nerrs, 3, "syntax: three errors (no extra \"syntax error\")");
	cfg_free(&c);

	load_n(&c, BASE "[process]\nenv = A=1\0B\n", strlen(BASE) + 22);
	has_err(&c, "@:8: line contains a NUL byte", "a NUL byte is an error");
	IS_EMPTY(cfg_list(&c, K_ENV), "a line with a NUL byte sets nothing");
	cfg_free(&c);

	load(&c, BASE "[process]\n  env\n");
	has_err(&c, "@:8: expected KEY = VALUE, [SECTION] or a comment",
	    "an indented line without '=' after "
	    "a section header: a syntax error with its line");
	cfg_free(&c);

	load(&c, BASE "[process]\nbogus = 1\n[rootfs]\n  junk\n");
	ok(find_err(&c, "@:10:", 0) >= 0, "a syntax error is "
	    "reported even when there are other errors");
	cfg_free(&c);

	load(&c, BASE "[process] umask = 0077\n");
	ok(c.nerrs > 0 || strcmp(cfg_str(&c, K_UMASK), "0022"), "\"[process] umask = 0077\": the "
	    "assignment on a header line is not silently dropped");
	cfg_free(&c);

	load(&c, "\xef\xbb\xbf" BASE);
	ok(c.nerrs == 0, "a UTF-8 byte order mark before [process] is "
	    "accepted");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);

	load(&c, "# comment\n; comment\n\t# indented comment\n\n"
	    "[process]\r\ncommand = /bin/true\r\n[rootfs]\r\npath = /\r\n");
	no_errs(&c, "comments, blank lines and CRLF line ends are fine");
	is_str(cfg_str(&c, K_ROOT_PATH), "/", "CRLF: the value has no \\r");
	cfg_free(&c);
}

/* A line of exactly len characters (newline not counted). */
static char *
line_of(const char *head, size_t len, const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	char *s = xcalloc(len + 1, 1);

	memcpy(s, head, h);
	memset(s + h, 'a', len - h - t);
	memcpy(s + len - t, tail, t);
	return s;
}

static void
test_overlong(void)
{
	struct cfg c;
	char *l1, *l2, *t, **env;
	int leak;
	size_t i;

	l1 = line_of("env = X=", 198, "");
	t = xasprintf(BASE "[process]\n%s\n", l1);
	load(&c, t);
	no_errs(&c, "a line of 198 characters is fine");
	env = cfg_list(&c, K_ENV);
	ok(env[0] && strlen(env[0]) == 192, "the 198-character line's value "
	    "is whole");
	free_strv(env);
	cfg_free(&c);
	free(t);
	free(l1);

	/*
	 * inih reads 199 bytes at a time: the tail of a longer line would be
	 * a line of its own, here "umask = 0777" and an unknown key.
	 */
	l1 = line_of("env = X=", 199 + 12, "umask = 0777");
	l2 = line_of("\tY=", 199 + 16, "zz_unknown = 1");
	t = xasprintf(BASE "[process]\n"
	    "%s\n"			/* 8 */
	    "env = Z=1\n"		/* 9 */
	    "%s\n"			/* 10: an overlong continuation */
	    "cwd = /\n"			/* 11 */
	    "cwd = /srv\n",		/* 12 */
	    l1, l2);
	load(&c, t);
	has_err(&c, "@:8: line is 211 characters long; the limit is 198: "
	    "continue the value on indented lines", "a line of 211 characters: "
	    "error with its line number and length");
	has_err(&c, "@:10: line is 215 characters long; the limit is 198: "
	    "continue the value on indented lines", "an overlong continuation "
	    "line: error too");
	has_err(&c, "@:12: [process] cwd: given twice (first on line 11)",
	    "line numbers after overlong lines are right");
	is_num(c.nerrs, 3, "overlong: exactly the expected errors (no "
	    "unknown key from a split line)");
	is_str(cfg_str(&c, K_UMASK), "0022", "no data from a split line leaks "
	    "as a separate key");
	env = cfg_list(&c, K_ENV);
	for (leak = 0, i = 0; env[i]; i++)
		if (strcmp(env[i], "Z=1"))
			leak = 1;
	ok(!leak && i == 1, "the overlong lines set no part of their value");
	free_strv(env);
	cfg_free(&c);

	/* the required command on an overlong line: one error, not two */
	free(t);
	free(l1);
	l1 = line_of("command = /bin/echo ", 199 + 10, "");
	t = xasprintf("[rootfs]\npath = /\n[process]\n%s\n", l1);
	load(&c, t);
	validate(&c);
	is_num(c.nerrs, 1, "an overlong command line: its own error only, no "
	    "follow-on \"required\"");
	dump_errs(&c);
	cfg_free(&c);
	free(t);
	free(l1);
	free(l2);

	/* The last line, without a newline, may have one more character. */
	l1 = line_of("env = X=", 199, "");
	t = xasprintf(BASE "[process]\n%s", l1);
	load(&c, t);
	no_errs(&c, "199 characters without a final newline: accepted");
	env = cfg_list(&c, K_ENV);
	ok(env[0] && strlen(env[0]) == 193, "... and the value is whole");
	free_strv(env);
	cfg_free(&c);
	free(t);
	free(l1);
	l1 = line_of("env = X=", 200, "");
	t = xasprintf(BASE "[process]\n%s", l1);
	load(&c, t);
	has_err(&c, "@:8: line is 200 characters long; the limit is 198: "
	    "continue the value on indented lines",
	    "200 characters without a final newline: error");
	cfg_free(&c);
	free(t);
	free(l1);
}

static void
test_inline_comment(void)
{
	struct cfg c;

	load(&c, BASE "[process]\n"
	    "env = A=1 ; the first\n"		/* 8 */
	    "env = B=2\t;x\n"			/* 9 */
	    "command = /bin/sh -c 'a ;b'\n"	/* 10: quotes do not help */
	    "env = C=x;y\n"			/* 11: fine */
	    "env = D=x ;\n");			/* 12 */
	has_err(&c, "@:8: \" ;\" starts an inline comment, which would cut "
	    "this value; write \\; for a ; in a command (or drop the blank "
	    "before it), and put comments on their own line",
	    "a value with \" ;\" is rejected");
	has_err(&c, "@:9: \" ;\" starts an inline comment, which would cut "
	    "this value; write \\; for a ; in a command (or drop the blank "
	    "before it), and put comments on their own line",
	    "a value with a tab before ';' is rejected");
	ok(find_err(&c, "@:10: \" ;\" starts an inline comment", 0) >= 0,
	    "\" ;\" inside quotes is rejected too (inih would cut it)");
	ok(find_err(&c, "@:12: \" ;\" starts an inline comment", 0) >= 0,
	    "\" ;\" at the end of a value is rejected");
	ok(find_err(&c, "@:11:", 0) < 0, "';' without a blank before it is "
	    "fine");
	cfg_free(&c);
	load(&c, BASE "[process]\nenv = C=x;y\n");
	IS_STRV(cfg_list(&c, K_ENV), "';' without a blank before it stays in "
	    "the value", "C=x;y");
	cfg_free(&c);
}

/* [cgroup] devices and [filesystem] device: typed, in order, checked. */
static void
test_devices(void)
{
	const struct dev_rule *d;
	const struct dev_node *n;
	struct cfg c;

	load(&c, BASE "[cgroup]\ndevices = deny-all, allow b 7:* r\n"
	    "devices = deny c 1:3 w\n[filesystem]\n"
	    "device = /dev/net/tun c 10:200 0640 1000:29\n"
	    "device = /dev/q p\n");
	if (!no_errs(&c, "devices and device: valid") || validate(&c))
		dump_errs(&c);
	d = c.t.cg_devices.v;
	ok(c.t.cg_devices.n == 3 && !d[0].allow && d[0].type == 'a' &&
	    d[0].major == -1 && d[0].access == 7 && d[1].allow &&
	    d[1].type == 'b' && d[1].major == 7 && d[1].minor == -1 &&
	    d[1].access == DEV_READ && !d[2].allow && d[2].type == 'c' &&
	    d[2].minor == 3 && d[2].access == DEV_WRITE,
	    "devices: three rules, in order, typed");
	n = c.t.dev_nodes.v;
	ok(c.t.dev_nodes.n == 2 && !strcmp(n[0].path, "/dev/net/tun") &&
	    n[0].type == 'c' && n[0].major == 10 && n[0].minor == 200 &&
	    n[0].mode == 0640 && n[0].uid == 1000 && n[0].gid == 29 &&
	    n[0].loc.line == 11 && n[1].type == 'p' && n[1].mode == 0666,
	    "device: two nodes with numbers, mode, owner and line");
	cfg_free(&c);
	load(&c, BASE "[cgroup]\ndevices = x 1:3 r\ndevices = c 1:3 rwz\n"
	    "[filesystem]\ndevice = /etc/x c 1:3\ndevice = /dev/x c\n");
	validate(&c);
	ok(find_err(&c, "@:8: [cgroup] devices: \"x 1:3 r\": expected",
	    0) >= 0 && find_err(&c, "@:9: [cgroup] devices: \"c 1:3 rwz\": "
	    "expected an access", 0) >= 0 && find_err(&c, "@:11: [filesystem] "
	    "device: \"/etc/x c 1:3\": expected an absolute path below /dev/",
	    0) >= 0 && find_err(&c, "@:12: [filesystem] device: \"/dev/x c\": "
	    "expected MAJOR:MINOR", 0) >= 0, "bad rules and nodes: each at "
	    "its line");
	cfg_free(&c);
	load(&c, BASE "[filesystem]\ndev = none\ndevice = /dev/x p\n");
	validate(&c);
	ok(find_err(&c, "@:9: [filesystem] device: needs [filesystem] dev = "
	    "minimal", 0) >= 0, "device needs dev = minimal");
	cfg_free(&c);
}

static void
test_quote_roundtrip(void)
{
	static const char *const words[] = { "", "plain", "a b", "it's", "'",
		"\"", "\\", "a\\b", "$HOME", "*", "tab\there", "semi;colon",
		"x'y'z", "--opt=val", "\xc3\xbc", "a  b", " lead", "trail ",
		"''", "a ;b", "#x", "new\nline", "--x=a:b,c+d@e%f/g_h" };
	size_t n = sizeof(words) / sizeof(words[0]), i, argc;
	char *q, *all = xstrdup(""), *t, **argv;
	const char *why;
	int r;

	for (i = 0; i < n; i++) {
		q = quote_word(words[i]);
		argv = NULL, argc = 0;
		r = parse_words(q, &argv, &argc, &why) == 0 && argc == 1 &&
		    !strcmp(argv[0], words[i]);
		if (!ok(r, "quote_word/parse_words round trip: <%s>",
		    printable(words[i])))
			diag("quoted: <%s>", q);
		free_strv(argv);
		t = xasprintf("%s%s%s", all, i ? " " : "", q);
		free(all);
		all = t;
		free(q);
	}
	argv = NULL, argc = 0;
	r = parse_words(all, &argv, &argc, &why) == 0 && argc == n;
	for (i = 0; r && i < n; i++)
		r = !strcmp(argv[i], words[i]);
	ok(r, "all quoted words joined by blanks parse back to the same list");
	free_strv(argv);
	free(all);
	q = quote_word("simple/path-1.0_x=y:z");
	is_str(q, "simple/path-1.0_x=y:z", "quote_word leaves plain words "
	    "alone");
	free(q);
	q = quote_word("it's");
	is_str(q, "'it'\\''s'", "quote_word: shell-style single quotes");
	free(q);
}

static void
test_suggest(void)
{
	static const char *const cands[] = { "command", NULL, "cwd", "umask" };

	is_num(suggest("comand", cands, 4), 0, "suggest: one deletion");
	is_num(suggest("COMMAND", cands, 4), 0, "suggest: case-insensitive");
	is_num(suggest("umsak", cands, 4), 3, "suggest: a swap is 2 edits");
	is_num(suggest("xyzzy", cands, 4), -1, "suggest: nothing close");
	is_num(suggest("cwd", cands, 4), 2, "suggest: exact match");
}

/*
 * Print, write the text to the same file, load and print again: the two
 * prints must be identical and the reloaded config free of errors.
 */
static int
roundtrip(struct cfg *c, char **diff_a, char **diff_b)
{
	struct cfg c2;
	char *p1 = print_cfg(c), *p2;
	FILE *f = fopen(c->file, "w");
	int r;

	if (!f || fputs(p1, f) == EOF || fclose(f))
		exit(2);
	cfg_init(&c2, c->file, c->self_dir);
	r = cfg_load_file(&c2) == 0 && cfg_validate(&c2) == 0;
	p2 = print_cfg(&c2);
	if (!r)
		dump_errs(&c2);
	r = r && !strcmp(p1, p2);
	*diff_a = p1, *diff_b = p2;
	cfg_free(&c2);
	return r;
}

static void
test_print_roundtrip(void)
{
	struct cfg c;
	char *a, *b, *big;
	int r;

	load(&c, BASE
	    "[container]\nhostname = box\n"
	    "[process]\n"
	    "env = A=1\n\tB=two words\n"
	    "env = C='q'\n"
	    "env_keep = TERM\n"
	    "groups = 10\ngroups = 20\n"
	    "umask = 0077\n"
	    "[process]\n"
	    "[user]\nuid_map = 0 100000 1000\nuid_map = 1000 1000 1\n"
	    "gid_map =\n"
	    "[time]\nmonotonic_offset = -1h\n"
	    "[mounts]\n"
	    "bind_ro = /etc:/mnt/etc:nosuid,nodev\n"
	    "tmpfs = /scratch:size=16M,mode=1777\n"
	    "file = /etc/motd:=hello\n\tworld 'x' \"y\"\n"
	    "symlink = /proc/self/fd:/dev/fd\n"
	    "mkdir = /data\n");
	cfg_set(&c, "filesystem.shm_size=128M");
	{
		static char *argv[] = { "/bin/sh", "-c", "echo \"$1\" 'x'",
			"it's", "", "a\\b", "--long-option-number-one",
			"--long-option-number-two", "--long-option-number-three",
			"--long-option-number-four", "--long-option-number-five",
			"--long-option-number-six", NULL };

		cfg_set_command(&c, argv);
	}
	no_errs(&c, "print round trip: the config loads");
	ok(cfg_validate(&c) == 0, "print round trip: the config validates");
	if (!last_ok)
		dump_errs(&c);
	r = roundtrip(&c, &a, &b);
	if (!ok(r, "cfg_print output loads back, validates and prints "
	    "identically"))
		diag("first print:\n%s\nsecond print:\n%s", a, b);
	ok(strstr(a, "\n\t") != NULL, "the long command was wrapped onto a "
	    "continuation line");
	free(a);
	free(b);
	cfg_free(&c);

	/* Known failures. */
	load(&c, BASE "[init]\nargs = -v 'a\n\tb'\n");
	ok(validate(&c) == 0, "init args with quotes spanning lines "
	    "validate");
	ok(roundtrip(&c, &a, &b), "print round trip: init args "
	    "with quotes spanning lines");
	free(a);
	free(b);
	cfg_free(&c);

	load(&c, BASE);
	{
		static char *argv[] = { "/bin/sh", "-c", "true ;true", NULL };

		cfg_set_command(&c, argv);
	}
	ok(roundtrip(&c, &a, &b), "print round trip: a command word with "
	    "\" ;\"");
	free(a);
	free(b);
	cfg_free(&c);

	load(&c, BASE);
	big = line_of("", 250, "");
	{
		char *argv[] = { "/bin/echo", big, NULL };

		cfg_set_command(&c, argv);
	}
	todo(roundtrip(&c, &a, &b), "limit: a word of 250 characters cannot "
	    "be written within the 198-character line limit",
	    "print round trip: a 250-character word");
	free(a);
	free(b);
	free(big);
	cfg_free(&c);

	/*
	 * print_words wraps at single blanks, even inside quotes: a wrap
	 * right before '#' makes the rest a comment, before '[' a section
	 * header.  The command: /bin/echo, 130 x, then the quoted word: the
	 * blank before its 5th part is column 149.
	 */
	{
		static const char *const tail[] = { "a b c d #e f g",
			"a b c d [e f g" };
		size_t i;

		big = line_of("", 130, "");
		for (i = 0; i < 2; i++) {
			char *argv[] = { "/bin/echo", big, (char *)tail[i], NULL };

			load(&c, BASE);
			cfg_set_command(&c, argv);
			ok(roundtrip(&c, &a, &b), "print round "
			    "trip: a long command wrapped inside quotes before "
			    "'%s'", i ? "[" : "\\#");
			free(a);
			free(b);
			cfg_free(&c);
		}
		free(big);
	}

	load(&c, BASE "[namespaces]\nuts = host\n");
	ok(validate(&c) == 0, "uts = host without a hostname validates");
	if (!last_ok)
		dump_errs(&c);
	ok(roundtrip(&c, &a, &b), "print round trip: uts = host (the "
	    "computed hostname does not conflict)");
	free(a);
	free(b);
	cfg_free(&c);

	load(&c, BASE "[filesystem]\ndev = host\n");
	ok(validate(&c) == 0, "dev = host without shm_size validates");
	if (!last_ok)
		dump_errs(&c);
	ok(roundtrip(&c, &a, &b), "print round trip: dev = host (the "
	    "default shm_size does not conflict)");
	free(a);
	free(b);
	cfg_free(&c);
}

static void
test_idmaps(void)
{
	struct cfg c;
	struct idmap *m;
	size_t n;

	load(&c, BASE "[user]\n"
	    "uid_map = 0 100000 1000\n"		/* 8 */
	    "uid_map = 1000 1000 1\n"		/* 9 */
	    "uid_map = 500 200000 10\n"		/* 10: inside overlaps */
	    "uid_map = 2000 100500 10\n"	/* 11: outside overlaps */
	    "gid_map = auto\n"			/* 12 */
	    "gid_map = 0 0 1\n"			/* 13 */
	    "[process]\nuser = 4294967295\n"	/* 15 */
	    "group = 4294967294\n");		/* 16 */
	validate(&c);
	has_err(&c, "@:10: [user] uid_map: range \"500 200000 10\" overlaps "
	    "another range of the map", "uid_map: overlapping inside ranges");
	has_err(&c, "@:11: [user] uid_map: range \"2000 100500 10\" overlaps "
	    "another range of the map", "uid_map: overlapping outside ranges");
	ok(find_err(&c, "@:8:", 0) < 0 && find_err(&c, "@:9:", 0) < 0,
	    "uid_map: disjoint ranges are fine");
	has_err(&c, "@:12: [user] gid_map: auto and identity cannot be "
	    "combined with other ranges", "gid_map: auto with a range");
	has_err(&c, "@:15: [process] user: \"4294967295\": expected an id from 0 to "
	    "4294967294 "
	    "or a name", "user = 4294967295 is out of range");
	ok(find_err(&c, "@:16:", 0) < 0, "group = 4294967294 is fine");
	m = c.t.uid_map.range;
	n = c.t.uid_map.n;
	ok(c.t.uid_map.kind == MAP_RANGES && n == 2 && m[0].inside == 0 &&
	    m[0].outside == 100000 && m[0].count == 1000 &&
	    m[1].inside == 1000 && m[1].count == 1 && m[1].loc.line == 9,
	    "the typed uid_map holds the ranges that do not overlap, with "
	    "their lines");
	cfg_free(&c);

	load(&c, BASE "[user]\n"
	    "uid_map = 0 1000\n"		/* 8 */
	    "uid_map = 0 0 0\n"
	    "uid_map = 4294967295 0 2\n"	/* 10 */
	    "uid_map = 0 0 1 2\n"
	    "uid_map = x 0 1\n");
	validate(&c);
	ok(find_err(&c, "@:8: [user] uid_map: \"0 1000\": expected \"INSIDE "
	    "OUTSIDE COUNT\" (COUNT > 0, ids below 2^32), auto or identity",
	    1) >= 0 &&
	    find_err(&c, "@:9: [user] uid_map: \"0 0 0\": expected", 0) >= 0 &&
	    find_err(&c, "@:10: [user] uid_map: \"4294967295 0 2\": "
	    "expected", 0) >= 0 &&
	    find_err(&c, "@:11: [user] uid_map: \"0 0 1 2\": expected", 0) >= 0 &&
	    find_err(&c, "@:12: [user] uid_map: \"x 0 1\": expected", 0) >= 0,
	    "uid_map: two fields, count 0, past 2^32, four fields, not a "
	    "number: all rejected");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);
}

static void
test_mounts(void)
{
	struct cfg c;
	struct mnt_spec m;
	const char *why;
	int r;

	load(&c, BASE "[mounts]\n"
	    "bind = /etc:/mnt:ro,nosuid\n"
	    "tmpfs = /scratch:size=1M,mode=1777,uid=5\n"
	    "symlink = /proc/self/fd:/dev/fd\n");
	r = cfg_mount_parse(&c.mounts[0], &m, &why) == 0 &&
	    !strcmp(m.src, "/etc") && !strcmp(m.dst, "/mnt") &&
	    m.attrs == (M_RO | M_NOSUID) && m.loc.line == 8;
	ok(r, "bind SRC:DST:OPTIONS parsed");
	mnt_spec_free(&m);
	r = cfg_mount_parse(&c.mounts[1], &m, &why) == 0 &&
	    !strcmp(m.dst, "/scratch") &&
	    !strcmp(m.data, "size=1048576,mode=1777,uid=5");
	ok(r, "tmpfs DST:OPTIONS parsed (size in bytes)");
	if (!r && m.data)
		diag("data: %s", m.data);
	mnt_spec_free(&m);
	r = cfg_mount_parse(&c.mounts[2], &m, &why) == 0 &&
	    !strcmp(m.text, "/proc/self/fd") && !strcmp(m.dst, "/dev/fd");
	ok(r, "symlink TARGET:LINK parsed");
	mnt_spec_free(&m);
	cfg_free(&c);

	load(&c, BASE "[mounts]\n"
	    "tmpfs = /a:size=0\n"		/* 8 */
	    "tmpfs = /b:size=12Q\n"
	    "tmpfs = c\n"			/* 10 */
	    "bind = etc:/mnt\n"
	    "bind = /etc:/mnt:rox\n"		/* 12 */
	    "mkdir = /a/../../b\n"
	    "bind = /nonexistent-src:/mnt\n");	/* 14 */
	ok(validate(&c) == -1, "bad mounts: validation fails");
	has_err(&c, "@:8: [mounts] tmpfs: \"/a:size=0\": bad option (expected "
	    "size=SIZE, mode=OCTAL, uid=N or gid=N)", "tmpfs size=0 rejected");
	ok(find_err(&c, "@:9: [mounts] tmpfs: \"/b:size=12Q\": bad option", 0)
	    >= 0, "tmpfs size=12Q rejected");
	has_err(&c, "@:10: [mounts] tmpfs: \"c\": expected DST[:OPTIONS] with "
	    "an absolute DST", "tmpfs relative DST rejected");
	has_err(&c, "@:11: [mounts] bind: \"etc:/mnt\": expected "
	    "SRC[:DST[:OPTIONS]] with absolute paths", "bind relative SRC "
	    "rejected");
	ok(find_err(&c, "@:12: [mounts] bind: \"/etc:/mnt:rox\": unknown "
	    "option", 0) >= 0, "bind unknown option rejected");
	has_err(&c, "@:13: [mounts] mkdir: \"/a/../../b\": the destination "
	    "must not contain \"..\"", "mkdir with .. rejected");
	cfg_free(&c);

	load(&c, BASE "[mounts]\nbind = /nonexistent-src:/mnt\n"
	    "bind = /nonexistent-opt:/opt:optional\n");
	ok(validate(&c) == -1, "missing bind source: validation fails");
	has_err(&c, "@:8: [mounts] bind: source \"/nonexistent-src\" does not "
	    "exist", "missing bind source: named with its line");
	ok(find_err(&c, "@:9:", 0) < 0, "a missing optional source is fine");
	cfg_free(&c);
}

static void
test_conflicts(void)
{
	struct cfg c;

	load(&c, BASE
	    "[container]\nhostname = box\n"		/* 8 */
	    "[namespaces]\nuts = host\n"
	    "time = host\n[time]\nboottime_offset = 1h\n"	/* 13 */
	    "[namespaces]\nmount = host\n"		/* 15 */
	    "[init]\nmode = direct\nargs = -v\n"	/* 18 */
	    "[filesystem]\ndev = host\nshm_size = 1M\n");	/* 21 */
	ok(validate(&c) == -1, "conflicting keys: validation fails");
	has_err(&c, "@:8: [container] hostname: needs [namespaces] uts = new",
	    "hostname with uts = host");
	has_err(&c, "@:13: [time] boottime_offset: needs [namespaces] "
	    "time = new", "boottime_offset with time = host");
	has_err(&c, "@:15: [namespaces] mount: must be new: nook builds the "
	    "container's root in a mount namespace of its own", "mount = host");
	has_err(&c, "@:18: [init] args: conflicts with [init] mode = direct (no "
	    "init runs)", "init args with mode = direct");
	has_err(&c, "@:21: [filesystem] shm_size: applies only with "
	    "[filesystem] dev = minimal", "shm_size with dev = host");
	is_num(c.nerrs, 5, "conflicts: five errors");
	cfg_free(&c);

	load(&c, BASE "[namespaces]\ntime = host\n[time]\nboottime_offset = 0s\n");
	ok(validate(&c) == 0, "boottime_offset = 0s with time = host is "
	    "fine");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);
}

static void
test_all_errors(void)
{
	struct cfg c;

	load(&c, "[process]\n"
	    "command = /bin/true\n"
	    "comand = x\n"		/* 3 */
	    "command = y\n"		/* 4 */
	    "[rootfs]\n"
	    "path = /\n"
	    "just words\n"		/* 7 */
	    "[rootfs\n"			/* 8 */
	    "[process]\n"
	    "env = A ; b\n");		/* 10 */
	is_num(c.nerrs, 5, "five load errors in one file: all collected");
	ok(c.nerrs == 5 && strstr(c.errs[0], ":3: ") &&
	    strstr(c.errs[1], ":4: ") && strstr(c.errs[2], ":7: ") &&
	    strstr(c.errs[3], ":8: ") && strstr(c.errs[4], ":10: "),
	    "load errors come in line order");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);

	load(&c, BASE "[process]\n"
	    "umask = 0800\n"		/* 8 */
	    "cwd = relative\n"		/* 9 */
	    "stop_timeout = soon\n"	/* 10 */
	    "[filesystem]\n"
	    "sys = r0\n"		/* 12 */
	    "[container]\n"
	    "hostname = web_1\n");	/* 14 */
	ok(validate(&c) == -1 && c.nerrs == 5, "five bad values in one "
	    "file: all collected");
	has_err(&c, "@:12: [filesystem] sys: \"r0\" is not one of ro, rw, no "
	    "(did you mean ro?)", "enum: the choices and a hint");
	has_err(&c, "@:14: [container] hostname: \"web_1\": expected a host "
	    "name: 1-64 characters of A-Z a-z 0-9 - . (not starting with - or "
	    ".)",
	    "hostname with '_' rejected");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);
}

/* Numbers past their range are errors (ERANGE), never wrapped. */
static void
test_limits(void)
{
	static const struct { const char *s; int neg; long long v; } dur[] = {
		{ "3650d", 0, 3650LL * 86400000 }, { "-3650d", 1,
		-3650LL * 86400000 }, { "87600h", 0, 3650LL * 86400000 },
		{ "315360000000ms", 0, 3650LL * 86400000 },
	};
	static const char *const dur_big[] = { "3651d", "427007965d",
		"18446744073709551616s", "99999999999999999999999999ms",
		"315360000001ms" };
	struct rlimit_spec rs;
	const char *why = NULL;
	struct cfg c;
	long long v;
	size_t i;
	int r;

	for (i = 0; i < sizeof(dur) / sizeof(dur[0]); i++) {
		v = 0;
		r = parse_duration(dur[i].s, &v, dur[i].neg);
		if (!ok(r == 0 && v == dur[i].v, "parse_duration(\"%s\"): the "
		    "limit itself is fine", dur[i].s))
			diag("r %d, got %lld", r, v);
	}
	for (i = 0; i < sizeof(dur_big) / sizeof(dur_big[0]); i++) {
		errno = 0;
		r = parse_duration(dur_big[i], &v, 1);
		ok(r == -1 && errno == ERANGE, "parse_duration(\"%s\"): ERANGE",
		    dur_big[i]);
	}
	errno = 0;
	ok(parse_duration("5x", &v, 0) == -1 && errno == EINVAL,
	    "parse_duration(\"5x\"): EINVAL, not ERANGE");
	ok(parse_size("8388607T", &v) == 0 && v == 8388607LL << 40,
	    "parse_size(\"8388607T\") fits in 63 bits");
	errno = 0;
	ok(parse_size("8388608T", &v) == -1 && errno == ERANGE,
	    "parse_size(\"8388608T\"): ERANGE");

	r = rlimit_parse(K_RL_FIRST + 13, "427007965d", &rs, &why);
	ok(r == -1 && why && !strcmp(why, "out of range (at most 3650 days)"),
	    "rlimit rttime = 427007965d: out of range, not 7.9 hours");
	if (!last_ok)
		diag("r %d, soft %llu, why %s", r, rs.soft, why ? why : "-");
	r = rlimit_parse(K_RL_FIRST + 13, "3650d", &rs, &why);
	ok(r == 0 && rs.soft == 3650ULL * 86400 * 1000000,
	    "rlimit rttime = 3650d is 3650 days in microseconds");
	r = rlimit_parse(K_RL_FIRST + 2, "3650d", &rs, &why);
	ok(r == 0 && rs.soft == 3650ULL * 86400, "rlimit cpu = 3650d in "
	    "seconds");
	load(&c, BASE "[rlimits]\nrttime = 427007965d\n");
	validate(&c);
	has_err(&c, "@:8: [rlimits] rttime: \"427007965d\": out of range (at "
	    "most 3650 days)",
	    "rttime = 427007965d: an error with file:line");
	cfg_free(&c);
}

/* The file itself: a FIFO must not hang, a huge file is refused. */
static void
test_config_file(void)
{
	char path[64] = "/tmp/unit-config-fifo-XXXXXX";
	struct cfg c;
	char *big, *p;
	size_t n = (1 << 20) + 1;
	int r;

	if (!mkdtemp(path))
		exit(2);
	strcat(path, "/x.ini");
	if (mkfifo(path, 0600))
		exit(2);
	cfg_init(&c, path, SELF_DIR);
	alarm(10);	/* the old loader blocked in open: fail, not hang */
	r = cfg_load_file(&c);
	alarm(0);
	ok(r == -2 && c.nerrs == 1 && strstr(c.errs[0], ": not a regular file"),
	    "a FIFO as the config: refused at once");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);
	unlink(path);
	*strrchr(path, '/') = 0;
	rmdir(path);

	big = xcalloc(n + 1, 1);
	memset(big, '#', n);
	memcpy(big, BASE, strlen(BASE));
	for (p = big + strlen(BASE); p < big + n; p += 100)
		*p = '\n';
	r = load_n(&c, big, n);
	ok(r == -2 && c.nerrs == 1 && strstr(c.errs[0], "larger than 1 MiB"),
	    "a config of 1 MiB + 1 byte: refused");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);
	free(big);
}

/* Control characters of values reach no terminal raw. */
static void
test_escapes(void)
{
	struct cfg c;
	char *out;

	load(&c, BASE "[filesystem]\nsys = a\033[2J\tb\n");
	validate(&c);
	ok(find_err(&c, "@:8: [filesystem] sys: \"a\\e[2J\\tb\" is not one of",
	    0) >= 0 && !strchr(c.errs[0], '\033'), "an ESC and a tab in a "
	    "value: shown as \\e and \\t");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);
	load(&c, BASE);
	cfg_set(&c, "rootfs.propagation=x\n\x9b" "31m\xc2\x9b");
	validate(&c);
	ok(c.nerrs == 1 && !strchr(c.errs[0], '\n') &&
	    strstr(c.errs[0], "x\\n\\x9b31m\\xc2\\x9b"), "a newline, a lone "
	    "0x9b and a UTF-8 C1 CSI in --set: escaped");
	if (!last_ok)
		dump_errs(&c);
	cfg_free(&c);

	load(&c, BASE);
	cfg_set(&c, "mounts.file=/etc/x:=a\n\n#b\n c");
	out = NULL;
	{
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		ok(cfg_print(&c, f) == -1 && c.nerrs == 1 && strstr(c.errs[0],
		    "[mounts] file: cannot be printed as INI: line 2 of the "
		    "text is empty"), "--print-config refuses a file text with "
		    "a blank line");
		fclose(f);
	}
	if (!last_ok)
		dump_errs(&c);
	free(out);
	cfg_free(&c);
}

/*
 * Out of memory while loading: the loader returns an error (c.oom), it
 * never exits.  A child with an address-space limit just above what it
 * uses loads a config of 5,000 values.
 */
static void
test_oom(void)
{
	char line[256], *text, *path;
	struct rlimit rl;
	struct cfg c;
	long vm = 0;
	FILE *f;
	pid_t p;
	int st, r, i;

	if (skip_valgrind("no RLIMIT_AS"))
		return;
	text = xcalloc(5000, 200);
	strcpy(text, BASE "[process]\n");
	for (i = 0; i < 5000; i++)
		sprintf(text + strlen(text), "env = V%d=%0150d\n", i, i);
	path = write_tmp(text, strlen(text));
	free(text);
	fflush(NULL);
	if ((p = fork()) == 0) {
		if ((f = fopen("/proc/self/status", "re"))) {
			while (fgets(line, sizeof(line), f))
				if (!strncmp(line, "VmSize:", 7))
					vm = atol(line + 7);
			fclose(f);
		}
		rl.rlim_cur = rl.rlim_max = (rlim_t)(vm + 256) * 1024;
		if (!vm || setrlimit(RLIMIT_AS, &rl))
			_exit(5);
		cfg_init(&c, path, SELF_DIR);
		r = cfg_load_file(&c);
		if (r == 0)
			r = cfg_validate(&c);
		_exit(r == -1 && c.oom ? 0 : r == 0 ? 3 : 4);
	}
	ok(p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "out of memory while loading: an error "
	    "comes back (c.oom), the loader does not exit");
	if (!last_ok)
		diag("child: %s %d", WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* [process] tty: auto, yes, no; what it needs; -t/-T are --set. */
static void
test_tty(void)
{
	static const struct { const char *s; int v; } good[] = {
		{ "auto", TTY_AUTO }, { "yes", TTY_YES }, { "no", TTY_NO },
	};
	struct nook_config t = { .new_session = 1, .dev = DEV_MINIMAL };
	struct cfg c;
	const struct loc *l;
	size_t i;
	char *txt, *out;

	load(&c, BASE);
	ok(validate(&c) == 0 && c.t.tty == TTY_AUTO, "tty: default auto");
	out = print_cfg(&c);
	ok(out && strstr(out, "\ntty = auto\n") != NULL,
	    "tty: --print-config prints tty = auto");
	free(out);
	cfg_free(&c);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		txt = xasprintf(BASE "[process]\ntty = %s\n", good[i].s);
		load(&c, txt);
		if (!ok(validate(&c) == 0 && c.t.tty == good[i].v,
		    "tty = %s: typed as its enum", good[i].s))
			dump_errs(&c);
		cfg_free(&c);
		free(txt);
	}
	load(&c, BASE "[process]\ntty = maybe\n");
	ok(validate(&c) == -1, "tty = maybe: validation fails (nook: 125)");
	has_err(&c, "@:8: [process] tty: \"maybe\" is not one of auto, yes, "
	    "no", "tty = maybe: file:line, key and the choices");
	cfg_free(&c);
	load(&c, BASE "[process]\ntty = yse\n");
	validate(&c);
	has_err(&c, "@:8: [process] tty: \"yse\" is not one of auto, yes, "
	    "no (did you mean yes?)", "tty = yse: a hint");
	cfg_free(&c);
	load(&c, BASE "[process]\ntty = yes\nnew_session = no\n"
	    "[filesystem]\ndev = none\n");
	ok(validate(&c) == -1, "tty = yes, new_session = no, dev = none: "
	    "validation fails");
	has_err(&c, "@:8: [process] tty: needs [process] new_session = yes "
	    "(the terminal is the controlling terminal of a new session)",
	    "tty = yes with new_session = no");
	has_err(&c, "@:8: [process] tty: needs [filesystem] dev = minimal or "
	    "host (the terminal is a pty of the container's /dev/pts)",
	    "tty = yes with dev = none");
	cfg_free(&c);
	load(&c, BASE "[process]\nnew_session = no\n[filesystem]\ndev = none\n");
	if (!ok(validate(&c) == 0, "tty = auto with new_session = no and dev "
	    "= none: fine (no terminal)"))
		dump_errs(&c);
	out = print_cfg(&c);
	ok(out && strstr(out, "\n# (does not apply) tty = auto\n") != NULL,
	    "tty: --print-config says when it does not apply");
	free(out);
	cfg_free(&c);
	load(&c, BASE "[process]\ntty = yes\n");
	ok(cfg_set(&c, "process.tty=no") == 0 && validate(&c) == 0 &&
	    c.t.tty == TTY_NO, "tty: --set process.tty=no (as -T) wins");
	l = tloc(&c, K_TTY);
	ok(l && !strcmp(l->file, "--set process.tty=no"),
	    "tty: --set is its location");
	cfg_free(&c);
	t.tty = TTY_YES;
	ok(tty_want(&t) == 1, "tty_want: yes is a terminal");
	t.tty = TTY_NO;
	ok(tty_want(&t) == 0, "tty_want: no is none");
	t.tty = TTY_AUTO;
	ok(tty_want(&t) == (isatty(0) && isatty(1)), "tty_want: auto is a "
	    "terminal when stdin and stdout are terminals");
	t.new_session = 0;
	ok(tty_want(&t) == 0, "tty_want: auto without a new session: none");
	t.new_session = 1;
	t.dev = DEV_NONE;
	ok(tty_want(&t) == 0, "tty_want: auto with dev = none: none");
}

/* ---- the host's cgroup hierarchies, from mountinfo and /proc/PID/cgroup ---- */

static const char cg_cgroups[] =
    "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
    "cpuset\t3\t3\t1\ncpu\t1\t3\t1\ncpuacct\t2\t3\t1\nmemory\t4\t30\t1\n"
    "devices\t5\t3\t1\nfreezer\t6\t3\t1\nnet_cls\t0\t4\t1\npids\t8\t3\t1\n";

/* cg_host_parse cuts its texts up: each test its own copy */
static void
cg_parse(struct cg_host *h, const char *mounts, const char *own,
    const char *cgroups)
{
	char *m = xstrdup(mounts), *o = xstrdup(own);

	cg_host_parse(h, m, o, cgroups, 0);
	free(m);
	free(o);
}

static void
test_cg_host(void)
{
	/* a hybrid host as systemd and this VM have it: v1 controllers,
	 * cpu and cpuacct joint, name=systemd, cgroup2 at unified; optional
	 * fields, and a bind of a subtree that is not a hierarchy's mount */
	static const char hybrid[] =
	    "22 27 0:21 / /proc rw,relatime shared:5 - proc proc rw\n"
	    "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
	    "90 31 0:40 /sub /mnt/elsewhere rw - cgroup cgroup rw,memory\n"
	    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 "
	    "master:2 - cgroup cgroup rw,cpu,cpuacct\n"
	    "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
	    "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup "
	    "rw,xattr,name=systemd\n"
	    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	    "42 31 0:39 / /sys/fs/cgroup/memory2 rw - cgroup cgroup rw,memory\n";
	static const char hybrid_own[] =
	    "9:name=systemd:/user.slice\n8:pids:/\n4:memory:/a/b\n"
	    "1:cpu,cpuacct:/c\n0::/user.slice/x.scope\n";
	char *cgroups = write_tmp(cg_cgroups, strlen(cg_cgroups));
	struct cg_host h;
	int i;

	cg_parse(&h, hybrid, hybrid_own, cgroups);
	is_str(h.v2, "/sys/fs/cgroup/unified", "cgroup host: hybrid: cgroup2 "
	    "at unified");
	is_str(h.v1[C_MEMORY], "/sys/fs/cgroup/memory", "cgroup host: hybrid: "
	    "memory's first full mount, not a bind of a subtree");
	is_str(h.v1opts[C_MEMORY], "memory", "cgroup host: hybrid: memory's "
	    "controllers");
	is_str(h.v1[C_CPU], "/sys/fs/cgroup/cpu,cpuacct", "cgroup host: "
	    "hybrid: cpu past the optional fields");
	is_str(h.v1opts[C_CPU], "cpu,cpuacct", "cgroup host: hybrid: cpu's "
	    "hierarchy holds cpuacct too (from /proc/cgroups)");
	is_str(h.v1[C_PIDS], "/sys/fs/cgroup/pids", "cgroup host: hybrid: pids");
	is_str(h.v1[C_FREEZER], NULL, "cgroup host: hybrid: no freezer "
	    "mounted, none found");
	is_str(h.own2, "/user.slice/x.scope", "cgroup host: hybrid: our "
	    "cgroup2");
	is_str(h.own1[C_MEMORY], "/a/b", "cgroup host: hybrid: our memory "
	    "cgroup");
	is_str(h.own1[C_CPU], "/c", "cgroup host: hybrid: our cpu cgroup");
	is_num(h.nall, 4, "cgroup host: hybrid: 4 v1 hierarchies (the second "
	    "memory mount is the same one)");
	for (i = 0; i < h.nall && strcmp(h.all1[i], "/sys/fs/cgroup/systemd");
	    i++)
		;
	if (is_num(i < h.nall, 1, "cgroup host: hybrid: name=systemd among "
	    "them")) {
		is_str(h.all1opts[i], "none,name=systemd", "cgroup host: "
		    "hybrid: name=systemd mounts by its name");
		is_str(h.allown[i], "/user.slice", "cgroup host: hybrid: our "
		    "name=systemd cgroup");
	}
	cg_host_free(&h);

	/* a pure v2 host: /proc/cgroups is not needed, a missing one is
	 * not read; mount points with mountinfo's escapes */
	static const char pure[] =
	    "25 1 0:23 / / rw - ext4 /dev/vda rw\n"
	    "26 25 0:24 / /sys/fs/cgroup\\040v2 rw,nosuid - cgroup2 cgroup2 "
	    "rw,nsdelegate\n"
	    "27 25 0:25 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	cg_parse(&h, pure, "0::/system.slice/nook.service\n",
	    "/nonexistent/cgroups");
	is_str(h.v2, "/sys/fs/cgroup v2", "cgroup host: pure v2: the first "
	    "cgroup2, its \\040 a blank");
	is_num(h.nall, 0, "cgroup host: pure v2: no v1 hierarchy");
	is_str(h.own2, "/system.slice/nook.service", "cgroup host: pure v2: "
	    "our cgroup");
	cg_host_free(&h);

	/* lines the parser must pass over: cut short, no separator */
	cg_parse(&h, "1 2 3\n4 5 6:7 / /x rw cgroup2 cgroup2 rw\n"
	    "8 9 0:1 / /y rw -\n\n", "", cgroups);
	is_str(h.v2, NULL, "cgroup host: broken lines pass unread");
	cg_host_free(&h);
	rm_tmp();
}

int
main(void)
{
	test_missing_file();
	test_defaults();
	test_values();
	test_bools();
	test_sizes();
	test_durations();
	test_words();
	test_continuation();
	test_lists();
	test_duplicates();
	test_set();
	test_set_command();
	test_unknown();
	test_syntax();
	test_overlong();
	test_inline_comment();
	test_devices();
	test_quote_roundtrip();
	test_suggest();
	test_print_roundtrip();
	test_idmaps();
	test_mounts();
	test_conflicts();
	test_tty();
	test_all_errors();
	test_limits();
	test_config_file();
	test_escapes();
	test_cg_host();
	test_oom();
	rm_tmp();
	printf("1..%d\n", n_test);
	if (n_fail)
		diag("failed %d of %d tests", n_fail, n_test);
	return n_fail ? 1 : 0;
}
