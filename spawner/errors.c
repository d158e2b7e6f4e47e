// SPDX-License-Identifier: MIT
/*
 * The config's errors: each recorded with where it came from, control
 * characters escaped so a message cannot drive the terminal, and sorted
 * by line before they are printed, all at once.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nook.h"

/* Bytes of the UTF-8 sequence at p, or 0 when it is broken. */
static size_t
utf8_len(const unsigned char *p)
{
	size_t n, i;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Messages quote values, file names and --set arguments, which may hold
 * any byte but NUL: control characters (C0, DEL, C1) and broken UTF-8
 * are escaped, so a message can neither drive the terminal it is shown
 * on nor fake a line of its own.
 */
static char *
escape_controls(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xcalloc(strlen(s) * 4 + 1, 1), *o = out;
	size_t n;

	while (*p) {
		n = utf8_len(p);
		if ((n == 1 && *p >= 0x20 && *p != 0x7f) ||
		    (n > 1 && !(p[0] == 0xc2 && p[1] < 0xa0))) {
			memcpy(o, p, n);
			o += n, p += n;
			continue;
		}
		if (*p == '\n' || *p == '\t' || *p == '\r' || *p == 0x1b)
			o += sprintf(o, "\\%c", *p == '\n' ? 'n' : *p == '\t' ?
			    't' : *p == '\r' ? 'r' : 'e');
		else
			o += sprintf(o, "\\x%02x", *p);
		p++;
	}
	return out;
}

/* Record one error: "web.ini:12: [mounts] bind: why". k < 0: no key. */
void
cfg_error(struct cfg *c, const struct loc *l, int k, const char *fmt, ...)
{
	char *why, *where, *msg;
	va_list ap;
	char **n;
	long *order;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		why = xstrdup("out of memory");
	va_end(ap);
	if (l && l->line > 0)
		where = xasprintf("%s:%d: ", l->file, l->line);
	else if (l)
		where = xasprintf("%s: ", l->file);
	else
		where = xstrdup("");
	msg = k >= 0 ? xasprintf("%s%s: %s", where, key_label(k), why) :
	    xasprintf("%s%s", where, why);
	free(why);
	free(where);
	why = msg;
	msg = escape_controls(why);
	free(why);
	n = realloc(c->errs, (c->nerrs + 1) * sizeof(char *));
	order = realloc(c->err_order, (c->nerrs + 1) * sizeof(long));
	if (!n || !order)
		nook_oom();
	c->errs = n;
	c->err_order = order;
	/* the file's lines in order, then --set, then the rest */
	c->err_order[c->nerrs] = l && l->line > 0 && !strcmp(l->file, c->file) ?
	    l->line : l && l->file && !strncmp(l->file, "--set", 5) ?
	    1L << 30 : 1L << 31;
	c->errs[c->nerrs++] = msg;
}

/* Sort the errors by where they are, keeping the order of equals. */
void
cfg_sort_errors(struct cfg *c)
{
	size_t i, j;
	long o;
	char *e;

	for (i = 1; i < c->nerrs; i++)		/* insertion: stable */
		for (j = i; j > 0 && c->err_order[j - 1] > c->err_order[j];
		    j--) {
			o = c->err_order[j], e = c->errs[j];
			c->err_order[j] = c->err_order[j - 1];
			c->errs[j] = c->errs[j - 1];
			c->err_order[j - 1] = o, c->errs[j - 1] = e;
		}
}
