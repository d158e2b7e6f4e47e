// SPDX-License-Identifier: MIT
/*
 * --print-config: the effective configuration as INI that nook reads back
 * unchanged, every default filled in; values an INI file cannot hold are
 * refused rather than printed differently.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nook.h"

/* Words quoted so parse_words() gives them back, joined by blanks. */
char *
quote_words(char **w)
{
	size_t i, len = 0, cap = 64, n;
	char *line = xcalloc(cap, 1), *q, *grown;

	for (i = 0; w[i]; i++) {	/* doubling: linear in the words */
		q = quote_word(w[i]);
		n = strlen(q);
		if (len + n + 2 > cap) {
			cap = 2 * cap + n + 2;
			if (!(grown = realloc(line, cap)))
				nook_oom();
			line = grown;
		}
		if (i)
			line[len++] = ' ';
		memcpy(line + len, q, n + 1);
		len += n;
		free(q);
	}
	return line;
}

/*
 * One line of quoted words, wrapped onto indented continuation lines at
 * single blanks (even inside quotes): the loader joins continuation lines
 * with exactly one blank, so the words read back the same.
 */
/*
 * Where a long line of words is cut onto a continuation line: a blank
 * between two words, none of them white space of any kind (inih strips
 * it around every line) and the next not one that would start a comment
 * or a section; NULL when p is short enough or has no such place.
 */
static char *
wrap_at(char *p)
{
	char *cut;

	if (strnlen(p, 151) <= 150)	/* not strlen: each cut would be
					 * a pass over the rest */
		return NULL;
	for (cut = p + 150; cut > p; cut--)
		if (*cut == ' ' && !isspace((unsigned char)cut[-1]) &&
		    cut[1] && !isspace((unsigned char)cut[1]) &&
		    !strchr("#;[", cut[1]))
			return cut;
	return NULL;
}

/*
 * The words of key k as lines of INI: "key = ..." then continuation
 * lines; -1 when a line would pass the loader's limit (a word too long
 * to cut), and nothing printed.
 */
static int
print_words(const struct cfg *c, int k, FILE *out)
{
	char **w = cfg_words(c, k), *line = quote_words(w), *p, *cut;
	size_t first = strlen(cfg_keys[k].name) + 3;
	int rc = 0;

	for (p = line; (cut = wrap_at(p)); p = cut + 1)	/* check first */
		if ((size_t)(cut - p) + (p == line ? first : 1) >
		    INI_MAX_LINE - 2)
			rc = -1;
	if (strlen(p) + (p == line ? first : 1) > INI_MAX_LINE - 2)
		rc = -1;
	if (rc == 0 && out) {
		fprintf(out, "%s =", cfg_keys[k].name);
		for (p = line; (cut = wrap_at(p)); p = cut + 1)
			fprintf(out, "%s%.*s\n", p == line ? " " : "\t",
			    (int)(cut - p), p);
		fprintf(out, "%s%s\n", p == line ? (*p ? " " : "") : "\t", p);
	}
	free(line);
	free_strv(w);
	return rc;
}
static void
print_mounts(const struct cfg *c, FILE *out)
{
	const char *s, *nl, *end;
	size_t i;

	for (i = 0; i < c->nmounts; i++) {
		s = c->mounts[i].v.s;
		end = s + strlen(s);
		fprintf(out, "%s = ", cfg_keys[c->mounts[i].kind].name);
		/* memchr to the known end: a strchr per line of a long text
		 * would look at the rest of it each time under ASan */
		while ((nl = memchr(s, '\n', (size_t)(end - s)))) {
			fprintf(out, "%.*s\n\t", (int)(nl - s), s);
			s = nl + 1;
		}
		fprintf(out, "%s\n", s);
	}
}

/* Keys printed as comments because other keys make them meaningless. */
static int
applies(const struct cfg *c, int k)
{
	if (k == K_HOSTNAME || k == K_DOMAINNAME)
		return c->t.ns[K_NS_UTS - NS_FIRST].mode == NS_NEW;
	if (k == K_FS_SHM_SIZE)
		return c->t.dev == DEV_MINIMAL;
	if (k == K_TTY)	/* c->t may not be typed yet: all zero */
		return c->t.dev != DEV_NONE && (c->t.new_session ||
		    !tloc(c, K_NEW_SESSION));
	if (k == K_NET_INTERFACE || k == K_NET_MTU || k == K_NET_BRIDGE)
		return c->t.net_mode == NET_VETH;
	/* defaults that give way to other keys: given, they would conflict */
	if (k == K_FS_SYS && !tloc(c, k))
		return !(ns_new(&c->t, K_NS_USER) && !ns_new(&c->t, K_NS_NET));
	if (k == K_FS_PROC && !tloc(c, k))
		return !(ns_new(&c->t, K_NS_USER) && !ns_new(&c->t, K_NS_PID));
	if (k == K_NET_MODE && !tloc(c, k))
		return ns_new(&c->t, K_NS_NET);
	return 1;
}

/*
 * Why a [mounts] file value (DST:=TEXT, its lines after the first
 * printed as continuation lines) would not read back the same, or NULL;
 * *n is the line.  inih strips the blanks around every line and skips
 * blank and comment lines; the loader refuses " ;" and long lines.
 */
static const char *
file_text_why(const char *v, size_t *n)
{
	const char *nl, *p, *end = v + strlen(v);
	size_t len;

	for (*n = 1; ; v = nl + 1, ++*n) {
		if (!(nl = memchr(v, '\n', (size_t)(end - v))))
			nl = end;
		len = (size_t)(nl - v);
		for (p = v; p < nl; p++)
			if (*p == ';' && p > v && is_blank(p[-1]))
				return "has a blank before ';' (an inline comment)";
		if (*n > 1 && !len)
			return "is empty";
		if (*n > 1 && isspace((unsigned char)*v))
			return "starts with a blank";
		if (*n > 1 && (*v == '#' || *v == ';'))
			return "starts with '#' or ';' (a comment)";
		if (len && isspace((unsigned char)nl[-1]))
			return "ends with a blank";
		if (len + (*n > 1 ? 1 : strlen("file = ")) > INI_MAX_LINE - 2)
			return "is too long for one line";
		if (!*nl)
			return NULL;
	}
}

/* A newline cannot be written into an INI value. */
static int
printable(struct cfg *c)
{
	char **w;
	size_t i;
	size_t m;
	int k, bad = 0;
	const char *why;

	for (m = 0; m < c->nmounts; m++)
		if (c->mounts[m].kind == K_M_FILE &&
		    (why = file_text_why(c->mounts[m].v.s, &i))) {
			cfg_error(c, &c->mounts[m].v.loc, K_M_FILE, "cannot be "
			    "printed as INI: line %zu of the text %s", i, why);
			return -1;
		} else if (c->mounts[m].kind != K_M_FILE &&
		    strchr(c->mounts[m].v.s, '\n')) {
			cfg_error(c, NULL, c->mounts[m].kind, "the value contains "
			    "a newline, which an INI file cannot hold");
			return -1;
		}
	for (k = 0; k < K__COUNT; k++) {
		if (cfg_keys[k].type == T_WORDS) {
			w = cfg_words(c, k);
			for (i = 0; w[i]; i++)
				bad |= strchr(w[i], '\n') != NULL;
			free_strv(w);
			if (bad) {
				cfg_error(c, NULL, k, "a word contains a newline, "
				    "which an INI file cannot hold");
				return -1;
			}
			if (!(cfg_keys[k].flags & KF_LIST) &&
			    print_words(c, k, NULL)) {
				cfg_error(c, NULL, k, "a word is too long to "
				    "print within a line of INI (%d characters)",
				    INI_MAX_LINE - 2);
				return -1;
			}
		} else if (k != K_M_FILE) {
			for (i = 0; i < c->e[k].n; i++)
				if (strchr(c->e[k].v[i].s, '\n')) {
					cfg_error(c, NULL, k, "the value contains a "
					    "newline, which an INI file cannot "
					    "hold");
					return -1;
				}
		}
	}
	return 0;
}

static int
print_cfg(struct cfg *c, FILE *out)
{
	if (printable(c))
		return -1;
	const char *s;
	char **items;
	size_t sec, i;
	int k;

	fprintf(out, "# effective configuration of %s\n", c->file);
	for (sec = 0; sec < cfg_nsections; sec++) {
		fprintf(out, "\n[%s]\n", cfg_sections[sec]);
		if (!strcmp(cfg_sections[sec], "mounts")) {
			print_mounts(c, out);
			continue;
		}
		if (!strcmp(cfg_sections[sec], "sysctl")) {
			for (i = 0; i < c->nsysctls; i++)
				fprintf(out, "%s = %s\n", c->sysctls[i].name,
				    c->sysctls[i].v.s);
			continue;
		}
		for (k = 0; k < K__COUNT; k++) {
			if (strcmp(cfg_keys[k].sec, cfg_sections[sec]))
				continue;
			if ((cfg_keys[k].flags & KF_LIST) &&
			    cfg_keys[k].type == T_WORDS) {
				fprintf(out, "%s =\n", cfg_keys[k].name);
				for (i = 0; i < c->e[k].n; i++) {
					char *v = joined_value(&c->e[k], &i);

					fprintf(out, "%s = %s\n",
					    cfg_keys[k].name, v);
					free(v);
				}
			} else if (cfg_keys[k].flags & KF_LIST) {
				items = cfg_list(c, k);
				fprintf(out, "%s =\n", cfg_keys[k].name);
				for (i = 0; items[i]; i++)
					fprintf(out, "%s = %s\n",
					    cfg_keys[k].name, items[i]);
				free_strv(items);
			} else if (cfg_keys[k].type == T_WORDS) {
				print_words(c, k, out);
			} else {
				s = cfg_str(c, k);
				fprintf(out, "%s%s = %s\n", applies(c, k) ? "" :
				    "# (does not apply) ", cfg_keys[k].name,
				    s ? s : "");
			}
		}
	}
	return 0;
}

int
cfg_print(struct cfg *c, FILE *out)
{
	volatile int r = -1;

	CFG_ENTRY(c, -1, r = print_cfg(c, out));
	return r;
}
