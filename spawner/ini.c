// SPDX-License-Identifier: MIT
/*
 * The INI loader: reads the file through inih (with the stricter line
 * rules nook checks itself) and --set/-- from the command line into the
 * raw values of each key, with their file:line.  It never exits: every
 * error is collected, so the caller prints them all and gives up once.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"

static void
init_cfg(struct cfg *c, const char *file, const char *self_dir)
{
	memset(c, 0, sizeof(*c));
	c->file = xstrdup(file);
	c->self_dir = xstrdup(self_dir ? self_dir : ".");
}

void
cfg_init(struct cfg *c, const char *file, const char *self_dir)
{
	CFG_ENTRY(c, , init_cfg(c, file, self_dir));
}

static void
unknown_key(struct cfg *c, const struct loc *l, const char *sec,
    const char *name)
{
	const char *cands[K__COUNT];
	int k, s;

	if (!*sec) {
		cfg_error(c, l, -1, "key \"%s\" before any [section]", name);
		return;
	}
	if (find_section(sec) < 0) {
		s = suggest(sec, cfg_sections, cfg_nsections);
		cfg_error(c, l, -1, "unknown section [%s]%s%s%s", sec,
		    s >= 0 ? " (did you mean [" : "", s >= 0 ? cfg_sections[s] : "",
		    s >= 0 ? "]?)" : "");
		return;
	}
	if (!strcmp(sec, "namespaces") && (!strcmp(name, "boottime_offset") ||
	    !strcmp(name, "monotonic_offset"))) {
		cfg_error(c, l, -1, "[namespaces] %s moved to [time] %s", name,
		    name);
		return;
	}
	for (k = 0; k < K__COUNT; k++)
		cands[k] = strcmp(cfg_keys[k].sec, sec) ? NULL : cfg_keys[k].name;
	k = suggest(name, cands, K__COUNT);
	if (k >= 0)
		cfg_error(c, l, -1, "[%s] unknown key \"%s\" (did you mean "
		    "\"%s\"?)", sec, name, cands[k]);
	else
		cfg_error(c, l, -1, "[%s] unknown key \"%s\"", sec, name);
}

static void
push_val(struct ent *e, const char *s, const struct loc *l, int cont)
{
	e->v = grow_array(e->v, e->n, sizeof(*e->v));
	e->v[e->n].s = xstrdup(s);
	e->v[e->n].loc = *l;
	e->v[e->n].cont = cont;
	e->n++;
}

static void clear_ent(struct ent *e);

/*
 * The first value of a list key appends to its default items (an empty
 * value before it clears them); "auto" of the id maps is a placeholder,
 * not an item, so an explicit range replaces it.
 */
static void
push_list_value(struct ent *e, int k, const char *value, const struct loc *l,
    int cont)
{
	const char *d = cfg_keys[k].def, *nl;
	char *item;

	if (!e->set && d && cfg_keys[k].type != T_IDMAP) {
		for (; *d; d = *nl ? nl + 1 : nl) {
			nl = strchrnul(d, '\n');
			item = strndup(d, nl - d);
			push_val(e, item, l, 0);
			free(item);
		}
	}
	push_val(e, value, l, cont);
}

static void
clear_ent(struct ent *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i].s);
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

static void
add_mount(struct cfg *c, int k, const char *value, const struct loc *l,
    int cont)
{
	struct mount_ent *m, *last;
	size_t i, j;

	last = c->nmounts ? &c->mounts[c->nmounts - 1] : NULL;
	if (!*value && !cont) {		/* empty: clear this kind */
		for (i = j = 0; i < c->nmounts; i++)
			if ((int)c->mounts[i].kind != k)
				c->mounts[j++] = c->mounts[i];
			else
				free(c->mounts[i].v.s);
		c->nmounts = j;
		return;
	}
	if (cont && k == K_M_FILE && last && (int)last->kind == k) {
		char *s = xasprintf("%s\n%s", last->v.s, value);

		free(last->v.s);
		last->v.s = s;
		return;
	}
	c->mounts = m = grow_array(c->mounts, c->nmounts, sizeof(*m));
	m[c->nmounts].kind = k;
	m[c->nmounts].v.s = xstrdup(value);
	m[c->nmounts].v.loc = *l;
	m[c->nmounts].v.cont = 0;
	c->nmounts++;
	c->e[k].set = 1;
}

/*
 * One value for key k.  Lists append (an empty value clears them, defaults
 * included); a scalar given twice in the file is an error naming both
 * lines, while --set (override) replaces it.  Continuation lines extend
 * word lists and lists; they make no sense for other scalars.
 */
static void
add_value(struct cfg *c, int k, const char *value, const struct loc *l,
    int cont, int override)
{
	const struct key *key = &cfg_keys[k];
	struct ent *e = &c->e[k];

	if (key->type == T_MOUNT)
		return add_mount(c, k, value, l, cont);
	if (key->flags & KF_LIST) {
		if (!*value && !cont)
			clear_ent(e);
		else
			push_list_value(e, k, value, l, cont);
		e->set = 1;
		return;
	}
	if (cont) {
		if (key->type == T_WORDS && e->n)
			push_val(e, value, l, 1);
		else
			cfg_error(c, l, k, "an indented line continues a value, "
			    "but this key takes a single value");
		return;
	}
	if (e->given.line && !override) {
		cfg_error(c, l, k, "given twice (first on line %d)",
		    e->given.line);
		return;
	}
	if (!override)
		e->given = *l;
	clear_ent(e);
	e->set = 0;
	if (*value) {
		push_val(e, value, l, 0);
		e->set = 1;
	}
}

/*
 * [sysctl] takes any name: NAME = VALUE, kept in the order given (a name
 * given again replaces its value); model.c checks it is namespaced.
 */
static void
add_sysctl(struct cfg *c, const char *name, const char *value,
    const struct loc *l, int cont)
{
	struct sysctl_raw *n;
	size_t i;

	if (cont) {
		cfg_error(c, l, -1, "[sysctl] an indented line continues a "
		    "value, but a sysctl takes a single value");
		return;
	}
	for (i = 0; i < c->nsysctls; i++)
		if (!strcmp(c->sysctls[i].name, name)) {
			free(c->sysctls[i].v.s);
			c->sysctls[i].v.s = xstrdup(value);
			c->sysctls[i].v.loc = *l;
			return;
		}
	c->sysctls = n = grow_array(c->sysctls, c->nsysctls, sizeof(*n));
	n[c->nsysctls].name = xstrdup(name);
	n[c->nsysctls].v.s = xstrdup(value);
	n[c->nsysctls].v.loc = *l;
	n[c->nsysctls++].v.cont = 0;
}

/*
 * A config is a small text: anything bigger is a mistake (or an attack).
 * A pipe or FIFO (nook <(generator)) must be written and closed within
 * CFG_READ_MS: a FIFO nobody writes to would hang nook forever.  Past
 * CFG_MAX_ERRORS errors the file is likely not a config at all.
 */
#define CFG_MAX_SIZE (1 << 20)
#define CFG_READ_MS 5000
#define CFG_MAX_ERRORS 50

struct load_state {
	struct cfg *c;
	const char *buf;	/* the whole file */
	size_t len, pos;
	size_t errs0;		/* c->nerrs before the file */
	int lineno;
	int have_prev;		/* inih's prev_name is set */
	int cont;		/* this line continues the previous value */
	char **join;		/* the value continuation lines extend */
	size_t join_len, join_cap;
};

int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

/* An unknown section is reported once, at its header. */
static void
check_section(struct load_state *st, const struct loc *l, const char *name,
    const char *end)
{
	char sec[64];
	int s;

	/* inih keeps blanks inside the brackets: so must we */
	snprintf(sec, sizeof(sec), "%.*s", (int)(end - name), name);
	if (find_section(sec) >= 0)
		return;
	s = suggest(sec, cfg_sections, cfg_nsections);
	cfg_error(st->c, l, -1, "unknown section [%s]%s%s%s", sec,
	    s >= 0 ? " (did you mean [" : "", s >= 0 ? cfg_sections[s] : "",
	    s >= 0 ? "]?)" : "");
}

/*
 * Classify the raw line as inih will (comment, continuation, section,
 * key), so the handler knows continuations, and report the syntax inih
 * would reject (it names only the first such line) or silently mangle.
 */
static void
check_raw_line(struct load_state *st, const char *line)
{
	struct loc l = { st->c->file, st->lineno };
	const char *p, *q;

	if (st->lineno == 1 && !strncmp(line, "\xef\xbb\xbf", 3))
		line += 3;	/* inih skips a UTF-8 byte-order mark */
	for (p = line; is_blank(*p) || *p == '\r' || *p == '\n'; p++)
		;
	st->cont = 0;
	if (!*p || *p == ';' || *p == '#')
		return;
	for (q = p; *q; q++)
		if (*q == ';' && is_blank(q[-1])) {
			cfg_error(st->c, &l, -1, "\" ;\" starts an inline "
			    "comment, which would cut this value; write \\; "
			    "for a ; in a command (or drop the blank before "
			    "it), and put comments on their own line");
			break;
		}
	if (st->have_prev && p > line) {
		st->cont = 1;	/* inih: more of the previous value */
		return;
	}
	st->join = NULL;
	if (*p == '[') {
		st->have_prev = 0;
		if (!(q = strchr(p, ']')))
			cfg_error(st->c, &l, -1, "section header without ']'");
		else if (q[1 + strspn(q + 1, " \t\r\n")])
			cfg_error(st->c, &l, -1, "text after the section header "
			    "(put each key on a line of its own)");
		else
			check_section(st, &l, p + 1, q);
		return;
	}
	if (!strpbrk(p, "=:"))
		cfg_error(st->c, &l, -1, "expected KEY = VALUE, [SECTION] or "
		    "a comment");
	else
		st->have_prev = 1;
}

/* A line refused whole: inih gets an empty one in its place. */
static char *
drop_line(struct load_state *st, char *str)
{
	st->c->dropped++;
	st->join = NULL;
	strcpy(str, "\n");
	return str;
}

/*
 * inih reads the file's lines through this, so the handler knows the
 * line's number and whether it is a continuation, and lines inih would
 * cut or split are caught here instead of losing data silently.
 */
static char *
line_reader(char *str, int num, void *stream)
{
	struct load_state *st = stream;
	const char *p = st->buf + st->pos, *nl;
	struct loc l = { st->c->file, 0 };
	size_t len;

	if (st->pos >= st->len)
		return NULL;
	nl = memchr(p, '\n', st->len - st->pos);
	len = nl ? (size_t)(nl - p) + 1 : st->len - st->pos;
	st->pos += len;
	l.line = ++st->lineno;
	if (st->c->nerrs - st->errs0 >= CFG_MAX_ERRORS) {
		cfg_error(st->c, &l, -1, "more than %d errors: is this a "
		    "config file? (the rest is not read)", CFG_MAX_ERRORS);
		st->c->dropped++;
		st->pos = st->len;
		return NULL;
	}
	/*
	 * inih's buffer holds num bytes: a longer line would be split and
	 * its tail parsed as a line of its own.
	 */
	if (len + 1 > (size_t)num) {
		cfg_error(st->c, &l, -1, "line is %zu characters long; the "
		    "limit is %d: continue the value on indented lines",
		    len - (p[len - 1] == '\n'), num - 2);
		return drop_line(st, str);
	}
	if (memchr(p, 0, len)) {
		cfg_error(st->c, &l, -1, "line contains a NUL byte");
		return drop_line(st, str);
	}
	memcpy(str, p, len);
	str[len] = 0;
	check_raw_line(st, str);
	return str;
}

/*
 * A continuation line of a word list or of a [mounts] file: appended to
 * the value it continues in place, the buffer growing by doubling, so a
 * long run of lines costs linear time (joining them one by one later was
 * quadratic).  0 when the value is not one of those.
 */
static int
join_line(struct load_state *st, int k, const char *value)
{
	struct cfg *c = st->c;
	struct ent *e = &c->e[k];
	struct mount_ent *m = c->nmounts ? &c->mounts[c->nmounts - 1] : NULL;
	char **s = NULL, sep = ' ', *n;
	size_t vlen = strlen(value);

	if (cfg_keys[k].type == T_WORDS && e->n)
		s = &e->v[e->n - 1].s;
	else if (k == K_M_FILE && m && m->kind == K_M_FILE)
		s = &m->v.s, sep = '\n';
	if (!s)
		return 0;
	if (st->join != s) {
		st->join = s;
		st->join_len = strlen(*s);
		st->join_cap = st->join_len + 1;
	}
	if (st->join_len + vlen + 2 > st->join_cap) {
		st->join_cap = 2 * st->join_cap + vlen + 2;
		if (!(n = realloc(*s, st->join_cap)))
			nook_oom();
		*s = n;
	}
	(*s)[st->join_len++] = sep;
	memcpy(*s + st->join_len, value, vlen + 1);
	st->join_len += vlen;
	return 1;
}

static int
key_handler(void *user, const char *sec, const char *name, const char *value)
{
	struct load_state *st = user;
	struct loc l = { st->c->file, st->lineno };
	int k = find_key(sec, name);
	int cont = st->cont;

	if (k < 0 && !strcmp(sec, "sysctl")) {
		add_sysctl(st->c, name, value, &l, cont);
		return 1;
	}
	if (k < 0) {	/* unknown sections were named at their header */
		if (!cont && (!*sec || find_section(sec) >= 0))
			unknown_key(st->c, &l, sec, name);
		return 1;
	}
	if (cont && join_line(st, k, value))
		return 1;
	add_value(st->c, k, value, &l, cont, 0);
	return 1;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Wait until fd, a pipe or FIFO, can be read (data, or its writer gone)
 * or the deadline passes: 0, or -1 with errno (ETIMEDOUT).
 */
static int
wait_readable(int fd, long long deadline)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	long long left;
	int rc;

	do {
		left = deadline - now_ms();
		if (left <= 0)
			return errno = ETIMEDOUT, -1;
		rc = poll(&pf, 1, (int)left);
	} while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return errno = ETIMEDOUT, -1;
	return rc < 0 ? -1 : 0;
}

/*
 * Read all of fd into *buf (NUL-terminated), at most CFG_MAX_SIZE bytes;
 * a pipe within CFG_READ_MS.  0, or -1 with the error recorded.
 */
static int
read_all(struct cfg *c, int fd, int pipe, char **buf, size_t *len)
{
	long long deadline = now_ms() + CFG_READ_MS;
	size_t cap = 0, n = 0, want;
	char *b = NULL, *nb;
	ssize_t r = -1;

	for (;;) {
		if (n + 1 >= cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(nb = realloc(b, cap)))
				free(b), nook_oom();
			b = nb;
		}
		if (pipe && wait_readable(fd, deadline))
			break;
		want = cap - n - 1;
		if (want > CFG_MAX_SIZE + 1 - n)
			want = CFG_MAX_SIZE + 1 - n;
		r = read(fd, b + n, want);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0 || (n += r) > CFG_MAX_SIZE)
			break;
	}
	if (r == 0) {
		b[n] = 0;
		*buf = b, *len = n;
		return 0;
	}
	if (n > CFG_MAX_SIZE)
		cfg_error(c, NULL, -1, "%s: the file is larger than 1 MiB",
		    c->file);
	else if (errno == ETIMEDOUT)
		cfg_error(c, NULL, -1, "%s: not a regular file, and not read "
		    "to its end within %d s (a FIFO nobody writes to?)",
		    c->file, CFG_READ_MS / 1000);
	else
		cfg_error(c, NULL, -1, "%s: read: %s", c->file,
		    strerror(errno));
	free(b);
	return -1;
}

/*
 * Open the config without blocking (a FIFO must not hang nook in open)
 * and refuse what cannot be one: a directory, a device.  The fd, or -1.
 */
static int
open_config(struct cfg *c, int *pipe)
{
	struct stat sb;
	int fd = open(c->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0 || fstat(fd, &sb)) {
		cfg_error(c, NULL, -1, "%s: %s", c->file, strerror(errno));
		goto refuse;
	}
	if (!S_ISREG(sb.st_mode) && !S_ISFIFO(sb.st_mode)) {
		cfg_error(c, NULL, -1, "%s: %s", c->file, S_ISDIR(sb.st_mode) ?
		    strerror(EISDIR) : "not a regular file or a pipe");
		goto refuse;
	}
	if (sb.st_size > CFG_MAX_SIZE) {
		cfg_error(c, NULL, -1, "%s: the file is larger than 1 MiB "
		    "(%lld bytes)", c->file, (long long)sb.st_size);
		goto refuse;
	}
	*pipe = S_ISFIFO(sb.st_mode);
	return fd;
refuse:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
load_file(struct cfg *c)
{
	struct load_state st = { .c = c, .errs0 = c->nerrs };
	char *buf;
	int r, fd, pipe;

	if ((fd = open_config(c, &pipe)) < 0)
		return -2;
	r = read_all(c, fd, pipe, &buf, &st.len);
	close(fd);
	if (r)
		return -2;
	if (st.len >= 2 && (!memcmp(buf, "\xff\xfe", 2) ||
	    !memcmp(buf, "\xfe\xff", 2))) {
		cfg_error(c, NULL, -1, "%s: the file is UTF-16 (it starts with "
		    "a byte-order mark); save it as UTF-8", c->file);
		free(buf);
		return -2;
	}
	st.buf = buf;
	r = ini_parse_stream(line_reader, &st, key_handler, &st);
	free(buf);
	if (r > 0 && c->nerrs == st.errs0) {
		struct loc l = { c->file, r };

		cfg_error(c, &l, -1, "syntax error");
	}
	return c->nerrs == st.errs0 ? 0 : -1;
}

int
cfg_load_file(struct cfg *c)
{
	volatile int r = -1;

	CFG_ENTRY(c, -1, r = load_file(c));
	return r;
}

static void
trim_blanks(char *s)
{
	size_t n = strlen(s);

	while (n && is_blank(s[n - 1]))
		s[--n] = 0;
}

/* --set SECTION.KEY=VALUE, after the file: replaces scalars. */
/* Keep s until cfg_free(): values point at it. */
static void
own(struct cfg *c, char *s)
{
	char **n = realloc(c->owned, (c->nowned + 1) * sizeof(char *));

	if (!n)
		nook_oom();
	c->owned = n;
	c->owned[c->nowned++] = s;
}

static int
set_value(struct cfg *c, const char *assignment)
{
	struct loc l = { "--set", 0 };
	char *a = xstrdup(assignment), *dot, *eq, *v;
	int k;

	l.file = xasprintf("--set %s", assignment);
	own(c, (char *)l.file);
	eq = strchr(a, '=');
	dot = strchr(a, '.');
	if (!eq || !dot || dot > eq) {
		cfg_error(c, &l, -1, "expected SECTION.KEY=VALUE");
		free(a);
		return -1;
	}
	*dot = *eq = 0;
	for (v = eq + 1; is_blank(*v); v++)
		;
	trim_blanks(v);		/* as the loader does with a file's values */
	trim_blanks(a);
	trim_blanks(dot + 1);
	k = find_key(a, dot + 1 + strspn(dot + 1, " \t"));
	if (k < 0 && !strcmp(a, "sysctl")) {
		add_sysctl(c, dot + 1 + strspn(dot + 1, " \t"), v, &l, 0);
		free(a);
		return 0;
	}
	if (k < 0)
		unknown_key(c, &l, a, dot + 1 + strspn(dot + 1, " \t"));
	else
		add_value(c, k, v, &l, 0, 1);
	free(a);
	return k < 0 ? -1 : 0;
}

int
cfg_set(struct cfg *c, const char *assignment)
{
	volatile int r = -1;

	CFG_ENTRY(c, -1, r = set_value(c, assignment));
	return r;
}

static int
set_command(struct cfg *c, char **argv)
{
	struct loc l = { "command line", 0 };
	char *s = quote_words(argv);

	clear_ent(&c->e[K_COMMAND]);
	push_val(&c->e[K_COMMAND], s, &l, 0);
	c->e[K_COMMAND].set = 1;
	c->cmdline_command = 1;
	free(s);
	return 0;
}

int
cfg_set_command(struct cfg *c, char **argv)
{
	volatile int r = -1;

	CFG_ENTRY(c, -1, r = set_command(c, argv));
	return r;
}

void
cfg_free(struct cfg *c)
{
	size_t i;

	free_typed(&c->t);
	for (i = 0; i < c->nsysctls; i++) {
		free(c->sysctls[i].name);
		free(c->sysctls[i].v.s);
	}
	free(c->sysctls);
	for (i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	for (i = 0; i < K__COUNT; i++)
		clear_ent(&c->e[i]);
	for (i = 0; i < c->nmounts; i++)
		free(c->mounts[i].v.s);
	free(c->mounts);
	for (i = 0; i < c->nerrs; i++)
		free(c->errs[i]);
	free(c->errs);
	free(c->err_order);
	free(c->file);
	free(c->self_dir);
	memset(c, 0, sizeof(*c));
}
