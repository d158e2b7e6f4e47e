// SPDX-License-Identifier: MIT
/* nook-oci: config.json's mounts and linux, as nook's keys. */
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

/* ---- mounts ---- */

struct mnt {
	const char *dst, *type, *src;
	jobj *opts;
	int bind, ro;
	char *extra;		/* nook's options, comma-separated */
};

static void
add_opt(char **extra, const char *opt)
{
	char *n = *extra ? xasprintf("%s,%s", *extra, opt) : xstrdup(opt);

	free(*extra);
	*extra = n;
}

/* The standard places of the kernel's file systems, made by nook. */
static int
is_kernel(const struct mnt *m)
{
	static const char *const std[][2] = { { "/proc", "proc" },
		{ "/sys", "sysfs" }, { "/sys/fs/cgroup", "cgroup" },
		{ "/sys/fs/cgroup", "cgroup2" }, { "/dev", "tmpfs" },
		{ "/dev/pts", "devpts" }, { "/dev/mqueue", "mqueue" },
		{ "/dev/shm", "tmpfs" } };
	size_t i;

	for (i = 0; i < sizeof(std) / sizeof(std[0]); i++)
		if (m->type && !strcmp(m->dst, std[i][0]) &&
		    !strcmp(m->type, std[i][1]))
			return 1;
	return 0;
}

/* A propagation option of a mount: (r)private, (r)slave and the like. */
static int
is_propagation(const char *s)
{
	static const char *const p[] = { "private", "slave", "shared",
		"unbindable" };
	size_t i;

	s += *s == 'r';
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (!strcmp(s, p[i]))
			return 1;
	return 0;
}

/*
 * nook has no propagation per mount: every bind is a slave of the host's
 * tree (mount events come in, none go out), what private and slave ask
 * for as far as the host is concerned.  Shared and unbindable need more.
 */
static void
propagation(struct oci *o, const char *where, const char *s)
{
	const char *p = s + (*s == 'r');

	if (!strcmp(p, "shared"))
		oci_err(o, where, "\"%s\": not supported: nook's bind mounts "
		    "never propagate back to the host (use rprivate or rslave)",
		    s);
	else if (!strcmp(p, "unbindable"))
		oci_err(o, where, "\"%s\": not supported per mount (use "
		    "linux.rootfsPropagation)", s);
}

/*
 * The options of a bind or tmpfs mount in nook's words.  Those of the
 * kernel's file systems are nook's own: only ro and size= count there.
 */
static void
mount_opts(struct oci *o, const char *path, struct mnt *m)
{
	size_t i, n = m->opts ? json_object_array_length(m->opts) : 0;
	int tmpfs = m->type && !strcmp(m->type, "tmpfs"), kern = is_kernel(m);
	const char *s;
	char *where;

	for (i = 0; i < n; i++) {
		where = xasprintf("%s.options[%zu]", path, i);
		s = oci_jstr(o, where, json_object_array_get_idx(m->opts, i));
		if (!s)
			;
		else if (!strcmp(s, "ro") || !strcmp(s, "rw"))
			m->ro = s[1] == 'o';
		else if (kern)
			add_opt(&m->extra, s);
		else if (!strcmp(s, "bind") || !strcmp(s, "rbind"))
			m->bind = 1;	/* nook's binds are recursive */
		else if (is_propagation(s))
			propagation(o, where, s);
		else if (!strcmp(s, "nosuid") || !strcmp(s, "nodev"))
			tmpfs ? (void)0 : add_opt(&m->extra, s);
		else if (!tmpfs && !strcmp(s, "noexec"))
			add_opt(&m->extra, s);
		else if (tmpfs && (!strcmp(s, "strictatime") ||
		    !strcmp(s, "relatime") || !strcmp(s, "noatime") ||
		    !strcmp(s, "nodiratime")))
			;	/* a tmpfs's access times: in memory, kept as the
				 * kernel's default (relatime); nook-oci(1) */
		else if (tmpfs && (!strncmp(s, "size=", 5) ||
		    !strncmp(s, "mode=", 5) || !strncmp(s, "uid=", 4) ||
		    !strncmp(s, "gid=", 4)))
			add_opt(&m->extra, s);
		else
			oci_err(o, where, "\"%s\": not supported yet", s);
		free(where);
	}
}

static const char *
abs_src(struct oci *o, const char *src, char **buf)
{
	*buf = *src == '/' ? NULL : xasprintf("%s/%s", o->bundle, src);
	return *buf ? *buf : src;
}

static void
bind_mount(struct oci *o, const char *path, struct mnt *m)
{
	struct stat sb;
	char *buf;
	const char *src;

	if (!m->src) {
		oci_err(o, path, "a bind mount needs a source");
		return;
	}
	src = abs_src(o, m->src, &buf);
	if (strpbrk(src, ":,") || strpbrk(m->dst, ":,"))
		oci_err(o, path, "a path with ':' or ',' is not supported yet");
	else
		oci_set(o, path, "mounts.%s=%s:%s:%s%s%s%s", m->ro ? "bind_ro" :
		    "bind", src, m->dst, m->ro ? "ro" : "rw",
		    stat(src, &sb) || S_ISDIR(sb.st_mode) ? ",create=dir" :
		    ",create=file", m->extra ? "," : "",
		    m->extra ? m->extra : "");
	free(buf);
}

/* A file system at a standard place: nook's [filesystem] makes it. */
static void
kernel_mount(struct oci *o, const char *path, struct mnt *m)
{
	const char *d = m->dst, *t = m->type ? m->type : "";

	if (!strcmp(d, "/proc") && !strcmp(t, "proc"))
		o->proc = 1;
	else if (!strcmp(d, "/sys") && !strcmp(t, "sysfs"))
		o->sys = m->ro ? 1 : 2;
	else if (!strcmp(d, "/sys/fs/cgroup") && (!strcmp(t, "cgroup") ||
	    !strcmp(t, "cgroup2")))
		o->cgroup = 1;
	else if (!strcmp(d, "/dev") && !strcmp(t, "tmpfs"))
		o->dev = 1;
	else if ((!strcmp(d, "/dev/pts") && !strcmp(t, "devpts")) ||
	    (!strcmp(d, "/dev/mqueue") && !strcmp(t, "mqueue")))
		o->dev_parts = 1;
	else if (!strcmp(d, "/dev/shm") && !strcmp(t, "tmpfs")) {
		o->dev_parts = 1;
		for (const char *p = m->extra; p; p = strchr(p, ','))
			if (!strncmp(p += *p == ',', "size=", 5))
				oci_set(o, path, "filesystem.shm_size=%.*s",
				    (int)strcspn(p + 5, ","), p + 5);
	}
}

static void
one_mount(struct oci *o, const char *path, jobj *v)
{
	static const struct field known[] = { { "destination", NULL },
		{ "type", NULL }, { "source", NULL }, { "options", NULL },
		{ NULL, NULL } };
	struct mnt m = { 0 };
	jobj *x;
	char *where;

	oci_walk(o, path, v, known);
	if (!json_object_is_type(v, json_type_object))
		return;
#define GET(name, field) do {						\
	where = oci_sub(path, name);					\
	if (json_object_object_get_ex(v, name, &x))			\
		m.field = oci_jstr(o, where, x);				\
	free(where);							\
} while (0)
	GET("destination", dst);
	GET("type", type);
	GET("source", src);
#undef GET
	if (json_object_object_get_ex(v, "options", &x)) {
		where = oci_sub(path, "options");
		if (!oci_want(o, where, x, json_type_array))
			m.opts = x;
		free(where);
	}
	if (!m.dst || *m.dst != '/') {
		oci_err(o, path, "destination: expected an absolute path");
		return;
	}
	mount_opts(o, path, &m);
	if (is_kernel(&m))
		kernel_mount(o, path, &m);
	else if (m.bind || (m.type && !strcmp(m.type, "bind")))
		bind_mount(o, path, &m);
	else if (m.type && !strcmp(m.type, "tmpfs") && !strpbrk(m.dst, ":,"))
		oci_set(o, path, "mounts.tmpfs=%s%s%s", m.dst, m.extra ? ":" : "",
		    m.extra ? m.extra : "");
	else
		oci_err(o, path, "type \"%s\" on \"%s\": not supported yet",
		    m.type ? m.type : "", m.dst);
	free(m.extra);
}

void
oci_mounts(struct oci *o, const char *path, jobj *v)
{
	oci_each(o, path, v, one_mount);
}

/* ---- linux ---- */

static void
one_ns(struct oci *o, const char *path, jobj *v)
{
	static const struct field known[] = { { "type", NULL },
		{ "path", NULL }, { NULL, NULL } };
	static const char *const types[][2] = { { "user", "user" },
		{ "pid", "pid" }, { "mount", "mount" }, { "network", "net" },
		{ "uts", "uts" }, { "ipc", "ipc" }, { "cgroup", "cgroup" },
		{ "time", "time" } };
	const char *type = NULL, *nspath = NULL;
	char *where = oci_sub(path, "type");
	size_t i;
	jobj *x;

	oci_walk(o, path, v, known);
	if (!json_object_is_type(v, json_type_object))
		goto out;
	if (json_object_object_get_ex(v, "type", &x))
		type = oci_jstr(o, where, x);
	free(where);
	where = oci_sub(path, "path");
	if (json_object_object_get_ex(v, "path", &x))
		nspath = oci_jstr(o, where, x);
	for (i = 0; type && i < 8 && strcmp(types[i][0], type); i++)
		;
	if (!type || i == 8)
		oci_err(o, path, "type: expected user, pid, mount, network, uts, "
		    "ipc, cgroup or time");
	else if (nspath && *nspath != '/')
		oci_err(o, where, "expected an absolute path");
	else
		oci_set(o, path, "namespaces.%s=%s", types[i][1],
		    nspath && *nspath ? nspath : "new");
out:
	free(where);
}

static void
h_namespaces(struct oci *o, const char *path, jobj *v)
{
	oci_each(o, path, v, one_ns);
}

static void
idmaps(struct oci *o, const char *path, jobj *v, const char *key)
{
	static const struct field known[] = { { "containerID", NULL },
		{ "hostID", NULL }, { "size", NULL }, { NULL, NULL } };
	static const char *const names[] = { "containerID", "hostID", "size" };
	long long n[3];
	size_t i, j, len;
	char *where, *w;
	jobj *m, *x;

	if (oci_want(o, path, v, json_type_array))
		return;
	len = json_object_array_length(v);
	for (i = 0; i < len; i++) {
		where = oci_idx(path, i);
		m = json_object_array_get_idx(v, i);
		oci_walk(o, where, m, known);
		for (j = 0; j < 3 && json_object_is_type(m, json_type_object);
		    j++) {
			w = oci_sub(where, names[j]);
			x = NULL;
			n[j] = json_object_object_get_ex(m, names[j], &x) ?
			    oci_jnum(o, w, x, 4294967295LL) : -1;
			if (!x)
				oci_err(o, w, "missing");
			free(w);
		}
		if (j == 3 && n[0] >= 0 && n[1] >= 0 && n[2] >= 0)
			oci_set(o, where, "user.%s=%lld %lld %lld", key, n[0],
			    n[1], n[2]);
		free(where);
	}
}

static void
h_uidmap(struct oci *o, const char *path, jobj *v)
{
	idmaps(o, path, v, "uid_map");
}

static void
h_gidmap(struct oci *o, const char *path, jobj *v)
{
	idmaps(o, path, v, "gid_map");
}

static void
h_masked(struct oci *o, const char *path, jobj *v)
{
	oci_each_str(o, path, v, oci_set_item, "filesystem.mask");
}

static void
h_ropaths(struct oci *o, const char *path, jobj *v)
{
	oci_each_str(o, path, v, oci_set_item, "filesystem.readonly_path");
}

static void
h_sysctl(struct oci *o, const char *path, jobj *v)
{
	struct json_object_iterator it, end;
	const char *s;
	char *where;

	if (oci_want(o, path, v, json_type_object))
		return;
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		where = xasprintf("%s[\"%s\"]", path,
		    json_object_iter_peek_name(&it));
		if ((s = oci_jstr(o, where, json_object_iter_peek_value(&it))))
			oci_set(o, where, "sysctl.%s=%s",
			    json_object_iter_peek_name(&it), s);
		free(where);
	}
}

static void
h_propagation(struct oci *o, const char *path, jobj *v)
{
	const char *s = oci_jstr(o, path, v);

	if (!s)
		return;
	if (*s == 'r')	/* nook applies it to every mount below / */
		s++;
	if (!strcmp(s, "slave") || !strcmp(s, "private") ||
	    !strcmp(s, "shared") || !strcmp(s, "unbindable"))
		oci_set(o, path, "rootfs.propagation=%s", s);
	else
		oci_err(o, path, "\"%s\": not supported",
		    json_object_get_string(v));
}

/* A limit in JSON: -1 (or none) is "max" for nook. */
static void
cg_limit(struct oci *o, const char *path, jobj *v, const char *key)
{
	int64_t n;

	if (oci_want(o, path, v, json_type_int))
		return;
	n = json_object_get_int64(v);
	if (n == -1)
		oci_set(o, path, "cgroup.%s=max", key);
	else if (n <= 0)
		oci_err(o, path, "%lld: expected a positive number or -1",
		    (long long)n);
	else
		oci_set(o, path, "cgroup.%s=%lld", key, (long long)n);
}

static void
h_mem_limit(struct oci *o, const char *path, jobj *v)
{
	cg_limit(o, path, v, "memory_max");
}

static void
h_pids_limit(struct oci *o, const char *path, jobj *v)
{
	cg_limit(o, path, v, "pids_max");
}

/*
 * swap is memory and swap together (v1's memsw), nook's memory_swap_max
 * the swap alone: swap - limit.  Equal to the limit (no swap at all) has
 * no nook value: refused rather than read as "any swap".
 */
static void
h_mem_swap(struct oci *o, const char *path, jobj *v)
{
	jobj *lim;
	int64_t n, l = 0;

	if (oci_want(o, path, v, json_type_int))
		return;
	n = json_object_get_int64(v);
	if (o->mem && json_object_object_get_ex(o->mem, "limit", &lim) &&
	    json_object_is_type(lim, json_type_int))
		l = json_object_get_int64(lim);
	if (n == -1)
		oci_set(o, path, "cgroup.memory_swap_max=max");
	else if (l <= 0)
		oci_err(o, path, "needs linux.resources.memory.limit (it is "
		    "memory and swap together)");
	else if (n < l)
		oci_err(o, path, "%lld: less than memory.limit (%lld)",
		    (long long)n, (long long)l);
	else if (n == l)
		oci_err(o, path, "equal to memory.limit (no swap): not "
		    "supported");
	else
		oci_set(o, path, "cgroup.memory_swap_max=%lld",
		    (long long)(n - l));
}

static const struct field memory_fields[] = {
	{ "limit", h_mem_limit }, { "swap", h_mem_swap }, { NULL, NULL },
};
static const struct field pids_fields[] = {
	{ "limit", h_pids_limit }, { NULL, NULL },
};

static void
h_memory(struct oci *o, const char *path, jobj *v)
{
	o->mem = v;
	oci_walk(o, path, v, memory_fields);
	o->mem = NULL;
}

static void
h_pids(struct oci *o, const char *path, jobj *v)
{
	oci_walk(o, path, v, pids_fields);
}

/* quota and period together: [cgroup] cpu_max = QUOTA PERIOD */
static void
h_cpu(struct oci *o, const char *path, jobj *v)
{
	static const struct field known[] = { { "quota", NULL },
		{ "period", NULL }, { "shares", NULL }, { NULL, NULL } };
	jobj *q = NULL, *p = NULL;
	long long period = 100000, quota, shares;
	char *where;

	oci_walk(o, path, v, known);
	if (json_object_is_type(v, json_type_object) &&
	    json_object_object_get_ex(v, "shares", &p)) {
		/* v1's shares (2-262144) as v2's weight (1-10000), the
		 * mapping runc and crun use; nook writes it back as shares
		 * on a v1 hierarchy */
		where = oci_sub(path, "shares");
		shares = oci_jnum(o, where, p, 262144);
		if (shares >= 0 && shares < 2)
			oci_err(o, where, "%lld: expected 2 to 262144", shares);
		else if (shares >= 2)
			oci_set(o, where, "cgroup.cpu_weight=%lld",
			    1 + ((shares - 2) * 9999) / 262142);
		free(where);
		p = NULL;
	}
	if (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, "quota", &q))
		return;
	where = oci_sub(path, "period");
	if (json_object_object_get_ex(v, "period", &p))
		period = oci_jnum(o, where, p, 1000000);
	free(where);
	where = oci_sub(path, "quota");
	if (oci_want(o, where, q, json_type_int))
		quota = -2;
	else
		quota = json_object_get_int64(q);
	if (quota == -1 || (quota > 0 && period >= 0))
		oci_set(o, where, quota > 0 ? "cgroup.cpu_max=%lld %lld" :
		    "cgroup.cpu_max=max", quota, period);
	else if (quota != -2)
		oci_err(o, where, "expected a positive number or -1");
	free(where);
}

/* A device number of a rule: -1 or missing is any ("*"). */
static int
dev_num(struct oci *o, const char *path, jobj *rule, const char *name,
    char buf[16])
{
	char *where = oci_sub(path, name);
	jobj *x;
	int64_t n = -1;
	int rc = 0;

	strcpy(buf, "*");
	if (json_object_object_get_ex(rule, name, &x) &&
	    !json_object_is_type(x, json_type_null)) {
		if ((rc = oci_want(o, where, x, json_type_int)))
			;
		else if ((n = json_object_get_int64(x)) < -1 || n > 1048575)
			oci_err(o, where, "%lld: expected -1 (all) or a number "
			    "from 0 to 1048575", (long long)n), rc = -1;
		else if (n >= 0)
			snprintf(buf, 16, "%lld", (long long)n);
	}
	free(where);
	return rc;
}

/* One string field of an object, or def when it is missing. */
static const char *
str_field(struct oci *o, const char *path, jobj *v, const char *name,
    const char *def)
{
	char *where = oci_sub(path, name);
	const char *s = def;
	jobj *x;

	if (json_object_object_get_ex(v, name, &x))
		s = oci_jstr(o, where, x);
	free(where);
	return s;
}

/*
 * linux.resources.devices[i]: [cgroup] devices = allow|deny TYPE MAJ:MIN
 * ACCESS, in order (the last rule that matches decides).
 */
static void
one_rule(struct oci *o, const char *path, jobj *v)
{
	static const struct field known[] = { { "allow", NULL },
		{ "type", NULL }, { "major", NULL }, { "minor", NULL },
		{ "access", NULL }, { NULL, NULL } };
	const char *type, *acc;
	char maj[16], min[16], *where;
	jobj *x = NULL;
	int allow = 0;

	oci_walk(o, path, v, known);
	if (!json_object_is_type(v, json_type_object))
		return;
	where = oci_sub(path, "allow");
	if (!json_object_object_get_ex(v, "allow", &x))
		oci_err(o, where, "missing");
	else if (!oci_want(o, where, x, json_type_boolean))
		allow = json_object_get_boolean(x);
	free(where);
	type = str_field(o, path, v, "type", "a");
	acc = str_field(o, path, v, "access", "rwm");
	if (!x || !json_object_is_type(x, json_type_boolean) ||
	    dev_num(o, path, v, "major", maj) ||
	    dev_num(o, path, v, "minor", min) || !type || !acc)
		return;
	where = oci_sub(path, "type");
	if (strlen(type) != 1 || !strchr("acb", *type))
		oci_err(o, where, "\"%s\": expected a, c or b", type);
	free(where);
	where = oci_sub(path, "access");
	if (!*acc || strspn(acc, "rwm") != strlen(acc) ||
	    (strchr(acc, 'r') != strrchr(acc, 'r')) ||
	    (strchr(acc, 'w') != strrchr(acc, 'w')) ||
	    (strchr(acc, 'm') != strrchr(acc, 'm')))
		oci_err(o, where, "\"%s\": expected r, w and m, such as rwm",
		    acc);
	else if (strlen(type) == 1 && strchr("acb", *type))
		oci_set(o, path, "cgroup.devices=%s %s %s:%s %s", allow ?
		    "allow" : "deny", type, maj, min, acc);
	free(where);
}

static void
h_dev_rules(struct oci *o, const char *path, jobj *v)
{
	oci_each(o, path, v, one_rule);
}

static const struct field resource_fields[] = {
	{ "memory", h_memory }, { "pids", h_pids }, { "cpu", h_cpu },
	{ "devices", h_dev_rules }, { NULL, NULL },
};

static void
h_resources(struct oci *o, const char *path, jobj *v)
{
	oci_walk(o, path, v, resource_fields);
}

/*
 * linux.cgroupsPath, as runc takes it: absolute is below the root of each
 * hierarchy, relative below the runtime's own cgroup ([cgroup] parent
 * "./..."); the last part is the container's cgroup ([cgroup] name).
 */
static void
h_cgroups_path(struct oci *o, const char *path, jobj *v)
{
	const char *s = oci_jstr(o, path, v), *slash;

	if (!s)
		return;
	if (strchr(s, ':')) {
		oci_err(o, path, "\"%s\": a systemd cgroup (slice:prefix:name) "
		    "needs --systemd-cgroup, which nook-oci does not support: "
		    "give a path such as /default/ID", s);
		return;
	}
	if (!*s || s[strlen(s) - 1] == '/' || strstr(s, "//") ||
	    strstr(s, "/../") || !strncmp(s, "../", 3) || !strcmp(s, "..") ||
	    (strlen(s) > 2 && !strcmp(s + strlen(s) - 3, "/.."))) {
		oci_err(o, path, "\"%s\": expected a cgroup path such as "
		    "/default/ID or a relative one such as nook/ID", s);
		return;
	}
	slash = strrchr(s, '/');
	if (*s == '/')
		oci_set(o, path, "cgroup.parent=%.*s", slash == s ? 1 :
		    (int)(slash - s), s);
	else
		oci_set(o, path, "cgroup.parent=./%.*s", slash ? (int)(slash -
		    s) : 0, s);
	oci_set(o, path, "cgroup.name=%s", slash ? slash + 1 : s);
}

/*
 * linux.devices[i]: [filesystem] device = PATH TYPE MAJ:MIN MODE UID:GID,
 * a node bound into nook's /dev (and allowed in the device cgroup).
 */
static void
one_device(struct oci *o, const char *path, jobj *v)
{
	static const struct field known[] = { { "type", NULL },
		{ "path", NULL }, { "major", NULL }, { "minor", NULL },
		{ "fileMode", NULL }, { "uid", NULL }, { "gid", NULL },
		{ NULL, NULL } };
	static const char *const nums[] = { "major", "minor", "fileMode",
		"uid", "gid" };
	static const long long max[] = { 4095, 1048575, 07777, 4294967294LL,
		4294967294LL };
	long long n[5] = { -1, -1, 0666, 0, 0 };
	const char *type, *p;
	char *where;
	size_t i;
	jobj *x;

	oci_walk(o, path, v, known);
	if (!json_object_is_type(v, json_type_object))
		return;
	type = str_field(o, path, v, "type", NULL);
	p = str_field(o, path, v, "path", NULL);
	for (i = 0; i < 5; i++) {
		where = oci_sub(path, nums[i]);
		if (json_object_object_get_ex(v, nums[i], &x) &&
		    (n[i] = oci_jnum(o, where, x, max[i])) < 0)
			n[i] = -2;
		free(where);
	}
	where = oci_sub(path, "type");
	if (!type || strlen(type) != 1 || !strchr("cbup", *type))
		oci_err(o, where, "%s%s%sexpected c, b, u or p", type ? "\"" :
		    "", type ? type : "missing: ", type ? "\": " : "");
	free(where);
	where = oci_sub(path, "path");
	if (!p || strncmp(p, "/dev/", 5) || !p[5] || strstr(p, "/../") ||
	    strstr(p, "/./") || strstr(p, "//") || strpbrk(p, " \t\n,:"))
		oci_err(o, where, "%s%s%sexpected an absolute path below /dev/",
		    p ? "\"" : "", p ? p : "missing: ", p ? "\": " : "");
	free(where);
	if (type && *type != 'p' && (n[0] == -1 || n[1] == -1))
		oci_err(o, path, "a c, b or u device needs major and minor");
	if (!type || !p || n[0] == -2 || n[1] == -2 || n[2] == -2 ||
	    n[3] == -2 || n[4] == -2)
		return;
	if (*type == 'p')
		oci_set(o, path, "filesystem.device=%s p %llo %lld:%lld", p,
		    (unsigned long long)n[2], n[3], n[4]);
	else if (n[0] >= 0 && n[1] >= 0)
		oci_set(o, path, "filesystem.device=%s %s %lld:%lld %04llo "
		    "%lld:%lld", p, type, n[0], n[1], (unsigned long long)n[2],
		    n[3], n[4]);
}

static void
h_devices(struct oci *o, const char *path, jobj *v)
{
	oci_each(o, path, v, one_device);
}

static const struct field linux_fields[] = {
	{ "namespaces", h_namespaces }, { "uidMappings", h_uidmap },
	{ "gidMappings", h_gidmap }, { "maskedPaths", h_masked },
	{ "readonlyPaths", h_ropaths }, { "sysctl", h_sysctl },
	{ "resources", h_resources }, { "rootfsPropagation", h_propagation },
	{ "seccomp", oci_seccomp },
	{ "cgroupsPath", h_cgroups_path }, { "devices", h_devices },
	{ NULL, NULL },
};

void
oci_linux(struct oci *o, const char *path, jobj *v)
{
	oci_walk(o, path, v, linux_fields);
}
