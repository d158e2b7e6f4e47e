// SPDX-License-Identifier: MIT
/*
 * The host checks: what must hold on this machine for the typed config to
 * start - the rootfs, nook-init, namespace files, kernel features, limits,
 * mount sources - a step of its own that main runs after the loader, for
 * --check and before a start alike.  Each failure is a config error at
 * the file:line of the key, so --check and the run say the same.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nook.h"
#include "mount.h"

int
read_int_file(const char *path, long *v)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	*v = strtol(buf, NULL, 10);
	return 0;
}

static int
have_cap(int cap)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			eff = strtoull(line + 7, NULL, 16);
	fclose(f);
	return (eff >> cap) & 1;
}

static int
is_elf(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4);
	close(fd);
	return ok;
}

static void
check_ns_path(struct cfg *c, int k, const char *path)
{
	const struct loc *l = tloc(c, k);
	struct statfs fs;
	int fd, t;

	/* not even an ioctl on what is not nsfs: a FIFO would hang open,
	 * a device could act on it */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		cfg_error(c, l, k, "\"%s\": %s", path, strerror(errno));
		return;
	}
	t = fstatfs(fd, &fs) || fs.f_type != NSFS_MAGIC ? -1 :
	    ioctl(fd, NS_GET_NSTYPE);
	close(fd);
	if (t < 0)
		cfg_error(c, l, k, "\"%s\" is not a namespace file", path);
	else if (t != ns_type_of(k))
		cfg_error(c, l, k, "\"%s\" is not a %s namespace", path,
		    cfg_keys[k].name);
}

static void
check_rlimits(struct cfg *c)
{
	const struct rlimit_spec *rs;
	struct rlimit cur;
	int k;

	for (k = K_RL_FIRST; k <= K_RL_LAST; k++) {
		rs = &c->t.rlimit[k - K_RL_FIRST];
		if (rs->inherit || getrlimit(rs->resource, &cur))
			continue;
		if (rs->hard > cur.rlim_max && !have_cap(CAP_SYS_RESOURCE)) {
			char now[32] = "unlimited";

			if (cur.rlim_max != RLIM_INFINITY)
				snprintf(now, sizeof(now), "%llu",
				    (unsigned long long)cur.rlim_max);
			cfg_error(c, tloc(c, k), k, "raising the hard limit "
			    "above the current %s needs CAP_SYS_RESOURCE, which "
			    "nook does not have", now);
		}
	}
}

/* The capabilities this kernel knows: the kept set is cut to them. */
static void
check_caps(struct cfg *c)
{
	unsigned long long known;
	long last = 40;

	read_int_file("/proc/sys/kernel/cap_last_cap", &last);
	known = last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
	if (c->t.caps_keep & ~known && c->t.caps_keep != ~0ULL)
		nook_warn("%s: capabilities above %ld are not known to this "
		    "kernel; ignored", key_label(K_CAP_KEEP), last);
	c->t.caps &= known;
	c->t.caps_ambient &= known;
}

static void
check_paths(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	const char *p = t->root_path;
	struct stat st;
	size_t i;

	if (p && *p == '/' && stat(p, &st))
		cfg_error(c, tloc(c, K_ROOT_PATH), K_ROOT_PATH, "\"%s\": %s",
		    p, strerror(errno));
	else if (p && *p == '/' && !S_ISDIR(st.st_mode))
		cfg_error(c, tloc(c, K_ROOT_PATH), K_ROOT_PATH,
		    "\"%s\" is not a directory", p);
	if (!(p = t->init_path))
		return;		/* a bad value: said already */
	errno = 0;
	if (t->init_mode == INIT_MODE_INIT && *p == '/' &&
	    (stat(p, &st) || !S_ISREG(st.st_mode) || access(p, X_OK)))
		cfg_error(c, tloc(c, K_INIT_PATH), K_INIT_PATH,
		    "\"%s\": %s", p, errno ? strerror(errno) :
		    "not an executable file");
	else if (t->init_mode == INIT_MODE_INIT && *p == '/' && !is_elf(p))
		cfg_error(c, tloc(c, K_INIT_PATH), K_INIT_PATH, "\"%s\" is "
		    "not an ELF executable (it runs from a memfd, where a "
		    "script's interpreter line cannot work)", p);
	for (i = 0; i < t->nmounts; i++) {
		const struct mnt_spec *m = &t->mounts[i];

		errno = 0;
		if (m->src && !m->optional && stat(m->src, &st))
			cfg_error(c, &m->loc, m->kind, "source \"%s\" %s", m->src,
			    errno == ENOENT ? "does not exist" : strerror(errno));
	}
}

static void
check_kernel(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	size_t i;
	long v;
	int k;

	for (k = NS_FIRST; k < NS_FIRST + NS_COUNT; k++)
		if (t->ns[k - NS_FIRST].mode == NS_JOIN)
			check_ns_path(c, k, t->ns[k - NS_FIRST].path);
	if (t->ns[K_NS_TIME - NS_FIRST].mode == NS_NEW &&
	    access("/proc/self/ns/time", F_OK))
		cfg_error(c, tloc(c, K_NS_TIME), K_NS_TIME, "this kernel "
		    "has no time namespaces (set time = host)");
	if (t->ns[0].mode == NS_NEW &&
	    ((!read_int_file("/proc/sys/user/max_user_namespaces", &v) &&
	    v == 0) || (nook_euid() && !read_int_file(
	    "/proc/sys/kernel/unprivileged_userns_clone", &v) && v == 0)))
		cfg_error(c, tloc(c, K_NS_USER), K_NS_USER, "user namespaces "
		    "are disabled on this host (see /proc/sys/user/"
		    "max_user_namespaces)");
	for (i = 0; i < t->pass_fd.n; i++)
		if (fcntl(t->pass_fd.v[i], F_GETFD) < 0)
			cfg_error(c, &c->e[K_PASS_FD].v[i].loc, K_PASS_FD,
			    "descriptor %d is not open", t->pass_fd.v[i]);
}

/* Is [start, start+count) inside one of the user's /etc/sub?id ranges? */
int
subid_allows(const char *file, unsigned long long start,
    unsigned long long count)
{
	struct passwd *pw = getpwuid(nook_euid());
	char line[256], *name, *s, *n, *save;
	unsigned long long a, b;
	FILE *f = fopen(file, "re");
	int ok = 0;

	if (!f)
		return 0;
	while (!ok && fgets(line, sizeof(line), f)) {
		name = strtok_r(line, ":\n", &save);
		s = strtok_r(NULL, ":\n", &save);
		n = strtok_r(NULL, ":\n", &save);
		if (!name || !s || !n || (strcmp(name, pw ? pw->pw_name : "") &&
		    strtoull(name, NULL, 10) != nook_euid()))
			continue;
		if (parse_uint(s, 4294967295ULL, &a) ||
		    parse_uint(n, 4294967295ULL, &b))
			continue;	/* ids are 32 bits: no sum below wraps */
		ok = start >= a && start + count <= a + b;
	}
	fclose(f);
	return ok;
}

/* An unprivileged user's explicit ranges must be its own. */
static void
check_subids(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	const struct idmap_spec *m;
	unsigned long long self;
	size_t i;
	int k;

	if (nook_euid() == 0 || t->ns[0].mode != NS_NEW)
		return;
	for (k = K_UID_MAP; k <= K_GID_MAP; k++) {
		m = k == K_UID_MAP ? &t->uid_map : &t->gid_map;
		self = k == K_UID_MAP ? nook_euid() : nook_egid();
		for (i = 0; m->kind == MAP_RANGES && i < m->n; i++)
			if (!(m->range[i].outside == self &&
			    m->range[i].count == 1) && !subid_allows(k ==
			    K_UID_MAP ? "/etc/subuid" : "/etc/subgid",
			    m->range[i].outside, m->range[i].count))
				cfg_error(c, &m->range[i].loc, k, "range "
				    "%llu+%llu is not yours in %s (ask root for "
				    "one, e.g. usermod --add-sub%cids, or use "
				    "auto)", m->range[i].outside,
				    m->range[i].count, k == K_UID_MAP ?
				    "/etc/subuid" : "/etc/subgid",
				    k == K_UID_MAP ? 'u' : 'g');
	}
}

/* Open path inside the image, never leaving it; -1 with errno. */
static int
in_image(int root, const char *path, int flags)
{
	return resolve(root, path, flags, RESOLVE_IN_ROOT);
}

/* Is dir, or a path below it, a file system nook mounts before p? */
static int
below(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(p, dir, n) && (p[n] == '/' || !p[n] || n == 1);
}

static int
covered(const struct nook_config *t, size_t upto, const char *p)
{
	size_t i;

	if ((t->proc && below(p, "/proc")) || (t->sys != SYS_NO &&
	    below(p, "/sys")) || (t->dev != DEV_NONE && below(p, "/dev")) ||
	    (t->tmp && below(p, "/tmp")))
		return 1;
	for (i = 0; i < upto; i++)
		if (t->mounts[i].kind != K_M_MKDIR &&
		    t->mounts[i].kind != K_M_SYMLINK && below(p,
		    t->mounts[i].dst))
			return 1;
	return 0;
}

/*
 * The host uid and gid the container's root has, and whether a host id
 * is mapped (then the root's capabilities cover files it owns).
 */
static unsigned long long
root_host_id(const struct nook_config *t, int k)
{
	const struct idmap_spec *m = k == K_UID_MAP ? &t->uid_map :
	    &t->gid_map;
	size_t i;

	if (m->kind == MAP_RANGES)
		for (i = 0; i < m->n; i++)
			if (m->range[i].inside == 0)
				return m->range[i].outside;
	return k == K_UID_MAP ? nook_euid() : nook_egid();
}

static int
mapped(const struct nook_config *t, int k, unsigned long long id)
{
	const struct idmap_spec *m = k == K_UID_MAP ? &t->uid_map :
	    &t->gid_map;
	size_t i;

	if (t->ns[0].mode != NS_NEW || m->kind == MAP_IDENTITY ||
	    (m->kind == MAP_AUTO && nook_euid() == 0 && id < 65536))
		return 1;	/* host root, or the idmapped private range */
	if (m->kind == MAP_AUTO)
		return id == root_host_id(t, k);
	for (i = 0; i < m->n; i++)
		if (id >= m->range[i].outside && id < m->range[i].outside +
		    m->range[i].count)
			return 1;
	return 0;
}

/* May the container's root create an entry in this directory? */
static int
root_may_write(const struct nook_config *t, const struct stat *st)
{
	if (mapped(t, K_UID_MAP, st->st_uid) && mapped(t, K_GID_MAP,
	    st->st_gid))
		return 1;	/* its capabilities apply */
	if (st->st_uid == root_host_id(t, K_UID_MAP))
		return st->st_mode & S_IWUSR;
	if (st->st_gid == root_host_id(t, K_GID_MAP))
		return st->st_mode & S_IWGRP;
	return st->st_mode & S_IWOTH;
}

/*
 * A [mounts] entry whose mount point is missing: on a read-only root it
 * cannot be made; on a writable one, the closest directory that exists
 * must be writable by the container's root - as the run would find.
 */
static void
check_mount_point(struct cfg *c, int root, const struct mnt_spec *m,
    int writable)
{
	char dir[4096], *slash;
	struct stat st;
	int fd;

	if (!writable && (m->kind == K_M_MKDIR || m->kind == K_M_SYMLINK)) {
		cfg_error(c, &m->loc, m->kind, "cannot create \"%s\" in the "
		    "read-only root (add it to the image, or use overlay = "
		    "tmpfs)", m->dst);
		return;
	}
	if (!writable) {
		cfg_error(c, &m->loc, m->kind, "mount point \"%s\" does not "
		    "exist in the read-only root (create it, or use overlay = "
		    "tmpfs)", m->dst);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", m->dst);
	do {
		slash = strrchr(dir, '/');
		*(slash == dir ? slash + 1 : slash) = 0;
		fd = in_image(root, dir, O_PATH | O_DIRECTORY);
	} while (fd < 0 && errno == ENOENT && strcmp(dir, "/"));
	if (fd < 0 || fstat(fd, &st))
		return;		/* the run says what is wrong */
	close(fd);
	/* an overlay's root is its upper directory: the container's own */
	if (c->t.overlay == OVERLAY_TMPFS && !strcmp(dir, "/"))
		return;
	if (!root_may_write(&c->t, &st))
		cfg_error(c, &m->loc, m->kind, "cannot create \"%s\": \"%s\" in "
		    "the image is owned by %u:%u, mode %04o, which the "
		    "container's root (host uid %llu) may not write (give the "
		    "image to that uid, create \"%s\" in it, or use a map "
		    "that covers the owner)", m->dst, dir, (unsigned)st.st_uid,
		    (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777),
		    root_host_id(&c->t, K_UID_MAP), m->dst);
}

static void
check_mounts_in_image(struct cfg *c, int root)
{
	const struct nook_config *t = &c->t;
	int writable = !t->root_readonly || t->overlay == OVERLAY_TMPFS, fd;
	size_t i;

	for (i = 0; i < t->nmounts; i++) {
		const struct mnt_spec *m = &t->mounts[i];

		if (covered(t, i, m->dst))
			continue;
		fd = in_image(root, m->dst, O_PATH | O_NOFOLLOW);
		if (fd >= 0)
			close(fd);
		if (fd >= 0 || errno != ENOENT || m->optional)
			continue;	/* there, or the run says what is wrong */
		check_mount_point(c, root, m, writable);
	}
}

/* Is there an entry named name in the image's /etc/passwd or group? */
static int
image_has(int root, const char *file, const char *name)
{
	char line[1024];
	struct stat st;
	size_t n = strlen(name);
	int fd = in_image(root, file, O_RDONLY | O_NONBLOCK | O_NOCTTY), found;
	FILE *f;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return -1;	/* the run refuses it: say nothing here */
	}
	for (found = 0; !found && fgets(line, sizeof(line), f); )
		found = !strncmp(line, name, n) && line[n] == ':';
	fclose(f);
	return found;
}

static void
check_user(struct cfg *c, int root, int k, const struct id_spec *id,
    const char *file)
{
	const struct nook_config *t = &c->t;
	size_t i;

	if (!id->name || id->numeric || !*id->name)
		return;		/* bad (said already), an id, or none */
	for (i = 0; i < t->nmounts; i++)	/* a mount may bring its own */
		if (below(file, t->mounts[i].dst))
			return;
	if (!image_has(root, file, id->name))
		cfg_error(c, tloc(c, k), k, "no %s \"%s\" in the image's %s "
		    "(%s%s)", k == K_USER ? "user" : "group", id->name, file,
		    t->root_path, file);
}

/* What the run would find in the image: users, groups, mount points. */
static void
check_image(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	size_t i;
	int root;

	if (!t->root_path || (root = open(t->root_path, O_PATH | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return;
	check_user(c, root, K_USER, &t->user, "/etc/passwd");
	check_user(c, root, K_GROUP, &t->group, "/etc/group");
	for (i = 0; i < t->ngroups; i++)
		check_user(c, root, K_GROUPS, &t->groups[i], "/etc/group");
	check_mounts_in_image(c, root);
	close(root);
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

/* Who runs nook: only root may leave the user namespace out. */
static void
check_caller(struct cfg *c)
{
	const struct nook_config *t = &c->t;

	if (t->ns[0].mode != NS_NEW && nook_euid() != 0)
		cfg_error(c, tloc(c, K_NS_USER), K_NS_USER, "only root can "
		    "create namespaces without a new user namespace");
	else if (t->ns[0].mode == NS_HOST && !c->oci)
		warn_at(tloc(c, K_NS_USER), K_NS_USER, "= host: the "
		    "container's root is the host's root and no user namespace "
		    "protects the host's devices, /proc/sys or /sys; only "
		    "capabilities, masks and seccomp stand in the way (use "
		    "user = new)");
}

/*
 * Everything this host must offer the typed config; 0, or -1 with the
 * errors added to c's.
 */
int
cfg_check_host(struct cfg *c)
{
	size_t before = c->nerrs;

	check_caller(c);
	check_paths(c);
	check_kernel(c);
	check_rlimits(c);
	check_caps(c);
	check_subids(c);
	check_image(c);
	cg_check(c);
	return c->nerrs == before ? 0 : -1;
}
