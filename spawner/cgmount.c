// SPDX-License-Identifier: MIT
/*
 * The container's /sys/fs/cgroup: with a cgroup namespace of its own, its
 * cgroups mounted there - cgroup2 itself on a pure v2 host, else a small
 * read-only tmpfs with a mount per hierarchy - read-only unless
 * delegate = yes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"
#include "mount.h"

/* A detached mount of a new file system: fsopen, options, fsmount. */
static int
new_fs(struct mctx *m, const char *type, const char *flags, const char *data,
    unsigned attrs)
{
	char opts[256], *tok, *save, *eq;
	int fs, mnt, rc;

	if ((fs = syscall(SYS_fsopen, type, FSOPEN_CLOEXEC)) < 0)
		FAIL(m, "open a %s file system", type);
	snprintf(opts, sizeof(opts), "%s", flags ? flags : "");
	for (tok = strtok_r(opts, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "none"))	/* mount(2)'s "no controller" */
			continue;
		if ((eq = strchr(tok, '=')))	/* name=systemd */
			*eq = 0;
		rc = (int)syscall(SYS_fsconfig, fs, eq ? FSCONFIG_SET_STRING :
		    FSCONFIG_SET_FLAG, tok, eq ? eq + 1 : NULL, 0);
		if (eq)
			*eq = '=';
		if (rc)
			FAIL(m, "%s option %s", type, tok);
	}
	if (data && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode",
	    data, 0))
		FAIL(m, "%s option mode=%s", type, data);
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) ||
	    (mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs)) < 0)
		FAIL(m, "mount %s on /sys/fs/cgroup", type);
	close(fs);
	return mnt;
}

static void
attach_at(struct mctx *m, int mnt, int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);

	if (fd < 0 || syscall(SYS_move_mount, mnt, "", fd, "",
	    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "mount on /sys/fs/cgroup/%s", name);
	close(fd);
	close(mnt);
}

/*
 * Without a cgroup namespace of its own (hierarchies = all, as nook-oci
 * asks): the container's cgroup of a hierarchy bound from the host, read
 * only, as runc shows it - its files, not the host's tree above it.
 */
static int
bind_ro(struct mctx *m, const char *dir)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY |
		MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	int t = (int)syscall(SYS_open_tree, AT_FDCWD, dir, OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC);

	if (t < 0)
		FAIL(m, "bind the container's cgroup %s", dir);
	if (syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH, &ma, sizeof(ma)))
		FAIL(m, "make the bind of %s read-only", dir);
	return t;
}

/*
 * In the child, with /sys mounted: its cgroups at /sys/fs/cgroup,
 * read-only unless delegate = yes.  With a cgroup namespace of its own
 * they are mounted rooted at the container's (the namespace's root);
 * without one (hierarchies = all) its cgroup directories are bound.
 * cgroup2 alone on a v2 host; else a read-only tmpfs with one directory
 * per hierarchy, named as the host names it (unified, memory, cpu...).
 */
void
cg_mount(struct mctx *m)
{
	const struct run *r = m->r;
	unsigned a = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	unsigned ro = r->t->cg_delegate ? 0 : MOUNT_ATTR_RDONLY;
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };
	const struct cg_hier *h;
	const char *base;
	int top, i, mnt;

	int own = r->t->ns[K_NS_CGROUP - NS_FIRST].mode == NS_NEW;

	if (r->t->sys == SYS_NO || !r->cg.n ||
	    (!own && r->t->cg_hierarchies != CG_ALL))
		return;
	blame(m, r->t->cg_delegate ? K_CG_DELEGATE : K_NS_CGROUP);
	/* below the sysfs nook just mounted, not walked from the root again */
	top = m->sys < 0 ? -1 : resolve(m->sys, "fs/cgroup", O_PATH |
	    O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (top < 0 && m->sys >= 0)
		FAIL(m, "open \"/sys/fs/cgroup\"");
	if (top < 0) {
		m->strict = 1;
		top = mount_point(m, "/sys/fs/cgroup", CREATE_NONE);
		m->strict = 0;
	}
	if (r->cg.pure) {
		attach_at(m, own ? new_fs(m, "cgroup2", NULL, NULL, a | ro) :
		    bind_ro(m, r->cg.h[0].dir), top, ".");
		close(top);
		return;
	}
	mnt = new_fs(m, "tmpfs", NULL, "0755", a);
	attach_at(m, dup(mnt), top, ".");
	close(top);
	for (i = 0; i < r->cg.n; i++) {
		h = &r->cg.h[i];
		base = strrchr(h->mnt, '/') + 1;
		if (mkdirat(mnt, base, 0755))
			FAIL(m, "mkdir /sys/fs/cgroup/%s", base);
		attach_at(m, own ? new_fs(m, h->opts ? "cgroup" : "cgroup2",
		    h->opts, NULL, a | ro) : bind_ro(m, h->dir), mnt, base);
	}
	if (syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH, &ma,
	    sizeof(ma)))
		FAIL(m, "make /sys/fs/cgroup read-only");
	close(mnt);
}
