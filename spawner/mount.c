// SPDX-License-Identifier: MIT
/*
 * The container's root: bind (or overlay) the rootfs onto itself, mount
 * the kernel's file systems (kernelfs.c) and the [mounts] entries inside
 * it, then pivot_root and detach the old root.  Every destination is
 * opened with openat2(RESOLVE_IN_ROOT), so a symlink in the rootfs can
 * never lead a mount out of it, and the mount goes onto the opened
 * descriptor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nook.h"
#include "mount.h"

int
in_root(int root, const char *path, int flags)
{
	return resolve(root, path, flags, RESOLVE_IN_ROOT);
}

char *
fdpath(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* The parent directory of path inside the root, and path's last name. */
static int
parent_in_root(struct mctx *m, const char *path, const char **base)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	*base = slash + 1;
	if ((fd = in_root(m->root, dir, O_PATH | O_DIRECTORY)) < 0)
		FAIL(m, "open \"%s\" in the container's root", *dir ? dir : "/");
	return fd;
}

/* mkdir -p inside the root; each step resolved inside it. */
static void
mkdirs(struct mctx *m, const char *path, mode_t mode)
{
	char part[4096];
	const char *p = path, *base;
	int fd;

	while ((p = strchr(p + 1, '/')) || *path) {
		snprintf(part, sizeof(part), "%.*s",
		    (int)(p ? p - path : (long)strlen(path)), path);
		fd = parent_in_root(m, part, &base);
		if (*base && mkdirat(fd, base, mode) && errno != EEXIST)
			FAIL(m, "mkdir \"%s\"", part);
		close(fd);
		if (!p)
			break;
	}
}

/*
 * Open a mount point, creating it (a directory, or an empty file) when it
 * is missing and the root is writable.
 */
int
mount_point(struct mctx *m, const char *dst, int create)
{
	unsigned long long how = RESOLVE_IN_ROOT |
	    (m->strict ? RESOLVE_NO_SYMLINKS : 0);
	const char *base;
	int fd, pfd;

	fd = resolve(m->root, dst, O_PATH, how);
	if (fd < 0 && errno == ELOOP && m->strict)
		FAIL(m, "\"%s\" in the image is a symbolic link (or is reached "
		    "through one); nook mounts there only on a real directory",
		    dst);
	if (fd >= 0 || errno != ENOENT)
		goto out;
	if (!m->writable && create == CREATE_NONE) {
		errno = ENOENT;
		FAIL(m, "mount point \"%s\" does not exist in the read-only "
		    "root (create it, or use overlay = tmpfs)", dst);
	}
	if (create == CREATE_FILE) {
		if ((base = strrchr(dst, '/')) && base != dst) {
			char dir[4096];	/* its directories first, as runc */

			snprintf(dir, sizeof(dir), "%.*s", (int)(base - dst),
			    dst);
			mkdirs(m, dir, 0755);
		}
		pfd = parent_in_root(m, dst, &base);
		fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
		if (fd < 0)
			FAIL(m, "create \"%s\"", dst);
		close(fd);
		close(pfd);
	} else {
		mkdirs(m, dst, 0755);
	}
	fd = resolve(m->root, dst, O_PATH, how);
out:
	if (fd < 0)
		FAIL(m, "open mount point \"%s\"", dst);
	return fd;
}

void
mount_fs(struct mctx *m, const char *dst, const char *type,
    unsigned long flags, const char *data)
{
	char buf[32];
	int fd = mount_point(m, dst, CREATE_DIR);

	if (mount(type, fdpath(fd, buf), type, flags, data))
		FAIL(m, "mount %s on \"%s\"", type, dst);
	close(fd);
}

static unsigned long long
mount_attrs(unsigned a)
{
	return (a & M_RO ? MOUNT_ATTR_RDONLY : 0) |
	    (a & M_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
	    (a & M_NODEV ? MOUNT_ATTR_NODEV : 0) |
	    (a & M_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
}

/* Attach a detached tree on dst: open_tree/fsmount + move_mount. */
static void
attach(struct mctx *m, int tree, const char *dst, unsigned attrs, int create)
{
	struct mount_attr ma = { .attr_set = mount_attrs(attrs) };
	int fd;

	if (ma.attr_set && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH |
	    AT_RECURSIVE, &ma, sizeof(ma)))
		FAIL(m, "set attributes of \"%s\"", dst);
	fd = mount_point(m, dst, create);
	if (syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "mount on \"%s\"", dst);
	close(fd);
	close(tree);
}

/* A bind: the mount point is made to match what the source is. */
static void
attach_tree(struct mctx *m, int tree, const char *dst, unsigned attrs,
    int create)
{
	struct stat st;

	if (create == CREATE_NONE && m->writable && !fstat(tree, &st))
		create = S_ISDIR(st.st_mode) ? CREATE_DIR : CREATE_FILE;
	attach(m, tree, dst, attrs, create);
}

void
bind_host(struct mctx *m, int dirfd, const char *src, const char *dst,
    unsigned attrs, int create)
{
	int tree = syscall(SYS_open_tree, dirfd, src, OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE | (*src ? 0 : AT_EMPTY_PATH));

	if (tree < 0)
		FAIL(m, "bind \"%s\"", src);
	attach_tree(m, tree, dst, attrs, create);
}

/* A file with the given text, on a private tmpfs, bound onto dst. */
static void
bind_text(struct mctx *m, const char *dst, const char *text)
{
	int fs, mnt, fd, tree;
	size_t len = strlen(text);

	fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size",
	    "1m", 0) || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL,
	    NULL, 0))
		FAIL(m, "create a tmpfs for \"%s\"", dst);
	if ((mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0)) < 0)
		FAIL(m, "mount a tmpfs for \"%s\"", dst);
	fd = openat(mnt, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		FAIL(m, "write the text of \"%s\"", dst);
	close(fd);
	tree = syscall(SYS_open_tree, mnt, "file", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC);
	if (tree < 0)
		FAIL(m, "clone the text of \"%s\"", dst);
	attach(m, tree, dst, M_NOSUID | M_NODEV | M_NOEXEC, CREATE_FILE);
	close(mnt);
	close(fs);
}

void
make_symlink(struct mctx *m, const char *target, const char *link)
{
	const char *base;
	int pfd = parent_in_root(m, link, &base);

	if (symlinkat(target, pfd, base) && errno != EEXIST)
		FAIL(m, "symlink \"%s\" -> \"%s\"", link, target);
	close(pfd);
}

void
blame(struct mctx *m, int key)
{
	m->key = key;
	m->loc = tloc(m->r->c, key);
}

static void
setup_user_mounts(struct mctx *m)
{
	const struct nook_config *t = m->r->t;
	const struct mnt_spec *s;
	size_t i;

	for (i = 0; i < t->nmounts; i++) {
		s = &t->mounts[i];
		m->loc = &s->loc;
		m->key = s->kind;
		switch (s->kind) {
		case K_M_BIND:
		case K_M_BIND_RO:
			if (m->r->idbind[i] >= 0) {
				attach_tree(m, m->r->idbind[i], s->dst, s->attrs,
				    s->create);
				m->r->idbind[i] = -1;
				break;
			}
			if (s->optional && access(s->src, F_OK))
				break;
			bind_host(m, AT_FDCWD, s->src, s->dst, s->attrs,
			    s->create);
			break;
		case K_M_TMPFS:
			mount_fs(m, s->dst, "tmpfs", MS_NOSUID | MS_NODEV,
			    s->data);
			break;
		case K_M_MKDIR:
			mkdirs(m, s->dst, 0755);
			break;
		case K_M_SYMLINK:
			make_symlink(m, s->text, s->dst);
			break;
		case K_M_FILE:
			bind_text(m, s->dst, s->text);
			break;
		}
	}
}

/*
 * The descriptor opened on the host names a mount of the host's mount
 * namespace; mount calls want ours.  Reopen the path here - early, while
 * the child still has the host's uid, so a rootfs below a directory only
 * root may enter works with a private id range too - and make sure it is
 * still the same directory.
 */
void
mnt_open_root(struct run *r)
{
	const char *path = r->t->root_path;
	const struct loc *l = tloc(r->c, K_ROOT_PATH);
	struct stat a, b;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &a) || fstat(r->root_fd, &b))
		child_fail(r, l, K_ROOT_PATH, errno, "open \"%s\"", path);
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		child_fail(r, l, K_ROOT_PATH, ESTALE, "\"%s\" was replaced "
		    "while nook started", path);
	close(r->root_fd);
	r->root_fd = fd;
}

/* The overlay of overlay = tmpfs, as a detached mount. */
static int
overlay_tree(struct mctx *m)
{
	char lower[32], upper[64], work[64];
	int fs, up, ov, tree;

	fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode",
	    "0755", 0) || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL,
	    NULL, 0) || (up = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
	    MOUNT_ATTR_NODEV)) < 0)
		FAIL(m, "create the tmpfs of the overlay");
	if (mkdirat(up, "upper", 0755) || mkdirat(up, "work", 0755))
		FAIL(m, "create the overlay's upper directory");
	/*
	 * overlayfs clones its layers privately, which it does only for
	 * mounts of our own namespace: attach the idmapped tree first.
	 */
	if (m->r->idroot >= 0 && syscall(SYS_move_mount, m->r->idroot, "",
	    m->r->root_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "attach the idmapped lower layer");
	snprintf(lower, sizeof(lower), "/proc/self/fd/%d", m->r->idroot >= 0 ?
	    m->r->idroot : m->r->root_fd);
	snprintf(upper, sizeof(upper), "/proc/self/fd/%d/upper", up);
	snprintf(work, sizeof(work), "/proc/self/fd/%d/work", up);
	ov = syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (ov < 0 || syscall(SYS_fsconfig, ov, FSCONFIG_SET_STRING, "lowerdir",
	    lower, 0) || syscall(SYS_fsconfig, ov, FSCONFIG_SET_STRING,
	    "upperdir", upper, 0) || syscall(SYS_fsconfig, ov,
	    FSCONFIG_SET_STRING, "workdir", work, 0))
		FAIL(m, "configure the overlay");
	if (syscall(SYS_fsconfig, ov, FSCONFIG_SET_FLAG, "userxattr", NULL, 0))
		errno = 0;	/* older kernels: the plain xattrs work as root */
	if (syscall(SYS_fsconfig, ov, FSCONFIG_CMD_CREATE, NULL, NULL, 0) ||
	    (tree = syscall(SYS_fsmount, ov, FSMOUNT_CLOEXEC,
	    MOUNT_ATTR_NODEV)) < 0)
		FAIL(m, "mount the overlay");
	if (m->r->idroot >= 0) {
		close(m->r->idroot);
		m->r->idroot = -1;
	}
	close(fs);
	close(up);
	close(ov);
	return tree;
}

/*
 * The root as a detached tree - a recursive clone of the rootfs, or an
 * overlay over it - attached onto the rootfs directory and entered by
 * descriptor: a path lookup of "/" would never see a mount on top of it.
 */
static void
setup_root(struct mctx *m)
{
	const struct nook_config *t = m->r->t;
	int tree;

	blame(m, K_ROOT_PATH);
	if (t->overlay == OVERLAY_TMPFS) {
		blame(m, K_ROOT_OVERLAY);
		tree = overlay_tree(m);
		m->writable = 1;
	} else if (m->r->idroot >= 0) {
		tree = m->r->idroot;	/* made by the parent: idmap.c */
		m->r->idroot = -1;
		m->writable = !t->root_readonly;
	} else {
		tree = syscall(SYS_open_tree, m->r->root_fd, "", OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
		if (tree < 0)
			FAIL(m, "clone \"%s\"", t->root_path);
		m->writable = !t->root_readonly;
	}
	if (syscall(SYS_move_mount, tree, "", m->r->root_fd, "",
	    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "attach the root");
	if (fchdir(tree))
		FAIL(m, "enter the root");
	m->root = tree;
}

static void
make_readonly(struct mctx *m)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };

	blame(m, K_ROOT_READONLY);
	if (syscall(SYS_mount_setattr, m->root, "", AT_EMPTY_PATH |
	    AT_RECURSIVE, &ma, sizeof(ma)))
		FAIL(m, "make the root read-only");
}

void
mnt_setup(struct run *r)
{
	static const unsigned long prop[] = { [PROP_SLAVE] = MS_SLAVE,
		[PROP_PRIVATE] = MS_PRIVATE, [PROP_SHARED] = MS_SHARED,
		[PROP_UNBINDABLE] = MS_UNBINDABLE };
	struct mctx m = { .r = r, .root = -1, .proc = -1, .sys = -1,
		.dev = -1, .empty = -1 };

	/*
	 * Build as slave whatever is asked: nothing of the setup may
	 * propagate to the host, and pivot_root refuses shared mounts.
	 */
	blame(&m, K_ROOT_PROPAGATION);
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
		FAIL(&m, "set the propagation of /");
	blame(&m, K_FS_DEV);
	open_dev_nodes(&m);
	blame(&m, K_FS_MASK);
	m.null_fd = -1;
	if (r->t->mask[0])
		open_null(&m);
	setup_root(&m);
	if (r->t->overlay == OVERLAY_NONE && r->t->root_readonly)
		make_readonly(&m);
	setup_filesystems(&m);
	write_sysctls(&m);
	setup_user_mounts(&m);
	mask_paths(&m);
	check_kernel_fs(&m);
	blame(&m, K_ROOT_PATH);
	if (syscall(SYS_pivot_root, ".", "."))
		FAIL(&m, "pivot_root");
	if (umount2(".", MNT_DETACH))
		FAIL(&m, "detach the old root");
	if (chdir("/"))
		FAIL(&m, "chdir /");
	blame(&m, K_ROOT_PROPAGATION);
	if (prop[r->t->propagation] != MS_SLAVE &&
	    mount(NULL, "/", NULL, MS_REC | prop[r->t->propagation], NULL))
		FAIL(&m, "set the propagation of the container's /");
	/* nothing may keep a handle on the old tree */
	close(m.root);
	close(r->root_fd);
	r->root_fd = -1;
	if (m.null_fd >= 0)
		close(m.null_fd);
	if (m.empty >= 0)
		close(m.empty);
}
