// SPDX-License-Identifier: MIT
/*
 * [cgroup]: the container's own cgroup - v2, v1 or both on a hybrid
 * host - made before the clone, limits written, removed at the end.
 *
 * Each controller goes where the host has it: the unified (v2) hierarchy
 * when it offers the controller, its v1 hierarchy otherwise.  One
 * hierarchy tracks the processes so that cleanup can kill them all: the
 * unified one whenever it is mounted (cgroup.kill), else the v1 freezer.
 * The child is born in its v2 cgroup (CLONE_INTO_CGROUP) and put into
 * the v1 ones by the parent before it is released.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"
#include "mount.h"
/* The controllers the config sets limits with. */
unsigned
cg_needed(const struct nook_config *t)
{
	unsigned m = 0;

	if (t->cg_memory_max || t->cg_memory_swap_max || t->cg_memory_high)
		m |= 1u << C_MEMORY;
	if (t->cg_pids_max)
		m |= 1u << C_PIDS;
	if (t->cg_cpu_quota || t->cg_cpu_weight)
		m |= 1u << C_CPU;
	if (t->cg_cpuset_cpus || t->cg_cpuset_mems)
		m |= 1u << C_CPUSET;
	return m;
}

/* Was any [cgroup] key given?  Without one a failure is not fatal. */
static int
asked(const struct cfg *c)
{
	int k;

	for (k = K_CG_MEMORY_MAX; k <= K_CG_DELEGATE; k++)
		if (tloc(c, k))
			return 1;
	return 0;
}

/* The parent directory of the container's cgroup in a hierarchy. */
char *
cg_parent_dir(const struct nook_config *t, const char *mnt, const char *own)
{
	const char *rel = t->cg_parent ? t->cg_parent : own ? own : "/";
	const char *base = own ? own + strspn(own, "/") : "";

	if (!strncmp(rel, "./", 2) || !strcmp(rel, ".")) {
		/* below nook's own cgroup, as runc takes a relative path */
		rel += 1 + strspn(rel + 1, "/");
		return xasprintf("%s%s%s%s%s", mnt, *base ? "/" : "", base,
		    *rel ? "/" : "", rel);
	}
	rel += strspn(rel, "/");
	return xasprintf("%s%s%s", mnt, *rel ? "/" : "", rel);
}

/* The nearest directory of path that exists (path itself, or a parent). */
static char *
existing(const char *path)
{
	char *p = xstrdup(path), *slash;
	struct stat st;

	while (stat(p, &st) && (slash = strrchr(p, '/')) && slash != p)
		*slash = 0;
	return p;
}

/* Does the unified hierarchy offer controller i below parent? */
int
cg_v2_offers(const char *parent, int i)
{
	char buf[512], *dir = existing(parent);
	int yes = !cg_get(dir, "cgroup.controllers", buf, sizeof(buf)) &&
	    cg_has_word(buf, ctl_name[i], " ");

	free(dir);
	return yes;
}

/* The first key given of those that need controllers mask: for errors. */
int
cg_ctl_key(const struct cfg *c, unsigned mask)
{
	static const int keys[][3] = {
		[C_MEMORY] = { K_CG_MEMORY_MAX, K_CG_MEMORY_SWAP_MAX,
			K_CG_MEMORY_HIGH },
		[C_PIDS] = { K_CG_PIDS_MAX, K_CG_PIDS_MAX, K_CG_PIDS_MAX },
		[C_CPU] = { K_CG_CPU_MAX, K_CG_CPU_WEIGHT, K_CG_CPU_WEIGHT },
		[C_CPUSET] = { K_CG_CPUSET_CPUS, K_CG_CPUSET_MEMS,
			K_CG_CPUSET_MEMS },
	};
	int i, j;

	if (mask & 1u << C_DEVICES && tloc(c, K_CG_DEVICES))
		return K_CG_DEVICES;
	for (i = 0; i < C_FREEZER; i++)
		for (j = 0; j < 3 && mask & 1u << i; j++)
			if (tloc(c, keys[i][j]))
				return keys[i][j];
	return tloc(c, K_CG_PARENT) ? K_CG_PARENT : K_CG_VERSION;
}

/* Put controllers ctl in the hierarchy at mnt (one cgroup per hierarchy). */
static struct cg_hier *
add_hier(struct cg_run *cg, const char *mnt, const char *opts, unsigned ctl,
    const char *parent, const char *name)
{
	struct cg_hier *h;
	int i;

	for (i = 0; i < cg->n; i++)
		if (!strcmp(cg->h[i].mnt, mnt)) {
			cg->h[i].ctl |= ctl;
			return &cg->h[i];
		}
	h = &cg->h[cg->n++];
	h->mnt = xstrdup(mnt);
	h->opts = opts ? xstrdup(opts) : NULL;
	h->ctl = ctl;
	h->dir = xasprintf("%s/%s", parent, name);
	h->made = NULL;
	return h;
}

/*
 * [cgroup] devices: the v1 devices hierarchy where the host has one and
 * version is not v2; else a BPF program on the container's v2 cgroup.
 */
static int
devices_plan(struct run *r, struct cg_host *h, const char *p2,
    const char *name)
{
	int v = r->t->cg_version;
	char *p;

	if (h->v1[C_DEVICES] && v != CG_V2) {
		p = cg_parent_dir(r->t, h->v1[C_DEVICES], h->own1[C_DEVICES]);
		add_hier(&r->cg, h->v1[C_DEVICES], h->v1opts[C_DEVICES],
		    1u << C_DEVICES, p, name);
		free(p);
		return 0;
	}
	if (p2) {
		r->cg.h[0].ctl |= 1u << C_DEVICES;
		return 0;
	}
	key_error(tloc(r->c, K_CG_DEVICES), K_CG_DEVICES, "needs the v1 "
	    "devices hierarchy or cgroup v2, which %s", v == CG_V2 ? "is not "
	    "mounted" : v == CG_V1 ? "no v1 hierarchy offers on this host "
	    "(version = v1)" : "this host has neither of");
	return -1;
}

/*
 * Which hierarchies the container gets a cgroup in.  v2 first (h[0]):
 * it tracks the processes whenever it is there, even with no controller
 * of its own (cgroup.kill, 5.14).  A controller that the unified
 * hierarchy does not offer goes to its v1 hierarchy, unless version =
 * v2; without v2, the freezer tracks.
 */
static int
plan(struct run *r, struct cg_host *h, const char *name)
{
	const struct nook_config *t = r->t;
	unsigned need = cg_needed(t), bit;
	int i, v = t->cg_version, k;
	char *p, *p2 = NULL;

	if (v == CG_V2 && !h->v2) {
		key_error(tloc(r->c, K_CG_VERSION), K_CG_VERSION, "v2: this "
		    "host has no cgroup2 file system mounted");
		return -1;
	}
	if (h->v2 && v != CG_V1) {
		p2 = cg_parent_dir(t, h->v2, h->own2);
		add_hier(&r->cg, h->v2, NULL, 0, p2, name);
	}
	for (i = 0; i < C_FREEZER; i++) {
		if (!(need & (bit = 1u << i)))
			continue;
		if (p2 && (h->pure || cg_v2_offers(p2, i))) {
			r->cg.h[0].ctl |= bit;
			continue;
		}
		if (v == CG_V2 || !h->v1[i]) {
			k = cg_ctl_key(r->c, bit);
			key_error(tloc(r->c, k), k, "needs the %s controller, "
			    "which %s", ctl_name[i], v == CG_V2 ? "the "
			    "unified (v2) hierarchy does not offer here "
			    "(version = v2)" : v == CG_V1 ? "no v1 hierarchy "
			    "offers on this host (version = v1; use auto or "
			    "v2)" : "neither cgroup v2 nor v1 offers on this "
			    "host");
			free(p2);
			return -1;
		}
		p = cg_parent_dir(t, h->v1[i], h->own1[i]);
		add_hier(&r->cg, h->v1[i], h->v1opts[i], bit, p, name);
		free(p);
	}
	if (t->cg_devices.n && devices_plan(r, h, p2, name)) {
		free(p2);
		return -1;
	}
	free(p2);
	r->cg.track = 0;
	if (!h->v2 || v == CG_V1) {
		if (h->v1[C_FREEZER]) {
			p = cg_parent_dir(t, h->v1[C_FREEZER], h->own1[C_FREEZER]);
			add_hier(&r->cg, h->v1[C_FREEZER], h->v1opts[C_FREEZER],
			    1u << C_FREEZER, p, name);
			free(p);
		}
		for (i = 0; i < r->cg.n; i++)
			if (r->cg.h[i].ctl & 1u << C_FREEZER)
				r->cg.track = i;
	}
	r->cg.pure = h->pure;
	if (t->cg_hierarchies == CG_ALL && v != CG_V2)
		for (i = 0; i < h->nall; i++) {	/* as runc: one in each */
			p = cg_parent_dir(t, h->all1[i], h->allown[i]);
			add_hier(&r->cg, h->all1[i], h->all1opts[i], 0, p,
			    name);
			free(p);
		}
	return 0;
}

/*
 * mkdir the cgroup and the parents it lacks (those are removed at the
 * end too, when empty); v2 parents give it the controllers.  -1 with
 * errno, -2 after saying why; h->made is the topmost directory made.
 */
static int
make_dirs(struct run *r, struct cg_hier *h)
{
	size_t at, end;
	int rc = 0, last;
	char *p;

	/* no controller to hand down: one mkdir, when the parent is there */
	if (!(h->ctl & ((1u << C_FREEZER) - 1))) {
		if (mkdir(h->dir, 0755) == 0) {
			h->made = xstrdup(h->dir);
			/* a v1 cpuset cgroup takes no process before it has
			 * CPUs and memory nodes */
			return h->opts && cg_has_word(h->opts, "cpuset", ",") ?
			    cg_inherit_cpuset(h->dir) : 0;
		}
		if (errno != ENOENT)
			return -1;
	}
	p = existing(h->dir);
	at = strlen(p);
	free(p);
	p = xstrdup(h->dir);
	if (!p[at])
		errno = EEXIST, rc = -1;
	while (!rc && p[at]) {
		p[at] = 0;
		if (!h->opts && cg_enable(r, p, h->ctl)) {
			rc = -2;
			break;
		}
		p[at] = '/';
		end = at + 1 + strcspn(p + at + 1, "/");
		last = !p[end];
		p[end] = 0;
		if (mkdir(p, 0755) == 0) {
			if (!h->made)
				h->made = xstrdup(p);
			if (h->opts && cg_has_word(h->opts, "cpuset", ",") &&
			    cg_inherit_cpuset(p))
				rc = -1;
		} else if (errno != EEXIST || last) {
			rc = -1;
		}
		if (!last)
			p[end] = '/';
		at = end;
	}
	free(p);
	return rc;
}

/* Container root's id on the host, for delegate = yes; -1: unmapped. */
static unsigned
host_root(const struct run *r, int k, unsigned self)
{
	const struct idmap_spec *s = k == K_UID_MAP ? &r->t->uid_map :
	    &r->t->gid_map;
	struct idmap m;
	size_t i;

	if (r->t->ns[0].mode != NS_NEW || s->kind == MAP_IDENTITY)
		return 0;
	if (s->kind == MAP_AUTO && nook_euid() != 0)
		return self;
	if (s->kind == MAP_AUTO) {
		idmap_auto(r, k, &m);
		return (unsigned)m.outside;
	}
	for (i = 0; i < s->n; i++)
		if (s->range[i].inside == 0)
			return (unsigned)s->range[i].outside;
	return (unsigned)-1;
}

/*
 * delegate = yes: container root owns its cgroup directory and the files
 * that move processes and hand out controllers, as cgroup v2 delegation
 * asks (the limits stay the host's).
 */
static int
delegate(struct run *r, const struct cg_hier *h)
{
	static const char *const files[] = { "", "/cgroup.procs",
		"/cgroup.threads", "/cgroup.subtree_control", "/tasks" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", h->dir, files[i]);
		if (chown(path, r->cg.uid, r->cg.gid) && errno != ENOENT) {
			key_error(tloc(r->c, K_CG_DELEGATE), K_CG_DELEGATE,
			    "chown %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Why a cgroup cannot be made, and what to do about it. */
static const char *
advice(int e)
{
	return e == EACCES || e == EPERM || e == EROFS ? " (run nook as root, "
	    "or set [cgroup] parent to a cgroup delegated to you, e.g. from "
	    "systemd-run --user --scope -p Delegate=yes)" : e == EEXIST ?
	    " (another container has this [cgroup] name)" : "";
}

/* mkdir, limits and ownership in every hierarchy; -1 after saying why. */
static int
make_all(struct run *r)
{
	struct cg_hier *h;
	int i, rc, k;

	for (i = 0; i < r->cg.n; i++) {
		h = &r->cg.h[i];
		if ((rc = make_dirs(r, h)) == -1 && i == 0 && !asked(r->c) &&
		    (errno == EACCES || errno == EPERM || errno == EROFS)) {
			nook_info("no cgroup of its own: mkdir %s: %s", h->dir,
			    strerror(errno));
			r->cg.n = 0;	/* nothing made; nothing to remove */
			return 0;
		}
		if (rc == -1) {
			k = r->t->cg_name ? K_CG_NAME : cg_ctl_key(r->c, h->ctl);
			key_error(tloc(r->c, k), k, "mkdir %s: %s%s", h->dir,
			    strerror(errno), advice(errno));
		}
		if (rc || cg_write_limits(r, h) ||
		    (r->t->cg_delegate && delegate(r, h)))
			return -1;
	}
	return 0;
}

/*
 * Before the clone: make the container's cgroup, write its limits, open
 * the v2 one for CLONE_INTO_CGROUP, and list where stale ones may be
 * (swept by cg_sweep while the child sets up).  With v1 hierarchies
 * the child joins them only after the clone (cg_attach), so it makes its
 * cgroup namespace itself then (cg_child): its root must be the
 * container's cgroup in every hierarchy, not nook's.
 */
int
cg_prepare(struct run *r)
{
	struct cg_host h;
	char *name;
	int rc, i;

	r->cg.fd = -1;
	r->cg.keeper = 0;
	r->cg.keeper_fd = -1;
	cg_host_scan(&h, r->t);
	name = r->t->cg_name ? xstrdup(r->t->cg_name) :
	    xasprintf("nook-%s-%d", r->t->name, (int)getpid());
	rc = plan(r, &h, name);
	if (rc == 0)
		r->cg.nsweep = cg_sweep_list(r, &h, r->cg.sweep);
	cg_host_free(&h);
	free(name);
	r->cg.uid = host_root(r, K_UID_MAP, nook_euid());
	r->cg.gid = host_root(r, K_GID_MAP, nook_egid());
	if (rc || make_all(r))
		return -1;
	for (i = 0; i < r->cg.n; i++) {
		if (r->cg.h[i].opts && r->clone_flags & CLONE_NEWCGROUP) {
			r->clone_flags &= ~CLONE_NEWCGROUP;
			r->cg.newns = 1;
		}
		if (!r->cg.h[i].opts && (r->cg.fd = open(r->cg.h[i].dir,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			key_error(NULL, -1, "open %s: %s", r->cg.h[i].dir,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* After the clone, before the child is released: the v1 hierarchies. */
int
cg_attach(struct run *r)
{
	const struct cg_hier *h;
	int i, k;

	for (i = 0; i < r->cg.n; i++) {
		h = &r->cg.h[i];
		if (!h->opts || cg_put(h->dir, "cgroup.procs", "%d", r->pid) == 0)
			continue;
		k = cg_ctl_key(r->c, h->ctl);
		key_error(tloc(r->c, k), k, "put the container into %s: %s",
		    h->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* In the child, once in every cgroup: the cgroup namespace, rooted there. */
void
cg_child(struct run *r)
{
	if (r->cg.newns && unshare(CLONE_NEWCGROUP))
		child_fail(r, tloc(r->c, K_NS_CGROUP), K_NS_CGROUP, errno,
		    "unshare a cgroup namespace");
}

/*
 * The stale cgroups of nooks killed before they could clean up: removed
 * by the parent while the child builds the container, when it has
 * nothing else to do.
 */
void
cg_sweep(struct run *r)
{
	int i;

	for (i = 0; i < r->cg.nsweep; i++) {
		cg_sweep_dir(r->cg.sweep[i]);
		free(r->cg.sweep[i]);
	}
	r->cg.nsweep = 0;
}

/*
 * Before joining a user namespace, where nook is nobody to the host's
 * cgroup file system (the root of a hierarchy is 0555: removing a cgroup
 * below it takes the host's CAP_DAC_OVERRIDE): a keeper, forked while
 * nook is still the host's root, removes the container's cgroups when our
 * end of its pipe closes - at the end (finish waits for it), or when nook
 * is killed.  It keeps no other descriptor: not the sync socket, whose
 * end-of-file tells the parent the child died, nor the record's lock.
 * 0, or -1 after saying why.
 */
int
cg_keeper(struct run *r)
{
	int p[2];
	pid_t pid;
	char b;
	int fd;

	if (!r->cg.n || r->oci)	/* nook-oci create leaves them to delete */
		return 0;
	if (pipe(p)) {
		perror("nook: [cgroup] the keeper's pipe");
		return -1;
	}
	if ((pid = fork()) < 0) {
		perror("nook: [cgroup] fork the keeper");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(p[0], 3) < 0)
			_exit(EXIT_NOOK);
#ifdef SYS_close_range
		if (syscall(SYS_close_range, 4U, ~0U, 0))
#endif
			for (fd = 4; fd < 1024; fd++)	/* before Linux 5.9 */
				close(fd);
		r->cg.fd = -1;
		while (read(3, &b, 1) < 0 && errno == EINTR)
			;
		cg_cleanup(r);
		_exit(0);
	}
	close(p[0]);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	r->cg.keeper = pid;
	r->cg.keeper_fd = p[1];
	return 0;
}

/* At the end, whatever happened: kill what is left, remove it. */
void
cg_cleanup(struct run *r)
{
	struct cg_hier *h;
	char *p, *slash;
	int i;

	if (r->cg.keeper > 0) {		/* it removes them: cg_keeper */
		close(r->cg.keeper_fd);
		waitpid(r->cg.keeper, NULL, 0);
		r->cg.keeper = 0;
		r->cg.n = 0;
	}
	for (i = 0; i < r->cg.nsweep; i++)	/* not swept: a failed start */
		free(r->cg.sweep[i]);
	r->cg.nsweep = 0;
	if (r->cg.fd >= 0)
		close(r->cg.fd);
	r->cg.fd = -1;
	/*
	 * The tracked one first: what is left in it is all of the container.
	 * The common end needs one rmdir each (it fails while a process or
	 * a cgroup is left): only otherwise is the rest killed and waited for.
	 */
	for (i = 0; i < r->cg.n; i++) {
		h = &r->cg.h[(i + r->cg.track) % r->cg.n];
		if (!h->made)
			continue;
		if (rmdir(h->dir) && errno != ENOENT &&
		    (cg_empty_out(h->dir, !h->opts), cg_rm_tree(h->dir)))
			nook_warn("cannot remove the cgroup %s: %s", h->dir,
			    strerror(errno));
		/* the parents nook made, unless another container uses them */
		p = xstrdup(h->dir);
		while (strcmp(p, h->made) && (slash = strrchr(p, '/'))) {
			*slash = 0;
			if (rmdir(p))
				break;
		}
		free(p);
	}
}

/*
 * --check, unprivileged, with [cgroup] keys: can nook make the cgroup?
 * It needs to write the nearest existing directory of its parent.
 */
int
cg_check(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	struct cg_host h;
	char *dirs[C_COUNT + 1] = { NULL }, *e;
	int i, n = 0, k, rc = 0;

	if (nook_euid() == 0 || !asked(c))
		return 0;
	cg_host_scan(&h, t);
	if (h.v2 && t->cg_version != CG_V1)
		dirs[n++] = cg_parent_dir(t, h.v2, h.own2);
	for (i = 0; i < C_FREEZER; i++)
		if (cg_needed(t) & 1u << i && h.v1[i] && (!n || !(h.pure ||
		    cg_v2_offers(dirs[0], i))) && t->cg_version != CG_V2)
			dirs[n++] = cg_parent_dir(t, h.v1[i], h.own1[i]);
	k = tloc(c, K_CG_PARENT) ? K_CG_PARENT : cg_ctl_key(c, cg_needed(t));
	for (i = 0; i < n; i++) {
		e = existing(dirs[i]);
		if (!rc && access(e, W_OK)) {
			cfg_error(c, tloc(c, k), k, "cannot make the "
			    "container's cgroup in %s: %s is not writable by "
			    "uid %u%s",
			    dirs[i], e, (unsigned)nook_euid(), advice(EACCES));
			rc = -1;
		}
		free(e);
		free(dirs[i]);
	}
	cg_host_free(&h);
	return rc;
}
