// SPDX-License-Identifier: MIT
/*
 * The config file: one table of sections and keys, each with its type and
 * default, shared by the loader, the validator and --print-config.  The
 * loader never exits: every error is collected with its file:line, so the
 * caller prints them all and gives up once (and the unit test can look).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <cap-ng.h>
#include <linux/capability.h>
#include <ini.h>
#include <seccomp.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <linux/nsfs.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include "nook.h"

/* Choices, in the order of their C enums (nook.h). */
static const char *const c_bool[] = { "yes", "no", NULL };
static const char *const c_init_mode[] = { [INIT_MODE_INIT] = "init",
	[INIT_MODE_DIRECT] = "direct", NULL };
static const char *const c_overlay[] = { [OVERLAY_NONE] = "none",
	[OVERLAY_TMPFS] = "tmpfs", NULL };
static const char *const c_prop[] = { [PROP_SLAVE] = "slave",
	[PROP_PRIVATE] = "private", [PROP_SHARED] = "shared",
	[PROP_UNBINDABLE] = "unbindable", NULL };
static const char *const c_sys[] = { [SYS_RO] = "ro", [SYS_RW] = "rw",
	[SYS_NO] = "no", NULL };
static const char *const c_dev[] = { [DEV_MINIMAL] = "minimal",
	[DEV_HOST] = "host", [DEV_NONE] = "none", NULL };
static const char *const c_seccomp[] = { [SECCOMP_DEFAULT] = "default",
	[SECCOMP_NONE] = "none", NULL };
static const char *const c_action[] = { [SECCOMP_ERRNO] = "errno",
	[SECCOMP_KILL] = "kill", [SECCOMP_LOG] = "log", NULL };

#define OCI_MASKED "/proc/acpi\n/proc/asound\n/proc/kcore\n/proc/keys\n" \
	"/proc/latency_stats\n/proc/timer_list\n/proc/timer_stats\n" \
	"/proc/sched_debug\n/proc/scsi\n/sys/firmware\n" \
	"/sys/devices/virtual/powercap"
#define OCI_READONLY "/proc/bus\n/proc/fs\n/proc/irq\n/proc/sys\n" \
	"/proc/sysrq-trigger"
#define F(field) offsetof(struct nook_config, field)
#define RL(k, n) [k] = { "rlimits", n, T_RLIMIT, "inherit", NULL, 0, \
	F(rlimit) + ((k) - K_RL_FIRST) * sizeof(struct rlimit_spec) }

const struct key cfg_keys[K__COUNT] = {
	[K_NAME] = { "container", "name", T_NAME, NULL, NULL, 0, F(name) },
	[K_HOSTNAME] = { "container", "hostname", T_HOST, NULL, NULL, 0, F(hostname) },
	[K_DOMAINNAME] = { "container", "domainname", T_HOST, "", NULL, 0, F(domainname) },
	[K_COMMAND] = { "process", "command", T_WORDS, NULL, NULL, 0, F(command) },
	[K_CWD] = { "process", "cwd", T_ABSPATH, "/", NULL, 0, F(cwd) },
	[K_USER] = { "process", "user", T_ID, "0", NULL, 0, F(user) },
	[K_GROUP] = { "process", "group", T_ID, "", NULL, 0, F(group) },
	[K_GROUPS] = { "process", "groups", T_ID, "", NULL, KF_LIST, F(groups) },
	[K_ENV] = { "process", "env", T_ENV, "", NULL, KF_LIST, F(env) },
	[K_ENV_KEEP] = { "process", "env_keep", T_NAME, "", NULL, KF_LIST, F(env_keep) },
	[K_CLEAR_ENV] = { "process", "clear_env", T_BOOL, "yes", c_bool, 0, F(clear_env) },
	[K_UMASK] = { "process", "umask", T_OCTAL, "0022", NULL, 0, F(umask) },
	[K_NEW_SESSION] = { "process", "new_session", T_BOOL, "yes", c_bool, 0, F(new_session) },
	[K_STOP_TIMEOUT] = { "process", "stop_timeout", T_DUR, "10s", NULL, 0, F(stop_timeout) },
	[K_SETUP_TIMEOUT] = { "process", "setup_timeout", T_DUR, "30s", NULL,
		0, F(setup_timeout) },
	[K_INIT_PATH] = { "init", "path", T_ABSPATH, NULL, NULL, 0, F(init_path) },
	[K_INIT_ARGS] = { "init", "args", T_WORDS, "", NULL, KF_LIST, F(init_args) },
	[K_INIT_MODE] = { "init", "mode", T_ENUM, "init", c_init_mode, 0, F(init_mode) },
	[K_NS_USER] = { "namespaces", "user", T_NS, "new", NULL, 0, F(ns[0]) },
	[K_NS_PID] = { "namespaces", "pid", T_NS, "new", NULL, 0, F(ns[1]) },
	[K_NS_MOUNT] = { "namespaces", "mount", T_NS, "new", NULL, 0, F(ns[2]) },
	[K_NS_NET] = { "namespaces", "net", T_NS, "new", NULL, 0, F(ns[3]) },
	[K_NS_UTS] = { "namespaces", "uts", T_NS, "new", NULL, 0, F(ns[4]) },
	[K_NS_IPC] = { "namespaces", "ipc", T_NS, "new", NULL, 0, F(ns[5]) },
	[K_NS_CGROUP] = { "namespaces", "cgroup", T_NS, "new", NULL, 0, F(ns[6]) },
	[K_NS_TIME] = { "namespaces", "time", T_NS, "new", NULL, 0, F(ns[7]) },
	[K_BOOTTIME_OFFSET] = { "namespaces", "boottime_offset", T_SDUR, "0s",
		NULL, 0, F(boottime_offset) },
	[K_MONOTONIC_OFFSET] = { "namespaces", "monotonic_offset", T_SDUR, "0s",
		NULL, 0, F(monotonic_offset) },
	[K_UID_MAP] = { "user", "uid_map", T_IDMAP, "auto", NULL, KF_LIST, F(uid_map) },
	[K_GID_MAP] = { "user", "gid_map", T_IDMAP, "auto", NULL, KF_LIST, F(gid_map) },
	[K_ROOT_PATH] = { "rootfs", "path", T_ABSPATH, NULL, NULL, 0, F(root_path) },
	[K_ROOT_READONLY] = { "rootfs", "readonly", T_BOOL, "yes", c_bool, 0, F(root_readonly) },
	[K_ROOT_OVERLAY] = { "rootfs", "overlay", T_ENUM, "none", c_overlay, 0, F(overlay) },
	[K_ROOT_PROPAGATION] = { "rootfs", "propagation", T_ENUM, "slave",
		c_prop, 0, F(propagation) },
	[K_FS_PROC] = { "filesystem", "proc", T_BOOL, "yes", c_bool, 0, F(proc) },
	[K_FS_SYS] = { "filesystem", "sys", T_ENUM, "ro", c_sys, 0, F(sys) },
	[K_FS_DEV] = { "filesystem", "dev", T_ENUM, "minimal", c_dev, 0, F(dev) },
	[K_FS_TMP] = { "filesystem", "tmp", T_BOOL, "yes", c_bool, 0, F(tmp) },
	[K_FS_SHM_SIZE] = { "filesystem", "shm_size", T_SIZE, "64M", NULL, 0, F(shm_size) },
	[K_M_BIND] = { "mounts", "bind", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_M_BIND_RO] = { "mounts", "bind_ro", T_MOUNT, "", NULL,
		KF_LIST, F(mounts) },
	[K_M_TMPFS] = { "mounts", "tmpfs", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_M_MKDIR] = { "mounts", "mkdir", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_M_SYMLINK] = { "mounts", "symlink", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_M_FILE] = { "mounts", "file", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_FS_MASK] = { "filesystem", "mask", T_ABSPATH, OCI_MASKED, NULL,
		KF_LIST, F(mask) },
	[K_FS_RO_PATH] = { "filesystem", "readonly_path", T_ABSPATH,
		OCI_READONLY, NULL, KF_LIST, F(readonly_paths) },
	[K_PASS_FD] = { "process", "pass_fd", T_FD, "", NULL, KF_LIST, F(pass_fd) },
	[K_CAP_KEEP] = { "capabilities", "keep", T_CAP, "default", NULL,
		KF_LIST, F(caps_keep) },
	[K_CAP_DROP] = { "capabilities", "drop", T_CAP, "", NULL, KF_LIST, F(caps_drop) },
	[K_CAP_AMBIENT] = { "capabilities", "ambient", T_CAP, "", NULL,
		KF_LIST, F(caps_ambient) },
	[K_SEC_NNP] = { "security", "no_new_privs", T_BOOL, "yes", c_bool, 0, F(no_new_privs) },
	[K_SEC_SECCOMP] = { "security", "seccomp", T_ENUM, "default",
		c_seccomp, 0, F(seccomp) },
	[K_SEC_DENY] = { "security", "seccomp_deny", T_SYSCALL, "", NULL,
		KF_LIST, F(seccomp_deny) },
	[K_SEC_ALLOW] = { "security", "seccomp_allow", T_SYSCALL, "", NULL,
		KF_LIST, F(seccomp_allow) },
	[K_SEC_ACTION] = { "security", "seccomp_action", T_ENUM, "errno",
		c_action, 0, F(seccomp_action) },
	[K_SEC_TIOCSTI] = { "security", "block_tiocsti", T_BOOL, "yes", c_bool,
		0, F(block_tiocsti) },
	[K_SEC_NESTED_USERNS] = { "security", "nested_userns", T_BOOL, "no",
		c_bool, 0, F(nested_userns) },
	RL(K_RL_FIRST + 0, "as"), RL(K_RL_FIRST + 1, "core"),
	RL(K_RL_FIRST + 2, "cpu"), RL(K_RL_FIRST + 3, "data"),
	RL(K_RL_FIRST + 4, "fsize"), RL(K_RL_FIRST + 5, "locks"),
	RL(K_RL_FIRST + 6, "memlock"), RL(K_RL_FIRST + 7, "msgqueue"),
	RL(K_RL_FIRST + 8, "nice"), RL(K_RL_FIRST + 9, "nofile"),
	RL(K_RL_FIRST + 10, "nproc"), RL(K_RL_FIRST + 11, "rss"),
	RL(K_RL_FIRST + 12, "rtprio"), RL(K_RL_FIRST + 13, "rttime"),
	RL(K_RL_FIRST + 14, "sigpending"), RL(K_RL_FIRST + 15, "stack"),
};

static const char *const sections[] = { "container", "process", "init",
	"namespaces", "user", "rootfs", "filesystem", "mounts", "capabilities",
	"security", "rlimits" };
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

const char *
key_label(int k)
{
	static char buf[K__COUNT][48];

	if (!buf[k][0])
		snprintf(buf[k], sizeof(buf[k]), "[%s] %s", cfg_keys[k].sec,
		    cfg_keys[k].name);
	return buf[k];
}

void
cfg_init(struct cfg *c, const char *file, const char *self_dir)
{
	memset(c, 0, sizeof(*c));
	c->file = xstrdup(file);
	c->self_dir = xstrdup(self_dir ? self_dir : ".");
}

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
	if (!n)
		exit(EXIT_NOOK);
	c->errs = n;
	c->errs[c->nerrs++] = msg;
}

static int
find_section(const char *sec)
{
	size_t i;

	for (i = 0; i < NSECTIONS; i++)
		if (!strcmp(sec, sections[i]))
			return (int)i;
	return -1;
}

static int
find_key(const char *sec, const char *name)
{
	int k;

	for (k = 0; k < K__COUNT; k++)
		if (!strcmp(cfg_keys[k].sec, sec) && !strcmp(cfg_keys[k].name, name))
			return k;
	return -1;
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
		s = suggest(sec, sections, NSECTIONS);
		cfg_error(c, l, -1, "unknown section [%s]%s%s%s", sec,
		    s >= 0 ? " (did you mean [" : "", s >= 0 ? sections[s] : "",
		    s >= 0 ? "]?)" : "");
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
	struct val *n = realloc(e->v, (e->n + 1) * sizeof(*n));

	if (!n)
		exit(EXIT_NOOK);
	e->v = n;
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
	m = realloc(c->mounts, (c->nmounts + 1) * sizeof(*m));
	if (!m)
		exit(EXIT_NOOK);
	c->mounts = m;
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

struct load_state {
	struct cfg *c;
	FILE *f;
	char *line;		/* the last raw line read */
	size_t cap;
	int lineno;
	int have_prev;		/* inih's prev_name is set */
	int cont;		/* this line continues the previous value */
};

static int
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
	s = suggest(sec, sections, NSECTIONS);
	cfg_error(st->c, l, -1, "unknown section [%s]%s%s%s", sec,
	    s >= 0 ? " (did you mean [" : "", s >= 0 ? sections[s] : "",
	    s >= 0 ? "]?)" : "");
}

/*
 * Classify the raw line as inih will (comment, continuation, section,
 * key), so the handler knows continuations, and report the syntax inih
 * would reject (it names only the first such line) or silently mangle.
 */
static void
check_raw_line(struct load_state *st)
{
	struct loc l = { st->c->file, st->lineno };
	const char *line = st->line, *p, *q;

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

/*
 * inih reads through this, so the handler knows the line's number and
 * whether it is a continuation, and lines inih would cut or split are
 * caught here instead of losing data silently.
 */
static char *
line_reader(char *str, int num, void *stream)
{
	struct load_state *st = stream;
	ssize_t len = getline(&st->line, &st->cap, st->f);
	struct loc l = { st->c->file, 0 };

	if (len < 0)
		return NULL;
	st->lineno++;
	l.line = st->lineno;
	/*
	 * inih's buffer holds num bytes: a longer line would be split and
	 * its tail parsed as a line of its own.
	 */
	if (len + 1 > num) {
		cfg_error(st->c, &l, -1, "line is %zd characters long; the "
		    "limit is %d: continue the value on indented lines",
		    len - (st->line[len - 1] == '\n'), num - 2);
		st->c->dropped++;
		strcpy(str, "\n");
		st->line[0] = 0;
		return str;
	}
	if (memchr(st->line, 0, len)) {
		cfg_error(st->c, &l, -1, "line contains a NUL byte");
		st->c->dropped++;
		strcpy(str, "\n");
		st->line[0] = 0;
		return str;
	}
	check_raw_line(st);
	memcpy(str, st->line, len + 1);
	return str;
}

static int
key_handler(void *user, const char *sec, const char *name, const char *value)
{
	struct load_state *st = user;
	struct loc l = { st->c->file, st->lineno };
	int k = find_key(sec, name);
	int cont = st->cont;

	if (k < 0) {	/* unknown sections were named at their header */
		if (!cont && (!*sec || find_section(sec) >= 0))
			unknown_key(st->c, &l, sec, name);
		return 1;
	}
	add_value(st->c, k, value, &l, cont, 0);
	return 1;
}

/* A config is a small text: anything bigger is a mistake (or an attack). */
#define CFG_MAX_SIZE (1 << 20)

int
cfg_load_file(struct cfg *c)
{
	struct load_state st = { .c = c };
	size_t before = c->nerrs;
	struct stat sb;
	int r, fd;

	/* O_NONBLOCK: a FIFO must not hang nook (or --check) in open */
	fd = open(c->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &sb)) {
		cfg_error(c, NULL, -1, "%s: %s", c->file, strerror(errno));
		goto refuse;
	}
	if (!S_ISREG(sb.st_mode)) {
		cfg_error(c, NULL, -1, "%s: %s", c->file, S_ISDIR(sb.st_mode) ?
		    strerror(EISDIR) : "not a regular file");
		goto refuse;
	}
	if (sb.st_size > CFG_MAX_SIZE) {
		cfg_error(c, NULL, -1, "%s: the file is larger than 1 MiB "
		    "(%lld bytes)", c->file, (long long)sb.st_size);
		goto refuse;
	}
	if (!(st.f = fdopen(fd, "re"))) {
		cfg_error(c, NULL, -1, "%s: %s", c->file, strerror(errno));
		goto refuse;
	}
	r = ini_parse_stream(line_reader, &st, key_handler, &st);
	if (ferror(st.f))
		cfg_error(c, NULL, -1, "%s: read: %s", c->file, strerror(errno));
	fclose(st.f);
	free(st.line);
	if (r > 0 && c->nerrs == before) {
		struct loc l = { c->file, r };

		cfg_error(c, &l, -1, "syntax error");
	}
	return c->nerrs == before ? 0 : -1;
refuse:
	if (fd >= 0)
		close(fd);
	return -2;
}

static void
trim_blanks(char *s)
{
	size_t n = strlen(s);

	while (n && is_blank(s[n - 1]))
		s[--n] = 0;
}

/* --set SECTION.KEY=VALUE, after the file: replaces scalars. */
int
cfg_set(struct cfg *c, const char *assignment)
{
	struct loc l = { "--set", 0 };
	char *a = xstrdup(assignment), *dot, *eq, *v;
	int k;

	l.file = xasprintf("--set %s", assignment);
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
	if (k < 0)
		unknown_key(c, &l, a, dot + 1 + strspn(dot + 1, " \t"));
	else
		add_value(c, k, v, &l, 0, 1);
	free(a);
	return k < 0 ? -1 : 0;
}

/* Words quoted so parse_words() gives them back, joined by blanks. */
static char *
quote_words(char **w)
{
	char *line = xstrdup(""), *q, *n;
	size_t i;

	for (i = 0; w[i]; i++) {
		q = quote_word(w[i]);
		n = xasprintf("%s%s%s", line, i ? " " : "", q);
		free(line);
		free(q);
		line = n;
	}
	return line;
}

int
cfg_set_command(struct cfg *c, char **argv)
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

/* What type_keys() and cfg_validate() allocated. */
static void
free_typed(struct nook_config *t)
{
	size_t i;

	for (i = 0; i < t->nstrings; i++)
		free(t->strings[i]);
	for (i = 0; i < t->nlists; i++)
		free_strv(t->lists[i]);
	free_strv(t->command);
	free_strv(t->init_args);
	free_strv(t->env);
	free_strv(t->env_keep);
	free_strv(t->mask);
	free_strv(t->readonly_paths);
	free(t->groups);
	free(t->pass_fd.v);
	free(t->seccomp_deny.v);
	free(t->seccomp_allow.v);
	for (i = 0; i < t->nmounts; i++)
		mnt_spec_free(&t->mounts[i]);
	free(t->mounts);
}

void
cfg_free(struct cfg *c)
{
	size_t i;

	free_typed(&c->t);
	for (i = 0; i < K__COUNT; i++)
		clear_ent(&c->e[i]);
	for (i = 0; i < c->nmounts; i++)
		free(c->mounts[i].v.s);
	free(c->mounts);
	for (i = 0; i < c->nerrs; i++)
		free(c->errs[i]);
	free(c->errs);
	free(c->file);
	free(c->self_dir);
	memset(c, 0, sizeof(*c));
}


/* ---- typed access; values were checked by cfg_validate() ---- */

const struct loc *
cfg_loc(const struct cfg *c, int k)
{
	return c->e[k].n ? &c->e[k].v[0].loc : NULL;
}

const char *
cfg_str(const struct cfg *c, int k)
{
	static char name[65], host[65], init_path[4096];
	const char *base, *p;
	size_t n;

	if (c->e[k].n)
		return c->e[k].v[0].s;
	switch (k) {
	case K_NAME:
		base = strrchr(c->file, '/') ? strrchr(c->file, '/') + 1 : c->file;
		n = strlen(base);
		if (n > 4 && !strcmp(base + n - 4, ".ini"))
			n -= 4;
		if (n > 64)
			n = 64;
		for (p = base; (size_t)(p - base) < n; p++)
			name[p - base] = strchr("-_.", *p) ||
			    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') ? *p : '-';
		name[n] = 0;
		return n ? name : "nook";
	case K_HOSTNAME:	/* the name, in host-name characters */
		base = cfg_str(c, K_NAME);
		base += strspn(base, "-.");
		snprintf(host, sizeof(host), "%s", *base ? base : "nook");
		for (n = 0; host[n]; n++)
			if (host[n] == '_')
				host[n] = '-';
		return host;
	case K_INIT_PATH:
		snprintf(init_path, sizeof(init_path), "%s/nook-init",
		    c->self_dir);
		return init_path;
	}
	return cfg_keys[k].def;
}

int
cfg_bool(const struct cfg *c, int k)
{
	int b = 0;

	parse_bool(cfg_str(c, k), &b);
	return b;
}

int
cfg_enum(const struct cfg *c, int k)
{
	const char *s = cfg_str(c, k);
	int i;

	for (i = 0; cfg_keys[k].choices[i]; i++)
		if (!strcmp(s, cfg_keys[k].choices[i]))
			return i;
	return 0;
}

long long
cfg_num(const struct cfg *c, int k)
{
	const char *s = cfg_str(c, k);
	long long v = 0;

	switch (cfg_keys[k].type) {
	case T_SIZE: parse_size(s, &v); break;
	case T_DUR: parse_duration(s, &v, 0); break;
	case T_SDUR: parse_duration(s, &v, 1); break;
	case T_OCTAL: v = strtoll(s, NULL, 8); break;
	default: v = strtoll(s, NULL, 10); break;
	}
	return v;
}

/*
 * A value with its continuation lines joined by blanks, so quotes may span
 * lines.  *i moves past the lines used.
 */
static char *
joined_value(const struct ent *e, size_t *i)
{
	char *s = xstrdup(e->v[*i].s), *n;

	while (*i + 1 < e->n && e->v[*i + 1].cont) {
		n = xasprintf("%s %s", s, e->v[++*i].s);
		free(s);
		s = n;
	}
	return s;
}

/* All words of a word key (continuation lines included), NULL-ended. */
char **
cfg_words(const struct cfg *c, int k)
{
	const char *why;
	char **argv = NULL, *s;
	size_t argc = 0, i;

	if (!c->e[k].set && cfg_keys[k].def)
		parse_words(cfg_keys[k].def, &argv, &argc, &why);
	for (i = 0; i < c->e[k].n; i++) {
		s = joined_value(&c->e[k], &i);
		parse_words(s, &argv, &argc, &why);
		free(s);
	}
	if (!argv)
		argv = xcalloc(1, sizeof(char *));
	return argv;
}

/* The items of a list key (its default unless set), NULL-ended. */
char **
cfg_list(const struct cfg *c, int k)
{
	char **v;
	size_t i;

	if (!c->e[k].set) {	/* a default list is one item a line */
		const char *d = cfg_keys[k].def ? cfg_keys[k].def : "", *nl;

		v = xcalloc(strlen(d) + 2, sizeof(char *));
		for (i = 0; *d; i++, d = *nl ? nl + 1 : nl) {
			nl = strchrnul(d, '\n');
			v[i] = strndup(d, nl - d);
		}
		return v;
	}
	v = xcalloc(c->e[k].n + 1, sizeof(char *));
	for (i = 0; i < c->e[k].n; i++)
		v[i] = xstrdup(c->e[k].v[i].s);
	return v;
}

/* ---- capabilities and rlimits ---- */

/* CAP_NET_RAW, net_raw, NET_RAW: the number, or -1. */
static int
cap_number(const char *name)
{
	char low[64];
	size_t i;

	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	if (strlen(name) >= sizeof(low))
		return -1;
	for (i = 0; name[i]; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = 0;
	return capng_name_to_capability(low);
}

static const char *
cap_hint(const char *name)
{
	static char buf[64];
	const char *cands[64];
	int i, k;

	for (i = 0; i < 64; i++)
		cands[i] = capng_capability_to_name(i);
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	k = suggest(name, cands, 64);
	if (k < 0)
		return NULL;
	snprintf(buf, sizeof(buf), "CAP_%s", cands[k]);
	for (i = 4; buf[i]; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	return buf;
}

/* Docker's default set. */
static const int default_caps[] = { CAP_CHOWN, CAP_DAC_OVERRIDE,
	CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
	CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
	CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE };

/* Union of names (and none/all/default) into a bit mask. */
int
sec_cap_names(char **names, unsigned long long *mask, const char **bad)
{
	size_t i, j;
	int n;

	*mask = 0;
	for (i = 0; names[i]; i++) {	/* in order: none resets */
		if (!strcmp(names[i], "none")) {
			*mask = 0;
		} else if (!strcmp(names[i], "all")) {
			*mask = ~0ULL;
		} else if (!strcmp(names[i], "default")) {
			for (j = 0; j < sizeof(default_caps) / sizeof(int); j++)
				*mask |= 1ULL << default_caps[j];
		} else if ((n = cap_number(names[i])) >= 0 && n < 64) {
			*mask |= 1ULL << n;
		} else {
			*bad = names[i];
			return -1;
		}
	}
	return 0;
}

/* Does list key k name cap itself (or all), after its last none? */
static int
names_cap(const struct cfg *c, int k, int cap)
{
	char **names = cfg_list(c, k);
	int found = 0;
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], "none"))
			found = 0;
		else if (!strcmp(names[i], "all") || cap_number(names[i]) == cap)
			found = 1;
	free_strv(names);
	return found;
}

/* Where key k was given, or NULL for its default. */
const struct loc *
tloc(const struct cfg *c, int k)
{
	return c->e[k].n ? &c->t.loc[k] : NULL;
}

static int
ns_new(const struct nook_config *t, int k)
{
	return t->ns[k - NS_FIRST].mode == NS_NEW;
}

int
rlimit_resource(int k)
{
	static const int res[16] = { RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU,
		RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK,
		RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC,
		RLIMIT_RSS, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING,
		RLIMIT_STACK };

	return res[k - K_RL_FIRST];
}

/*
 * One side of SOFT:HARD in the unit that fits the resource; -1 with errno
 * ERANGE when it is too large (parse_duration() caps durations so that
 * RLIMIT_RTTIME's microseconds fit), else EINVAL.
 */
static int
rlimit_value(int res, const char *s, unsigned long long *out)
{
	long long v;

	if (!strcmp(s, "unlimited") || !strcmp(s, "infinity"))
		return *out = RLIM_INFINITY, 0;
	switch (res) {
	case RLIMIT_CPU:
		if (parse_duration(s, &v, 0))
			return -1;
		if (v % 1000)
			return errno = EINVAL, -1;
		return *out = (unsigned long long)v / 1000, 0;
	case RLIMIT_RTTIME:
		if (parse_duration(s, &v, 0))
			return -1;
		if ((unsigned long long)v > (RLIM_INFINITY - 1) / 1000)
			return errno = ERANGE, -1;
		return *out = (unsigned long long)v * 1000, 0;
	case RLIMIT_NICE:
		return parse_uint(s, 40, out);
	case RLIMIT_RTPRIO:
		return parse_uint(s, 99, out);
	case RLIMIT_NOFILE: case RLIMIT_NPROC: case RLIMIT_LOCKS:
	case RLIMIT_SIGPENDING:
		return parse_uint(s, 1ULL << 40, out);
	default:
		if (parse_size(s, &v))
			return -1;
		if (v < 0)
			return errno = EINVAL, -1;
		return *out = (unsigned long long)v, 0;
	}
}

/* Why a value of resource res is out of range. */
static const char *
rlimit_range(int res)
{
	switch (res) {
	case RLIMIT_CPU: case RLIMIT_RTTIME:
		return "out of range (at most 3650 days)";
	case RLIMIT_NICE:
		return "out of range (at most 40)";
	case RLIMIT_RTPRIO:
		return "out of range (at most 99)";
	case RLIMIT_NOFILE: case RLIMIT_NPROC: case RLIMIT_LOCKS:
	case RLIMIT_SIGPENDING:
		return "out of range (at most 1099511627776)";
	default:
		return "out of range (at most 8E, 2^63 - 1 bytes)";
	}
}

int
rlimit_parse(int k, const char *s, struct rlimit_spec *out, const char **why)
{
	char *a = xstrdup(s), *b = strchr(a, ':');
	int r = -1, bad;

	memset(out, 0, sizeof(*out));
	out->resource = rlimit_resource(k);
	if (!strcmp(s, "inherit")) {
		out->inherit = 1;
		free(a);
		return 0;
	}
	if (b)
		*b++ = 0;
	bad = rlimit_value(out->resource, a, &out->soft) ||
	    rlimit_value(out->resource, b ? b : a, &out->hard);
	if (bad && errno == ERANGE)
		*why = rlimit_range(out->resource);
	else if (bad)
		*why = out->resource == RLIMIT_CPU ? "expected SOFT[:HARD] "
		    "in whole seconds (10s, 2m), unlimited or inherit" :
		    out->resource == RLIMIT_NICE ? "expected SOFT[:HARD] from 0 "
		    "to 40, unlimited or inherit" : out->resource ==
		    RLIMIT_RTPRIO ? "expected SOFT[:HARD] from 0 to 99, "
		    "unlimited or inherit" : "expected SOFT[:HARD], each a "
		    "number (with a unit where it fits), unlimited, or inherit";
	else if (out->soft > out->hard)
		*why = "the soft limit is above the hard limit";
	else
		r = 0;
	free(a);
	return r;
}

/* ---- value checks ---- */

static int
is_name(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return 0;
	return 1;
}

static int
check_idmap(const char *s, struct idmap *m)
{
	unsigned long long v[3];
	char buf[96], *tok, *save;
	int i = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, " \t", &save); tok;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (i == 3 || parse_uint(tok, 4294967295ULL, &v[i]))
			return -1;
		i++;
	}
	if (i != 3 || v[2] == 0 || v[0] + v[2] > 4294967296ULL ||
	    v[1] + v[2] > 4294967296ULL)
		return -1;
	m->inside = v[0], m->outside = v[1], m->count = v[2];
	return 0;
}

/* One value of any key, parsed. */
union tval {
	int i;			/* T_BOOL, T_ENUM, T_FD, T_SYSCALL */
	unsigned u;		/* T_OCTAL */
	long long n;		/* T_SIZE, T_DUR, T_SDUR */
	char **w;		/* T_WORDS */
	struct id_spec id;	/* T_ID */
	struct ns_spec ns;	/* T_NS */
	struct { enum map_kind kind; struct idmap r; } map;	/* T_IDMAP */
	struct rlimit_spec rl;	/* T_RLIMIT */
};

/*
 * Parse value s of key k into *out: NULL, or why it is not valid (buf
 * may hold the text).  The only place a value is read; strings stay
 * pointers to s.
 */
static const char *
parse_value(int k, const char *s, union tval *out, char *buf, size_t len)
{
	const struct key *key = &cfg_keys[k];
	unsigned long long u;
	const char *why;
	size_t n = 0, i;
	int b;

	memset(out, 0, sizeof(*out));
	switch (key->type) {
	case T_NAME:
		if (k == K_ENV_KEEP)
			return is_name(s, 255, "_") && !(*s >= '0' && *s <= '9') ?
			    NULL : "expected an environment variable name";
		return is_name(s, 64, "-_.") ? NULL :
		    "expected 1-64 characters of A-Z a-z 0-9 - _ .";
	case T_HOST:
		return !*s || (is_name(s, 64, "-.") && *s != '-' && *s != '.') ?
		    NULL : "expected a host name: 1-64 characters of "
		    "A-Z a-z 0-9 - . (not starting with - or .)";
	case T_BOOL:
		return parse_bool(s, &out->i) ? "expected yes, no, true, false, "
		    "on, off, 1 or 0" : NULL;
	case T_SIZE:
		if (!strcmp(s, "max"))
			return out->n = -1, NULL;
		if (parse_size(s, &out->n))
			return errno == ERANGE ? "out of range (at most 8E, "
			    "2^63 - 1 bytes)" : "expected a size such as 64M, "
			    "1G, 4096 or max";
		return out->n == 0 ? "must not be 0" : NULL;
	case T_DUR:
	case T_SDUR:
		if (parse_duration(s, &out->n, key->type == T_SDUR))
			return errno == ERANGE ? "out of range (at most 3650 "
			    "days)" : "expected a duration such as 500ms, 10s, "
			    "2m or 1h";
		return NULL;
	case T_ENUM:
		for (i = 0; key->choices[i]; i++)
			if (!strcmp(s, key->choices[i]))
				return out->i = (int)i, NULL;
		b = suggest(s, key->choices, i);
		snprintf(buf, len, "\"%s\" is not one of", s);
		for (i = 0; key->choices[i]; i++)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s %s",
			    i ? "," : "", key->choices[i]);
		if (b >= 0)
			snprintf(buf + strlen(buf), len - strlen(buf),
			    " (did you mean %s?)", key->choices[b]);
		return buf;
	case T_WORDS:
		return parse_words(s, &out->w, &n, &why) ? why : NULL;
	case T_ENV:
		why = strchr(s, '=');
		if (!why || why == s)
			return "expected NAME=VALUE";
		snprintf(buf, len, "%.*s", (int)(why - s), s);
		return is_name(buf, 255, "_") && !(*s >= '0' && *s <= '9') ?
		    NULL : "expected NAME=VALUE with a valid variable name";
	case T_OCTAL:
		if (!*s || strspn(s, "01234567") != strlen(s) || strlen(s) > 4 ||
		    strtol(s, NULL, 8) > 0777)
			return "expected an octal mode from 0000 to 0777";
		out->u = (unsigned)strtol(s, NULL, 8);
		return NULL;
	case T_ABSPATH:
		return *s == '/' ? NULL : "expected an absolute path";
	case T_ID:
		out->id.name = s;
		if (!*s || parse_uint(s, 4294967294ULL, &out->id.id) == 0)
			return out->id.numeric = *s != 0, NULL;
		if (*s >= '0' && *s <= '9')
			return "expected an id from 0 to 4294967294 or a name";
		return is_name(s, 32, "-_.") && !strchr("-.", *s) ? NULL :
		    "expected a numeric id or a user/group name";
	case T_NS:
		out->ns.mode = !strcmp(s, "new") ? NS_NEW : !strcmp(s, "host") ?
		    NS_HOST : NS_JOIN;
		out->ns.path = s;
		if (out->ns.mode != NS_JOIN || *s == '/')
			return NULL;
		return "expected new, host or the path of a namespace file";
	case T_IDMAP:
		out->map.kind = !strcmp(s, "auto") ? MAP_AUTO :
		    !strcmp(s, "identity") ? MAP_IDENTITY : MAP_RANGES;
		if (out->map.kind != MAP_RANGES || !check_idmap(s, &out->map.r))
			return NULL;
		return "expected \"INSIDE OUTSIDE COUNT\" (COUNT > 0, ids "
		    "below 2^32), auto or identity";
	case T_CAP:
		if (!strcmp(s, "none") || !strcmp(s, "all") ||
		    !strcmp(s, "default") || cap_number(s) >= 0)
			return NULL;
		why = cap_hint(s);
		snprintf(buf, len, "unknown capability \"%s\"%s%s%s", s,
		    why ? " (did you mean " : "", why ? why : "", why ? "?)" : "");
		return buf;
	case T_SYSCALL:
		if ((out->i = seccomp_syscall_resolve_name(s)) != __NR_SCMP_ERROR)
			return NULL;
		snprintf(buf, len, "unknown system call \"%s\"", s);
		return buf;
	case T_RLIMIT:
		return rlimit_parse(k, s, &out->rl, &why) ? why : NULL;
	case T_FD:
		if (parse_uint(s, 65535, &u) || u < 3)
			return "expected a descriptor number from 3 to 65535 "
			    "(0-2 are always passed)";
		out->i = (int)u;
		return NULL;
	default:
		return NULL;
	}
}

static void *
field(struct nook_config *t, int k)
{
	return (char *)t + cfg_keys[k].off;
}

static void
int_push(struct int_list *l, int v)
{
	int *n = realloc(l->v, (l->n + 1) * sizeof(int));

	if (!n)
		exit(EXIT_NOOK);
	l->v = n;
	l->v[l->n++] = v;
}

/* Store a parsed value of key k, given at l; its string s is owned by t. */
static void
store(struct cfg *c, int k, const union tval *v, const char *s,
    const struct loc *l)
{
	struct nook_config *t = &c->t;
	void *f = field(t, k);
	struct idmap_spec *m;
	struct id_spec *ids;

	switch (cfg_keys[k].type) {
	case T_BOOL: case T_ENUM:
		*(int *)f = v->i;
		break;
	case T_OCTAL:
		*(unsigned *)f = v->u;
		break;
	case T_SIZE: case T_DUR: case T_SDUR:
		*(long long *)f = v->n;
		break;
	case T_NS:
		*(struct ns_spec *)f = v->ns;
		((struct ns_spec *)f)->path = s;
		break;
	case T_RLIMIT:
		*(struct rlimit_spec *)f = v->rl;
		break;
	case T_IDMAP:
		m = f;
		if (v->map.kind != MAP_RANGES) {
			m->kind = v->map.kind;
			m->specials++;
		} else if (m->n < sizeof(m->range) / sizeof(m->range[0])) {
			m->kind = MAP_RANGES;
			m->range[m->n] = v->map.r;
			m->range[m->n++].loc = *l;
		}
		break;
	case T_ID:
		if (!(cfg_keys[k].flags & KF_LIST)) {
			*(struct id_spec *)f = v->id;
			((struct id_spec *)f)->name = s;
			break;
		}
		ids = realloc(t->groups, (t->ngroups + 1) * sizeof(*ids));
		if (!ids)
			exit(EXIT_NOOK);
		t->groups = ids;
		ids[t->ngroups] = v->id;
		ids[t->ngroups++].name = s;
		break;
	case T_FD: case T_SYSCALL:
		int_push(f, v->i);
		break;
	case T_NAME: case T_HOST: case T_ABSPATH:
		if (!(cfg_keys[k].flags & KF_LIST))
			*(const char **)f = s;
		break;
	default:
		break;
	}
}

/*
 * Every key's values - given, or the default - parsed once into c->t,
 * each bad one reported at its file:line.  Strings of c->t are copies
 * that cfg_free() frees.
 */
static void
type_keys(struct cfg *c)
{
	struct nook_config *t = &c->t;
	char buf[256], **items, *v;
	const char *why;
	union tval tv;
	size_t i;
	int k;

	for (k = 0; k < K__COUNT; k++) {
		const struct key *key = &cfg_keys[k];
		struct ent *e = &c->e[k];
		struct loc def = { c->file, 0 };

		t->loc[k] = e->n ? e->v[0].loc : def;
		if (key->type == T_MOUNT)
			continue;
		if (key->type == T_WORDS) {	/* each given value checked */
			for (i = 0; i < e->n; i++) {
				struct loc *l = &e->v[i].loc;

				v = joined_value(e, &i);
				if ((why = parse_value(k, v, &tv, buf,
				    sizeof(buf))))
					cfg_error(c, l, k, "%s", why);
				free_strv(tv.w);
				free(v);
			}
			*(char ***)field(t, k) = cfg_words(c, k);
			continue;
		}
		if (key->flags & KF_LIST) {
			items = cfg_list(c, k);
			for (i = 0; items[i]; i++) {
				struct loc *l = e->set && i < e->n ? &e->v[i].loc :
				    &def;

				if ((why = parse_value(k, items[i], &tv, buf,
				    sizeof(buf))))
					cfg_error(c, l, k, "%s", why);
				else
					store(c, k, &tv, items[i], l);
			}
			if (key->type == T_CAP) {
				sec_cap_names(items, field(t, k), &why);
				free_strv(items);
			} else if (key->type == T_NAME || key->type == T_ENV ||
			    key->type == T_ABSPATH) {
				*(char ***)field(t, k) = items;
			} else {
				t->lists[t->nlists++] = items;	/* freed later */
			}
			continue;
		}
		if (!cfg_str(c, k))
			continue;	/* none: "required" says so */
		v = xstrdup(cfg_str(c, k));
		t->strings[t->nstrings++] = v;
		if ((why = parse_value(k, v, &tv, buf, sizeof(buf))))
			cfg_error(c, e->n ? &e->v[0].loc : &def, k, "%s", why);
		else
			store(c, k, &tv, v, e->n ? &e->v[0].loc : &def);
	}
}

/* ---- [mounts] ---- */

void
mnt_spec_free(struct mnt_spec *m)
{
	free(m->src);
	free(m->dst);
	free(m->text);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

static int
bind_options(char *opts, struct mnt_spec *out, const char **why)
{
	char *tok, *save;

	for (tok = strtok_r(opts, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "ro")) out->attrs |= M_RO;
		else if (!strcmp(tok, "rw") && out->kind == K_M_BIND_RO) {
			*why = "rw contradicts bind_ro (use bind)";
			return -1;
		} else if (!strcmp(tok, "rw")) out->attrs &= ~M_RO;
		else if (!strcmp(tok, "nosuid")) out->attrs |= M_NOSUID;
		else if (!strcmp(tok, "nodev")) out->attrs |= M_NODEV;
		else if (!strcmp(tok, "noexec")) out->attrs |= M_NOEXEC;
		else if (!strcmp(tok, "optional")) out->optional = 1;
		else if (!strcmp(tok, "idmap=no")) out->idmap = 0;
		else if (!strcmp(tok, "idmap=yes")) out->idmap = 1;
		else if (!strcmp(tok, "create=dir")) out->create = CREATE_DIR;
		else if (!strcmp(tok, "create=file")) out->create = CREATE_FILE;
		else {
			*why = "unknown option (expected ro, rw, nosuid, nodev, "
			    "noexec, optional, create=dir, create=file, "
			    "idmap=yes or idmap=no)";
			return -1;
		}
	}
	return 0;
}

static int
tmpfs_options(char *opts, struct mnt_spec *out, const char **why)
{
	char *tok, *save, *data = xstrdup("");
	unsigned long long u;
	long long sz;
	char *n;

	for (tok = strtok_r(opts, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "size=", 5) && !parse_size(tok + 5, &sz) &&
		    sz > 0)
			n = xasprintf("%s,size=%lld", data, sz);
		else if (!strncmp(tok, "mode=", 5) && tok[5] &&
		    strspn(tok + 5, "01234567") == strlen(tok + 5) &&
		    strtol(tok + 5, NULL, 8) <= 07777)
			n = xasprintf("%s,mode=%s", data, tok + 5);
		else if ((!strncmp(tok, "uid=", 4) || !strncmp(tok, "gid=", 4)) &&
		    !parse_uint(tok + 4, 4294967294ULL, &u))
			n = xasprintf("%s,%.4s%llu", data, tok, u);
		else {
			free(data);
			*why = "bad option (expected size=SIZE, mode=OCTAL, "
			    "uid=N or gid=N)";
			return -1;
		}
		free(data);
		data = n;
	}
	out->data = xstrdup(*data ? data + 1 : "");
	free(data);
	return 0;
}

/* Split one [mounts] value into its parts; *why says what is wrong. */
int
cfg_mount_parse(const struct mount_ent *m, struct mnt_spec *out,
    const char **why)
{
	char *s = xstrdup(m->v.s), *a, *b;
	int r = -1;

	memset(out, 0, sizeof(*out));
	out->kind = m->kind;
	out->loc = m->v.loc;
	a = strchr(s, ':');
	switch ((int)m->kind) {
	case K_M_BIND:
	case K_M_BIND_RO:
		out->attrs = m->kind == K_M_BIND_RO ? M_RO : 0;
		out->idmap = 1;
		b = a ? strchr(a + 1, ':') : NULL;
		if (a)
			*a++ = 0;
		if (b)
			*b++ = 0;
		out->src = xstrdup(s);
		out->dst = xstrdup(a && *a ? a : s);
		if (*out->src != '/' || *out->dst != '/')
			*why = "expected SRC[:DST[:OPTIONS]] with absolute paths";
		else if (!b || !bind_options(b, out, why))
			r = 0;
		break;
	case K_M_TMPFS:
		if (a)
			*a++ = 0;
		out->dst = xstrdup(s);
		if (*s != '/')
			*why = "expected DST[:OPTIONS] with an absolute DST";
		else
			r = tmpfs_options(a ? a : (char *)"", out, why);
		break;
	case K_M_MKDIR:
		out->dst = xstrdup(s);
		r = *s == '/' ? 0 : (*why = "expected an absolute path", -1);
		break;
	case K_M_SYMLINK:
		if (a)
			*a++ = 0;
		if (!a || !*s || *a != '/') {
			*why = "expected TARGET:LINK with an absolute LINK";
			break;
		}
		out->text = xstrdup(s);
		out->dst = xstrdup(a);
		r = 0;
		break;
	case K_M_FILE:
		b = strstr(s, ":=");
		if (!b || *s != '/') {
			*why = "expected DST:=TEXT with an absolute DST";
			break;
		}
		*b = 0;
		out->dst = xstrdup(s);
		out->text = xasprintf("%s\n", b + 2);
		r = 0;
		break;
	}
	free(s);
	if (r == 0 && out->dst && (strstr(out->dst, "/../") ||
	    (strlen(out->dst) >= 3 && !strcmp(out->dst + strlen(out->dst) - 3,
	    "/..")))) {
		*why = "the destination must not contain \"..\"";
		r = -1;
	}
	return r;
}

static int
overlap(unsigned long long a, unsigned long long b, unsigned long long n,
    unsigned long long m)
{
	return a < b + m && b < a + n;
}

/* A map as a whole: ranges apart, container root mapped, auto alone. */
static void
validate_idmap(struct cfg *c, int k)
{
	struct idmap_spec *s = field(&c->t, k);
	struct idmap *m = s->range;
	size_t i, j, n = 0, given = s->n;

	for (i = 0; i < s->n; i++) {
		for (j = 0; j < n; j++)
			if (overlap(m[i].inside, m[j].inside, m[i].count,
			    m[j].count) || overlap(m[i].outside, m[j].outside,
			    m[i].count, m[j].count))
				break;
		if (j < n) {
			cfg_error(c, &m[i].loc, k, "range \"%llu %llu %llu\" "
			    "overlaps another range of the map", m[i].inside,
			    m[i].outside, m[i].count);
			continue;
		}
		m[n++] = m[i];
	}
	s->n = n;
	for (i = 0; i < n && m[i].inside != 0; i++)
		;
	if (n && i == n)
		cfg_error(c, &c->t.loc[k], k, "must map container id 0 (nook "
		    "sets the container up as its root)");
	if (s->specials && (s->specials > 1 || given))
		cfg_error(c, &c->t.loc[k], k, "auto and identity cannot be "
		    "combined with other ranges");
	if (n > MAX_RANGES)
		cfg_error(c, &c->t.loc[k], k, "at most %d ranges (got %zu)",
		    MAX_RANGES, n);
}

/* ---- whole-file checks ---- */

int
ns_type_of(int k)
{
	static const int types[NS_COUNT] = { CLONE_NEWUSER, CLONE_NEWPID,
		CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC,
		CLONE_NEWCGROUP, CLONE_NEWTIME };

	return types[k - NS_FIRST];
}

/* A warning in the shape of an error: "web.ini:3: [sec] key: why". */
static void
warn_at(const struct loc *l, int k, const char *why)
{
	if (l && l->line > 0)
		nook_warn("%s:%d: %s %s", l->file, l->line, key_label(k), why);
	else
		nook_warn("%s %s", key_label(k), why);
}

/* Keys that are each fine but cannot go together. */
static void
check_conflicts(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	const struct loc *l;

	if (t->ns[K_NS_MOUNT - NS_FIRST].mode != NS_NEW)
		cfg_error(c, tloc(c, K_NS_MOUNT), K_NS_MOUNT, "must be new: "
		    "nook builds the container's root in a mount namespace of "
		    "its own");
	if (t->ns[0].mode != NS_NEW && geteuid() != 0)
		cfg_error(c, tloc(c, K_NS_USER), K_NS_USER, "only root can "
		    "create namespaces without a new user namespace");
	else if (t->ns[0].mode == NS_HOST)
		warn_at(tloc(c, K_NS_USER), K_NS_USER, "= host: the "
		    "container's root is the host's root and no user namespace "
		    "protects the host's devices, /proc/sys or /sys; only "
		    "capabilities, masks and seccomp stand in the way (use "
		    "user = new)");
	if ((l = tloc(c, K_UID_MAP)) && t->ns[0].mode != NS_NEW &&
	    t->uid_map.kind != MAP_AUTO)
		cfg_error(c, l, K_UID_MAP, "needs [namespaces] user = new");
	if ((l = tloc(c, K_GID_MAP)) && t->ns[0].mode != NS_NEW &&
	    t->gid_map.kind != MAP_AUTO)
		cfg_error(c, l, K_GID_MAP, "needs [namespaces] user = new");
	if ((l = tloc(c, K_BOOTTIME_OFFSET)) && t->boottime_offset &&
	    !ns_new(t, K_NS_TIME))
		cfg_error(c, l, K_BOOTTIME_OFFSET, "needs [namespaces] time = new");
	if ((l = tloc(c, K_MONOTONIC_OFFSET)) && t->monotonic_offset &&
	    !ns_new(t, K_NS_TIME))
		cfg_error(c, l, K_MONOTONIC_OFFSET,
		    "needs [namespaces] time = new");
	if ((l = tloc(c, K_HOSTNAME)) && !ns_new(t, K_NS_UTS))
		cfg_error(c, l, K_HOSTNAME, "needs [namespaces] uts = new");
	if ((l = tloc(c, K_DOMAINNAME)) && !ns_new(t, K_NS_UTS))
		cfg_error(c, l, K_DOMAINNAME, "needs [namespaces] uts = new");
	/* the defaults give way (the host's are bound: mount.c); only a
	 * value given asks for what cannot be */
	if ((l = tloc(c, K_FS_SYS)) && t->sys != SYS_NO &&
	    ns_new(t, K_NS_USER) && !ns_new(t, K_NS_NET))
		cfg_error(c, l, K_FS_SYS, "mounting sysfs in a new user "
		    "namespace needs [namespaces] net = new (or leave sys "
		    "out to get the host's /sys read-only, or set sys = no)");
	if ((l = tloc(c, K_FS_PROC)) && t->proc && ns_new(t, K_NS_USER) &&
	    !ns_new(t, K_NS_PID))
		cfg_error(c, l, K_FS_PROC, "mounting /proc in a new user "
		    "namespace needs [namespaces] pid = new (or leave proc "
		    "out to get the host's /proc bound, or set proc = no)");
	if ((l = tloc(c, K_INIT_ARGS)) && t->init_mode == INIT_MODE_DIRECT)
		cfg_error(c, l, K_INIT_ARGS, "conflicts with [init] mode = "
		    "direct (no init runs)");
	if (t->pass_fd.n > 16)
		cfg_error(c, &c->e[K_PASS_FD].v[16].loc, K_PASS_FD, "at most 16 "
		    "descriptors");
	if (t->ngroups > 64)
		cfg_error(c, &c->e[K_GROUPS].v[64].loc, K_GROUPS, "at most 64 "
		    "groups");
	if (t->seccomp == SECCOMP_NONE && ((l = tloc(c, K_SEC_DENY)) ||
	    (l = tloc(c, K_SEC_ALLOW))))
		cfg_error(c, l, l == tloc(c, K_SEC_DENY) ? K_SEC_DENY :
		    K_SEC_ALLOW, "has no effect with [security] seccomp = none");
	if ((l = tloc(c, K_FS_SHM_SIZE)) && t->dev != DEV_MINIMAL)
		cfg_error(c, l, K_FS_SHM_SIZE, "applies only with [filesystem] "
		    "dev = minimal");
	if (t->caps_ambient & ~t->caps)
		cfg_error(c, tloc(c, K_CAP_AMBIENT), K_CAP_AMBIENT, "must be a "
		    "subset of the kept capabilities ([capabilities] keep "
		    "minus drop)");
}

/*
 * Type every value (type_keys), then check what only the whole file can
 * tell: the id maps, the mounts, the required keys, conflicts.  No host
 * I/O: that is cfg_check_host(), a step of its own.
 */
int
cfg_validate(struct cfg *c)
{
	struct nook_config *t = &c->t;
	struct mnt_spec *m;
	const char *why;
	size_t i, before = c->nerrs;

	type_keys(c);
	validate_idmap(c, K_UID_MAP);
	validate_idmap(c, K_GID_MAP);
	t->mounts = xcalloc(c->nmounts + 1, sizeof(*t->mounts));
	for (i = 0; i < c->nmounts; i++) {
		m = &t->mounts[t->nmounts];
		if (cfg_mount_parse(&c->mounts[i], m, &why))
			cfg_error(c, &c->mounts[i].v.loc, c->mounts[i].kind,
			    "\"%s\": %s", c->mounts[i].v.s, why);
		else
			t->nmounts++;
	}
	/*
	 * Outside a new user namespace CAP_MKNOD is the host's: a block
	 * node of the host's disk.  "default" leaves it out there; only a
	 * name (or all) keeps it.
	 */
	t->caps = t->caps_keep & ~t->caps_drop;
	if (t->ns[0].mode != NS_NEW && !names_cap(c, K_CAP_KEEP, CAP_MKNOD))
		t->caps &= ~(1ULL << CAP_MKNOD);
	/* a line refused whole may have held them: no follow-on errors */
	if (!c->e[K_COMMAND].n && !c->dropped)
		cfg_error(c, c->e[K_COMMAND].given.line ? &c->e[K_COMMAND].given :
		    NULL, K_COMMAND, "required (in the file or after -- on the "
		    "command line)");
	if (!c->e[K_ROOT_PATH].n && !c->dropped)
		cfg_error(c, c->e[K_ROOT_PATH].given.line ?
		    &c->e[K_ROOT_PATH].given : NULL, K_ROOT_PATH, "required");
	if (c->nerrs == before)
		check_conflicts(c);
	return c->nerrs == before && !c->dropped ? 0 : -1;
}

/* ---- --print-config: INI that nook reads back unchanged ---- */

/*
 * One line of quoted words, wrapped onto indented continuation lines at
 * single blanks (even inside quotes): the loader joins continuation lines
 * with exactly one blank, so the words read back the same.
 */
static void
print_words(const struct cfg *c, int k, FILE *out)
{
	char **w = cfg_words(c, k), *line = quote_words(w), *p, *cut;

	fprintf(out, "%s =", cfg_keys[k].name);
	for (p = line; strlen(p) > 150; p = cut + 1) {
		for (cut = p + 150; cut > p; cut--)
			if (*cut == ' ' && cut[-1] != ' ' && cut[1] != ' ' &&
			    cut[-1] != '\t' && cut[1] != '\t' && cut[1] &&
			    !strchr("#;[", cut[1]))
				break;
		if (cut == p)
			break;
		fprintf(out, "%s%.*s\n", p == line ? " " : "\t",
		    (int)(cut - p), p);
	}
	fprintf(out, "%s%s\n", p == line ? (*p ? " " : "") : "\t", p);
	free(line);
	free_strv(w);
}

static void
print_mounts(const struct cfg *c, FILE *out)
{
	const char *s, *nl;
	size_t i;

	for (i = 0; i < c->nmounts; i++) {
		s = c->mounts[i].v.s;
		fprintf(out, "%s = ", cfg_keys[c->mounts[i].kind].name);
		while ((nl = strchr(s, '\n'))) {
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
		return ns_new(&c->t, K_NS_UTS);
	if (k == K_FS_SHM_SIZE)
		return c->t.dev == DEV_MINIMAL;
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
	const char *nl, *p;
	size_t len;

	for (*n = 1; ; v = nl + 1, ++*n) {
		nl = strchrnul(v, '\n');
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

int
cfg_print(struct cfg *c, FILE *out)
{
	if (printable(c))
		return -1;
	const char *s;
	char **items;
	size_t sec, i;
	int k;

	fprintf(out, "# effective configuration of %s\n", c->file);
	for (sec = 0; sec < NSECTIONS; sec++) {
		fprintf(out, "\n[%s]\n", sections[sec]);
		if (!strcmp(sections[sec], "mounts")) {
			print_mounts(c, out);
			continue;
		}
		for (k = 0; k < K__COUNT; k++) {
			if (strcmp(cfg_keys[k].sec, sections[sec]))
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
