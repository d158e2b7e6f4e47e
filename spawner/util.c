// SPDX-License-Identifier: MIT
/* Small helpers: allocation that cannot fail, messages, value parsers. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nook.h"

/* 3650 days: [process] stop_timeout, time offsets, rlimits cpu, rttime */
#define DURATION_MAX_MS (3650LL * 86400000)

int verbosity = 1;

static jmp_buf *oom_jump;	/* set while the config loader runs */

/*
 * Out of memory: inside the config loader, back to its entry point, whose
 * caller gets an error like any other (config.h's CFG_ENTRY); elsewhere
 * nook cannot go on.
 */
/*
 * The effective uid and gid of nook in its user namespace, asked of the
 * kernel once and again only when it joins another (ns_join): a start
 * asked 19 times, and on a VM a system call can be a trip to the
 * hypervisor.  main() asks first, so a child made later keeps nook's ids
 * here, whatever its own become in the container's user namespace.
 */
static uid_t my_euid;
static gid_t my_egid;
static int my_ids_known;

void
nook_ids_refresh(void)
{
	my_euid = geteuid();
	my_egid = getegid();
	my_ids_known = 1;
}

uid_t
nook_euid(void)
{
	if (!my_ids_known)
		nook_ids_refresh();
	return my_euid;
}

gid_t
nook_egid(void)
{
	if (!my_ids_known)
		nook_ids_refresh();
	return my_egid;
}

void
nook_oom(void)
{
	if (oom_jump)
		longjmp(*oom_jump, 1);
	fputs("nook: out of memory\n", stderr);
	exit(EXIT_NOOK);
}

void
oom_catch(jmp_buf *j)
{
	oom_jump = j;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		nook_oom();
	}
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		nook_oom();
	}
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		nook_oom();
	}
	va_end(ap);
	return s;
}

static void
vsay(int level, const char *prefix, const char *fmt, va_list ap)
{
	if (level > verbosity)
		return;
	fprintf(stderr, "nook: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

FILE *nook_stderr;

/*
 * sigfillset() leaves out the realtime signals the C library keeps for
 * itself (32 and 33 in glibc, 32 to 34 in musl): nook, single-threaded,
 * has no use for them, so they are blocked and forwarded like the rest
 * instead of killing it.
 */
void
sig_fill(void *set)
{
	memset(set, 0xff, sizeof(sigset_t));
}

void
nook_perror(const char *what)
{
	int e = errno;

	fprintf(stderr, "%s: %s\n", what, strerror(e));
	errno = e;
}

void
nook_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(1, "warning: ", fmt, ap);
	va_end(ap);
}

void
nook_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(2, "", fmt, ap);
	va_end(ap);
}

int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(s, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

/* Digits only, at most max: -1 with errno EINVAL (syntax) or ERANGE. */
int
parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return errno = EINVAL, -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return errno = EINVAL, -1;
	if (errno || v > max)
		return errno = ERANGE, -1;
	*out = v;
	return 0;
}

/*
 * "64M", "1G", "4096", "512k"; "max" is -1.  Bytes must fit in a signed
 * 64-bit number: -1 with errno EINVAL (syntax) or ERANGE (too large).
 */
int
parse_size(const char *s, long long *out)
{
	unsigned long long v, mul = 1;
	char *end;
	int big;

	if (!strcmp(s, "max"))
		return *out = -1, 0;
	if (!isdigit((unsigned char)*s))
		return errno = EINVAL, -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	big = errno == ERANGE;
	switch (*end) {
	case 0: break;
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	case 't': case 'T': mul = 1ULL << 40; end++; break;
	default: return errno = EINVAL, -1;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end)
		return errno = EINVAL, -1;
	if (big || v > (unsigned long long)INT64_MAX / mul)
		return errno = ERANGE, -1;
	*out = (long long)(v * mul);
	return 0;
}

/*
 * "500ms", "10s", "2m", "1h", "3d"; a bare number is seconds.  At most
 * DURATION_MAX_MS either way, so that callers may convert to microseconds
 * (RLIMIT_RTTIME) or add it to a clock without overflow: -1 with errno
 * EINVAL (syntax) or ERANGE (too long).
 */
int
parse_duration(const char *s, long long *ms, int allow_negative)
{
	static const struct { const char *u; long long ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "", 1000 }, { "m", 60000 },
		{ "min", 60000 }, { "h", 3600000 }, { "d", 86400000 },
	};
	unsigned long long v;
	int neg = 0, big;
	char *end;
	size_t i;

	if (*s == '-' && allow_negative)
		neg = 1, s++;
	if (!isdigit((unsigned char)*s))
		return errno = EINVAL, -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	big = errno == ERANGE;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].u))
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return errno = EINVAL, -1;
	/* divide, never multiply, before the check */
	if (big || v > (unsigned long long)DURATION_MAX_MS / units[i].ms)
		return errno = ERANGE, -1;
	*ms = (long long)v * units[i].ms * (neg ? -1 : 1);
	return 0;
}

/*
 * Room for element n of an array of n that only ever grows through here:
 * its allocation is kept at 8, 16, 32 ... elements, so n appends copy
 * O(n) bytes even where realloc always copies (ASan's).  p, or its
 * successor.
 */
void *
grow_array(void *p, size_t n, size_t size)
{
	size_t have = 8, want = 8;

	while (have < n)
		have *= 2;
	if (p && n < have)
		return p;
	while (want < n + 1)
		want *= 2;
	if (want > SIZE_MAX / size || !(p = realloc(p, want * size)))
		nook_oom();
	return p;
}

/* The slots a vector of n words has, its NULL included: 8, 16, 32 ... */
static size_t
strv_slots(size_t n)
{
	size_t c = 8;

	while (c < n + 1)
		c *= 2;
	return c;
}

/*
 * Grown by doubling: a slot at a time was quadratic where realloc always
 * copies (ASan's: 100,000 words took a minute).
 */
static void
strv_push(char ***v, size_t *n, char *s)
{
	char **nv = *v;

	if ((!nv || strv_slots(*n) < *n + 2) &&
	    !(nv = realloc(*v, strv_slots(*n + 1) * sizeof(char *))))
		nook_oom();
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
}

/*
 * Shell-like words: blanks separate, '...' is literal, "..." allows \" and
 * \\, a backslash outside quotes takes the next character.  No expansion.
 * Appends to *argv.
 */
int
parse_words(const char *s, char ***argv, size_t *argc, const char **why)
{
	size_t len = strlen(s);
	char *w = xcalloc(len + 1, 1);
	int in_word = 0;
	size_t n = 0;
	char q = 0;

	for (; *s; s++) {
		if (q == '\'') {
			if (*s == '\'') q = 0; else w[n++] = *s;
		} else if (q == '"') {
			if (*s == '"') q = 0;
			else if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				w[n++] = *++s;
			else w[n++] = *s;
		} else if (*s == ' ' || *s == '\t') {
			if (in_word) {
				w[n] = 0;
				strv_push(argv, argc, xstrdup(w));
				n = 0, in_word = 0;
			}
		} else {
			in_word = 1;
			if (*s == '\'' || *s == '"') q = *s;
			else if (*s == '\\' && s[1]) w[n++] = *++s;
			else w[n++] = *s;
		}
	}
	if (q) {
		free(w);
		*why = q == '"' ? "unterminated \" quote" : "unterminated ' quote";
		return -1;
	}
	if (in_word) {
		w[n] = 0;
		strv_push(argv, argc, xstrdup(w));
	}
	free(w);
	return 0;
}

void
free_strv(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The inverse of parse_words for one word. */
char *
quote_word(const char *s)
{
	char *out = xcalloc(strlen(s) * 4 + 3, 1), *p = out;
	int plain = *s != 0;
	const char *t;

	for (t = s; *t; t++)
		if (!isalnum((unsigned char)*t) && !strchr("-_./=:,+@%", *t))
			plain = 0;
	if (plain)
		return strcpy(out, s);
	*p++ = '\'';
	for (t = s; *t; t++) {
		if (*t == '\'' || *t == ';') {	/* ' ;' would start a comment */
			memcpy(p, *t == ';' ? "'\\;'" : "'\\''", 4);
			p += 4;
		} else {
			*p++ = *t;
		}
	}
	*p++ = '\'';
	return out;
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp;
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

/* Index of the closest candidate within an edit distance of 2, or -1. */
int
suggest(const char *word, const char *const *cands, size_t n)
{
	size_t i, d, best = 99;
	int found = -1;

	for (i = 0; i < n; i++) {
		if (!cands[i])
			continue;
		d = edit_distance(word, cands[i]);
		if (d < best) {
			best = d;
			found = (int)i;
		}
	}
	return best <= 2 ? found : -1;
}

/*
 * openat2() of path below dirfd with the given RESOLVE_* rules, magic
 * links never followed; a leading / is taken as dirfd itself.  With
 * RESOLVE_IN_ROOT or RESOLVE_BENEATH the kernel answers EAGAIN when a
 * mount or rename anywhere on the machine ran while it resolved a ".."
 * (it cannot then be sure the walk stayed below dirfd): tried again, a
 * bounded number of times.
 */
int
resolve(int dirfd, const char *path, int flags, unsigned long long how_)
{
	struct open_how how = {
		.flags = (unsigned)flags | O_CLOEXEC,
		.resolve = how_ | RESOLVE_NO_MAGICLINKS,
	};
	int fd, tries = 0;

	while (*path == '/')
		path++;
	do
		fd = (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how,
		    sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 100);
	return fd;
}

/* text, written whole to an existing file; 0, or -1 with errno. */
int
write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC), e;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)len ? 0 : -1;
}

/* The directory of our executable, where nook-init is looked for. */
char *
self_dir(void)
{
	char buf[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return xstrdup(".");
	buf[n] = 0;
	slash = strrchr(buf, '/');
	*slash = 0;
	return xstrdup(*buf ? buf : "/");
}
