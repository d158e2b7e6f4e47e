// SPDX-License-Identifier: MIT
/*
 * libFuzzer target of the value parsers: the first byte picks a key (mod
 * K__COUNT) and a parse_uint() limit, the rest (cut at a NUL) is a value
 * of that key.  It goes to parse_value(), to cfg_mount_parse() for the
 * [mounts] keys, and to the plain parsers, whose results are checked
 * against what their comments promise; parse_words() and quote_words()
 * must round-trip.  Any broken promise aborts, so libFuzzer keeps it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DURATION_MAX_MS (3650LL * 86400000)	/* as util.c */

static void __attribute__((noreturn, format(printf, 2, 3)))
broken(const char *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz-values: value \"%s\": ", s);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* parse_value() as model.c calls it, and cfg_mount_parse() for mounts. */
static void
check_key(int k, const char *s)
{
	struct mount_ent m = { .kind = (enum key_id)k,
		.v = { .s = (char *)s, .loc = { "fuzz", 1 } } };
	struct mnt_spec spec;
	const char *why = NULL;
	char buf[256];
	union tval tv;

	why = parse_value(k, s, &tv, buf, sizeof(buf));
	if (cfg_keys[k].type == T_WORDS)
		free_strv(tv.w);
	if (why && !*why)
		broken(s, "key %s: an empty reason", key_label(k));
	if (cfg_keys[k].type != T_MOUNT)
		return;
	why = NULL;
	if (cfg_mount_parse(&m, &spec, &why) && !why)
		broken(s, "%s refused without a reason", key_label(k));
	if (!why && !spec.dst)
		broken(s, "%s accepted without a destination", key_label(k));
	mnt_spec_free(&spec);
}

static void
check_numbers(const char *s, unsigned long long max)
{
	unsigned long long u;
	long long n;
	int neg;

	if (!parse_size(s, &n) && n < 0 && (n != -1 || strcmp(s, "max")))
		broken(s, "parse_size gave %lld", n);
	for (neg = 0; neg < 2; neg++)
		if (!parse_duration(s, &n, neg) && (n > DURATION_MAX_MS ||
		    n < (neg ? -DURATION_MAX_MS : 0)))
			broken(s, "parse_duration (negative %s) gave %lld",
			    neg ? "allowed" : "refused", n);
	if (!parse_uint(s, max, &u) && (u > max ||
	    strspn(s, "0123456789") != strlen(s)))
		broken(s, "parse_uint (at most %llu) gave %llu", max, u);
}

static int
same_words(char **a, char **b)
{
	size_t i;

	for (i = 0; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return !a[i] && !b[i];
}

/* quote_words() of the words of s reads back as the same words. */
static void
check_words(const char *s)
{
	char **w = NULL, **again = NULL, *line;
	const char *why = NULL;
	unsigned long long mask;
	size_t n = 0, m = 0;

	if (parse_words(s, &w, &n, &why)) {
		if (!why)
			broken(s, "parse_words failed without a reason");
		free_strv(w);	/* the words before the error */
		return;
	}
	if (!w)		/* no words: the caller's NULL stays */
		return;
	line = quote_words(w);
	if (parse_words(line, &again, &m, &why) || m != n || !again ||
	    !same_words(w, again))
		broken(s, "quote_words gave \"%s\", which reads back as %zu "
		    "other words", line, m);
	if (sec_cap_names(w, &mask, &why) && !why)
		broken(s, "sec_cap_names failed without naming the word");
	free(line);
	free_strv(w);
	free_strv(again);
}

#ifdef FUZZ_SELFTEST
/*
 * Only in the self-test build (fuzz-regress.t): markers that make the
 * target overflow a buffer, leak or exit, to show each is caught.
 */
static void
selftest(const char *s)
{
	static volatile char *p;

	if (strstr(s, "SELFTEST-OVERFLOW")) {
		p = xcalloc(4, 1);
		p[strlen(s)] = 1;
		free((char *)p);
	}
	if (strstr(s, "SELFTEST-LEAK"))
		p = xstrdup(s), p = NULL;
	if (strstr(s, "SELFTEST-EXIT"))
		exit(0);
}
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned long long maxes[] = { 65535, 4294967295ULL,
		~0ULL };
	char *s;
	int k;

	if (!size)
		return 0;
	k = data[0] % K__COUNT;
	s = xcalloc(size, 1);
	memcpy(s, data + 1, size - 1);	/* NUL-terminated, cut at a NUL */
#ifdef FUZZ_SELFTEST
	selftest(s);
#endif
	check_key(k, s);
	check_numbers(s, maxes[(data[0] / K__COUNT) % 3]);
	check_words(s);
	if (is_sysctl_name(s) && (strstr(s, "..") || strchr("./", *s)))
		broken(s, "is_sysctl_name accepted it");
	free(s);
	return 0;
}
