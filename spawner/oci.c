// SPDX-License-Identifier: MIT
/*
 * nook-oci: an OCI bundle's config.json becomes the same struct
 * cfg the INI loader fills, through the INI loader's own --set machinery,
 * so every value is parsed and checked by the one key table; each value
 * is then labelled with its JSON path, so an error names it.  A field
 * nook cannot honour yet is an error naming its path, never skipped.
 *
 * The JSON library is json-c: a small C API, packaged in Debian with a
 * static archive (nook links static-pie), and its object model - get a
 * member, walk an object - keeps this converter short.  crun uses yajl's
 * tree API; it would do, but json-c's iterators and typed getters need
 * less glue here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cap-ng.h>
#include <getopt.h>

#include "oci-int.h"
#include "oci-hooks.h"

void
oci_err(struct oci *o, const char *path, const char *fmt, ...)
{
	struct loc l = { OCI_FILE, 0 };
	va_list ap;
	char *why;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		nook_oom();
	va_end(ap);
	cfg_error(o->c, &l, -1, "%s: %s", path, why);
	free(why);
}

static void
unsupported(struct oci *o, const char *path)
{
	oci_err(o, path, "not supported yet");
}

static char *
own_str(struct cfg *c, char *s)
{
	char **n = realloc(c->owned, (c->nowned + 1) * sizeof(char *));

	if (!n)
		nook_oom();
	c->owned = n;
	c->owned[c->nowned++] = s;
	return s;
}

/*
 * Every value the last cfg_set() stored under its "--set ..." place now
 * says where (a JSON path), which c owns from here on.
 */
static void
relabel(struct cfg *c, char *where)
{
	const char *old = c->owned[c->nowned - 1];
	size_t k, i;

	own_str(c, where);

	for (k = 0; k < K__COUNT; k++)
		for (i = 0; i < c->e[k].n; i++)
			if (c->e[k].v[i].loc.file == old)
				c->e[k].v[i].loc.file = where;
	for (i = 0; i < c->nmounts; i++)
		if (c->mounts[i].v.loc.file == old)
			c->mounts[i].v.loc.file = where;
	for (i = 0; i < c->nsysctls; i++)
		if (c->sysctls[i].v.loc.file == old)
			c->sysctls[i].v.loc.file = where;
}

/* cfg_set("sec.key=value") for the JSON value at path. */
void
oci_set(struct oci *o, const char *path, const char *fmt, ...)
{
	struct cfg *c = o->c;
	va_list ap;
	char *a;

	va_start(ap, fmt);
	if (vasprintf(&a, fmt, ap) < 0)
		nook_oom();
	va_end(ap);
	if (strchr(a, '\n') && !o->newline_ok)
		oci_err(o, path, "a value with a newline is not supported");
	else if (!cfg_set(c, a))
		relabel(c, xasprintf("%s: %s", OCI_FILE, path));
	free(a);
}

static const char *
jtype(jobj *v)
{
	return json_type_to_name(json_object_get_type(v));
}

int
oci_want(struct oci *o, const char *path, jobj *v, enum json_type t)
{
	if (json_object_is_type(v, t))
		return 0;
	oci_err(o, path, "expected %s, not %s", json_type_to_name(t), jtype(v));
	return -1;
}

/* A string without NUL bytes (\u0000 would cut it short in C). */
const char *
oci_jstr(struct oci *o, const char *path, jobj *v)
{
	const char *s;

	if (oci_want(o, path, v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (strlen(s) == (size_t)json_object_get_string_len(v))
		return s;
	oci_err(o, path, "a string with a NUL character");
	return NULL;
}

/* A whole number from 0 to max, or -1 (with the error recorded). */
long long
oci_jnum(struct oci *o, const char *path, jobj *v, long long max)
{
	int64_t n;

	if (oci_want(o, path, v, json_type_int))
		return -1;
	n = json_object_get_int64(v);
	if (n < 0 || n > max) {
		oci_err(o, path, "%lld is out of range (0 to %lld)", (long long)n,
		    max);
		return -1;
	}
	return n;
}

char *
oci_sub(const char *path, const char *name)
{
	return *path ? xasprintf("%s.%s", path, name) : xstrdup(name);
}

char *
oci_idx(const char *path, size_t i)
{
	return xasprintf("%s[%zu]", path, i);
}

/* Walk an object: each member to its handler, any other an error. */
void
oci_walk(struct oci *o, const char *path, jobj *obj, const struct field *f)
{
	struct json_object_iterator it, end;
	const struct field *p;
	const char *name;
	char *where;

	if (oci_want(o, *path ? path : "(top)", obj, json_type_object))
		return;
	it = json_object_iter_begin(obj);
	end = json_object_iter_end(obj);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		where = oci_sub(path, name);
		for (p = f; p->name && strcmp(p->name, name); p++)
			;
		if (p->name && p->fn)
			p->fn(o, where, json_object_iter_peek_value(&it));
		else if (!p->name)
			unsupported(o, where);
		free(where);
	}
}

/* Each element of an array to fn, with its JSON path. */
void
oci_each(struct oci *o, const char *path, jobj *v, handler fn)
{
	size_t i, n;
	char *where;

	if (oci_want(o, path, v, json_type_array))
		return;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		where = oci_idx(path, i);
		fn(o, where, json_object_array_get_idx(v, i));
		free(where);
	}
}

/* Each element of an array of strings to fn (NULL: an error said). */
void
oci_each_str(struct oci *o, const char *path, jobj *v,
    void (*fn)(struct oci *, const char *, const char *, void *), void *arg)
{
	size_t i, n;
	char *where;

	if (oci_want(o, path, v, json_type_array))
		return;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		const char *s;

		where = oci_idx(path, i);
		if ((s = oci_jstr(o, where, json_object_array_get_idx(v, i))))
			fn(o, where, s, arg);
		free(where);
	}
}

void
oci_set_item(struct oci *o, const char *path, const char *s, void *key)
{
	oci_set(o, path, "%s=%s", (const char *)key, s);
}

/* ---- top level ---- */

static void
h_version(struct oci *o, const char *path, jobj *v)
{
	const char *s = oci_jstr(o, path, v);

	if (s && strncmp(s, "1.0.", 4) && strncmp(s, "1.1.", 4) &&
	    strncmp(s, "1.2.", 4))
		oci_err(o, path, "\"%s\": not supported (1.0.x to 1.2.x)", s);
}

static void
h_hostname(struct oci *o, const char *path, jobj *v)
{
	const char *s = oci_jstr(o, path, v);

	if (s && *s)
		oci_set(o, path, "container.hostname=%s", s);
}

static void
h_domainname(struct oci *o, const char *path, jobj *v)
{
	const char *s = oci_jstr(o, path, v);

	if (s && *s)
		oci_set(o, path, "container.domainname=%s", s);
}

/* Opaque to runtimes, says the spec: checked for shape only. */
static void
h_annotations(struct oci *o, const char *path, jobj *v)
{
	oci_want(o, path, v, json_type_object);
}

static const struct field top_fields[] = {
	{ "ociVersion", h_version }, { "process", oci_process },
	{ "root", oci_root }, { "hostname", h_hostname },
	{ "domainname", h_domainname }, { "mounts", oci_mounts },
	{ "linux", oci_linux }, { "annotations", h_annotations },
	{ "hooks", oci_hooks }, { NULL, NULL },
};

/* ---- the loader ---- */

/* Where OCI's defaults differ from nook's: before the file's values. */
static void
oci_defaults(struct cfg *c)
{
	static const char *const d[] = { "init.mode=direct",
		"security.seccomp=none", "security.block_tiocsti=no",
		"security.no_new_privs=no",
		"capabilities.keep=", "capabilities.keep=none",
		"namespaces.user=host", "namespaces.pid=host",
		"namespaces.mount=host", "namespaces.net=host",
		"namespaces.uts=host", "namespaces.ipc=host",
		"namespaces.cgroup=host", "namespaces.time=host",
		"cgroup.hierarchies=all",
		"filesystem.tmp=no", "filesystem.mask=",
		"filesystem.readonly_path=", "rootfs.readonly=no", NULL };
	size_t i;

	for (i = 0; d[i]; i++)
		if (!cfg_set(c, d[i]))
			relabel(c, xstrdup(strncmp(d[i], "namespaces.", 11) ?
			    OCI_FILE ": (the OCI default)" : OCI_FILE
			    ": linux.namespaces (not listed: the host's)"));
}

/* The kernel's file systems the mounts asked for, in [filesystem]. */
static void
oci_filesystems(struct oci *o)
{
	static const char *const sys[] = { "no", "ro", "rw" };

	oci_set(o, "mounts", "filesystem.proc=%s", o->proc ? "yes" : "no");
	oci_set(o, "mounts", "filesystem.sys=%s", sys[o->sys]);
	oci_set(o, "mounts", "filesystem.dev=%s", o->dev ? "minimal" : "none");
	if (o->cgroup && !o->sys)
		oci_err(o, "mounts", "/sys/fs/cgroup without sysfs on /sys: not "
		    "supported yet");
	if (o->dev_parts && !o->dev)
		oci_err(o, "mounts", "/dev/pts, /dev/shm or /dev/mqueue without a "
		    "tmpfs on /dev: not supported yet");
}

static ssize_t
read_whole(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return (ssize_t)got;
}

/* The bytes of config.json: a regular file of at most 1 MiB. */
static char *
read_config(struct cfg *c, size_t *len)
{
	struct loc l = { OCI_FILE, 0 };
	struct stat sb;
	char *buf = NULL;
	ssize_t n = 0;
	int fd;

	fd = open(c->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &sb))
		cfg_error(c, NULL, -1, "%s: %s", c->file, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		cfg_error(c, NULL, -1, "%s: not a regular file", c->file);
	else if (sb.st_size > OCI_MAX_SIZE)
		cfg_error(c, &l, -1, "the file is larger than 1 MiB");
	else {
		buf = xcalloc(sb.st_size + 2, 1);
		n = read_whole(fd, buf, sb.st_size + 1);
		if (n < 0 || n > sb.st_size) {
			cfg_error(c, &l, -1, "read: %s", n < 0 ?
			    strerror(errno) : "the file grew");
			free(buf);
			buf = NULL;
		}
	}
	if (fd >= 0)
		close(fd);
	*len = n > 0 ? (size_t)n : 0;
	return buf;
}

/* Line and column of byte off, both from 1. */
static void
line_col(const char *buf, size_t off, int *line, int *col)
{
	size_t i;

	*line = *col = 1;
	for (i = 0; i < off && buf[i]; i++) {
		if (buf[i] == '\n')
			++*line, *col = 1;
		else
			++*col;
	}
}

static jobj *
parse_json(struct cfg *c, const char *buf, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error e;
	struct loc l = { OCI_FILE, 0 };
	size_t end;
	jobj *v;
	int line, col;

	if (!tok)
		nook_oom();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	v = json_tokener_parse_ex(tok, buf, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (e == json_tokener_success && buf[end + strspn(buf + end,
	    " \t\r\n")] == 0)
		return v;
	line_col(buf, end, &line, &col);
	l.line = line;
	if (e == json_tokener_success)
		cfg_error(c, &l, -1, "column %d: text after the JSON value",
		    col);
	else
		cfg_error(c, &l, -1, "column %d: %s", col,
		    e == json_tokener_continue ? "unexpected end of file" :
		    json_tokener_error_desc(e));
	json_object_put(v);
	return NULL;
}

static void
convert(struct oci *o, jobj *root)
{
	jobj *x;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "ociVersion", &x))
		oci_err(o, "ociVersion", "missing");
	if (json_object_is_type(root, json_type_object) &&
	    !json_object_object_get_ex(root, "root", &x))
		oci_err(o, "root", "missing");
	oci_walk(o, "", root, top_fields);
	oci_filesystems(o);
}

/*
 * nook-oci exec: the process of --process FILE, or of config.json with
 * the command line's values over it, in place of config.json's own.
 */
static int
exec_process(struct oci *o, jobj *root, const struct oci_extra *x)
{
	unsigned long long uid, gid = 0;
	jobj *p = NULL, *v, *u;
	char *colon;
	size_t i;

	if (x->process_file) {
		if (!(p = json_object_from_file(x->process_file))) {
			oci_err(o, "--process", "%s: %s", x->process_file,
			    json_util_get_last_err());
			return -1;
		}
	} else if (json_object_object_get_ex(root, "process", &v))
		json_object_deep_copy(v, &p, NULL);
	else
		p = json_object_new_object();
	if (x->args) {
		v = json_object_new_array();
		for (i = 0; x->args[i]; i++)
			json_object_array_add(v,
			    json_object_new_string(x->args[i]));
		json_object_object_add(p, "args", v);
	}
	if (x->env) {
		if (!json_object_object_get_ex(p, "env", &v) ||
		    !json_object_is_type(v, json_type_array)) {
			v = json_object_new_array();
			json_object_object_add(p, "env", v);
		}
		for (i = 0; x->env[i]; i++)
			json_object_array_add(v,
			    json_object_new_string(x->env[i]));
	}
	if (x->cwd)
		json_object_object_add(p, "cwd", json_object_new_string(x->cwd));
	if (x->user) {
		colon = strchr(x->user, ':');
		if (colon)
			*colon = 0;
		if (parse_uint(x->user, 0xfffffffeULL, &uid) || (colon &&
		    parse_uint(colon + 1, 0xfffffffeULL, &gid))) {
			oci_err(o, "--user", "expected UID[:GID], numbers");
			json_object_put(p);
			return -1;
		}
		u = json_object_new_object();
		json_object_object_add(u, "uid", json_object_new_int64(
		    (int64_t)uid));
		json_object_object_add(u, "gid", json_object_new_int64(
		    (int64_t)gid));
		json_object_object_add(p, "user", u);
	}
	if (x->tty)
		json_object_object_add(p, "terminal",
		    json_object_new_boolean(1));
	if (x->nnp)
		json_object_object_add(p, "noNewPrivileges",
		    json_object_new_boolean(1));
	json_object_object_add(root, "process", p);
	return 0;
}

/*
 * BUNDLE/config.json into c, as cfg_init() and cfg_load_file() with its
 * --set values would: every error recorded in c, the file's JSON path
 * in each; then cfg_validate().  0, or -1 with errors.
 */
int
oci_load_bundle(struct cfg *c, const char *bundle, const char *id,
    const struct oci_extra *x)
{
	struct oci o = { .c = c };
	char *abs, *buf, *file, *self;
	jobj *root = NULL;
	size_t len, i;

	if (!(abs = realpath(bundle, NULL))) {
		cfg_init(c, bundle, NULL);
		cfg_error(c, NULL, -1, "bundle %s: %s", bundle,
		    strerror(errno));
		return -1;
	}
	file = xasprintf("%s/%s", abs, OCI_FILE);
	self = self_dir();	/* where nook-init is, as for nook */
	cfg_init(c, file, self);
	free(self);
	free(file);
	o.bundle = own_str(c, abs);
	c->oci = 1;
	oci_defaults(c);
	if (id && !cfg_set(c, own_str(c, xasprintf("container.name=%s", id))))
		relabel(c, xasprintf("container id \"%s\"", id));
	if ((buf = read_config(c, &len)))
		root = parse_json(c, buf, len);
	free(buf);
	if (!root)
		return -1;
	if (x && x->exec && exec_process(&o, root, x)) {
		json_object_put(root);
		return -1;
	}
	convert(&o, root);
	json_object_put(root);
	for (i = 0; x && i < (size_t)x->preserve_fds; i++)
		oci_set(&o, "--preserve-fds", "process.pass_fd=%zu", 3 + i);
	if (c->nerrs || c->oom)
		return -1;
	cfg_validate(c);
	return c->nerrs || c->oom ? -1 : 0;
}

int
oci_load(struct cfg *c, const char *bundle)
{
	return oci_load_bundle(c, bundle, NULL, NULL);
}
