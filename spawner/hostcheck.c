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
#include <unistd.h>

#include "nook.h"

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
	p = t->init_path;
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
	    v == 0) || (geteuid() && !read_int_file(
	    "/proc/sys/kernel/unprivileged_userns_clone", &v) && v == 0)))
		cfg_error(c, tloc(c, K_NS_USER), K_NS_USER, "user namespaces "
		    "are disabled on this host (see /proc/sys/user/"
		    "max_user_namespaces)");
	for (i = 0; i < t->pass_fd.n; i++)
		if (fcntl(t->pass_fd.v[i], F_GETFD) < 0)
			cfg_error(c, &c->e[K_PASS_FD].v[i].loc, K_PASS_FD,
			    "descriptor %d is not open", t->pass_fd.v[i]);
}

/*
 * Everything this host must offer the typed config; 0, or -1 with the
 * errors added to c's.
 */
int
cfg_check_host(struct cfg *c)
{
	size_t before = c->nerrs;

	check_paths(c);
	check_kernel(c);
	check_rlimits(c);
	check_caps(c);
	return c->nerrs == before ? 0 : -1;
}
