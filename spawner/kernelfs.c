// SPDX-License-Identifier: MIT
/*
 * The kernel's file systems in the container - /proc, /sys, a minimal
 * /dev, /tmp - each made detached and attached on a mount point reached
 * through no symlink, and the masks and read-only paths, applied through
 * the descriptors of those very mounts and checked again before
 * pivot_root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#ifndef STATX_TYPE	/* a C library without statx() (musl 1.2.3) */
#include <linux/stat.h>
#endif

#include "nook.h"
#include "mount.h"

static const char *const dev_nodes[NDEV] = { "null", "zero", "full",
	"random", "urandom", "tty" };

/*
 * /proc, /sys or the /dev tmpfs: made detached, then attached on a mount
 * point that is no symlink.  The descriptor of the mount is kept: masks
 * are applied through it, never through a path that could be swapped.
 */
static int
kernel_fs(struct mctx *m, const char *dst, const char *type,
    unsigned long long attrs, const char *data)
{
	char opts[128], *tok, *save, *eq;
	int fs, mnt, fd;

	if ((fs = syscall(SYS_fsopen, type, FSOPEN_CLOEXEC)) < 0)
		FAIL(m, "open a %s file system", type);
	snprintf(opts, sizeof(opts), "%s", data ? data : "");
	for (tok = strtok_r(opts, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')))
			*eq++ = 0;
		if (syscall(SYS_fsconfig, fs, eq ? FSCONFIG_SET_STRING :
		    FSCONFIG_SET_FLAG, tok, eq, 0))
			FAIL(m, "%s option %s", type, tok);
	}
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) ||
	    (mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs)) < 0)
		FAIL(m, "mount %s on \"%s\"", type, dst);
	m->strict = 1;
	fd = mount_point(m, dst, CREATE_DIR);
	m->strict = 0;
	if (syscall(SYS_move_mount, mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "mount %s on \"%s\"", type, dst);
	close(fd);
	close(fs);
	return mnt;
}

/*
 * The host's harmless device nodes, checked to be character devices and
 * taken before the first mount (a user namespace cannot mknod): each a
 * detached bind mount of the node (open_tree), ready to be attached in
 * the /dev tmpfs - not a path opened, then cloned, then closed twice.
 */
void
open_dev_nodes(struct mctx *m)
{
	char host[32];
	struct stat st;
	size_t i;

	for (i = 0; i < NDEV; i++) {
		m->dev_fd[i] = -1;
		if (m->r->t->dev != DEV_MINIMAL)
			continue;
		snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i]);
		m->dev_fd[i] = syscall(SYS_open_tree, AT_FDCWD, host,
		    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (m->dev_fd[i] < 0 || fstat(m->dev_fd[i], &st))
			FAIL(m, "open the host's %s", host);
		if (!S_ISCHR(st.st_mode)) {
			errno = ENODEV;
			FAIL(m, "host %s is not a character device", host);
		}
	}
}

/* ---- [filesystem] device: nodes of the config in /dev ---- */

/* A path below /dev with no empty, "." or ".." part, nothing odd in it. */
static int
dev_path_ok(const char *p)
{
	const char *c;
	size_t n;

	if (strncmp(p, "/dev/", 5) || strlen(p) > 255)
		return 0;
	for (c = p + 5; ; c += n + 1) {
		n = strcspn(c, "/");
		if (!n || (n == 1 && c[0] == '.') || (n == 2 && !strncmp(c,
		    "..", 2)))
			return 0;
		if (!c[n])
			break;
	}
	for (c = p; *c; c++)
		if (*c <= ' ' || *c == ',' || *c == ':' || *c == 0x7f)
			return 0;
	return 1;
}

/*
 * PATH TYPE [MAJOR:MINOR] [MODE] [UID:GID]: a node made in the container's
 * /dev (type c, b, u for an unbuffered c, or p for a FIFO, which has no
 * numbers); mode 0666 and 0:0 unless given.
 */
const char *
dev_parse_node(const char *s, struct dev_node *out)
{
	static const char *const usage = "expected PATH TYPE [MAJOR:MINOR] "
	    "[MODE] [UID:GID], such as /dev/fuse c 10:229 0666 0:0";
	char w[6][256], *colon;
	unsigned long long u;
	int n = 0, i = 2, len;

	memset(out, 0, sizeof(*out));
	out->mode = 0666;
	while (n < 6 && sscanf(s, " %255s%n", w[n], &len) == 1 &&
	    strlen(w[n]) < 255)
		s += len, n++;
	if (n < 2 || n == 6 || *(s + strspn(s, " \t")))
		return usage;
	if (!dev_path_ok(w[0]))
		return "expected an absolute path below /dev/ (no \".\" or "
		    "\"..\" part, no blank, comma or colon)";
	strcpy(out->path, w[0]);
	if (strlen(w[1]) != 1 || !strchr("cbup", w[1][0]))
		return "expected a type: c, b, u or p";
	out->type = w[1][0] == 'u' ? 'c' : w[1][0];
	if (out->type != 'p') {
		if (n < 3 || !(colon = strchr(w[2], ':')) || (*colon = 0,
		    parse_uint(w[2], 4095, &u)) || (out->major = (unsigned)u,
		    parse_uint(colon + 1, 1048575, &u)))
			return "expected MAJOR:MINOR for a c, b or u node "
			    "(major 0-4095, minor 0-1048575)";
		out->minor = (unsigned)u;
		i = 3;
	}
	if (n > i && (!w[i][0] || strspn(w[i], "01234567") != strlen(w[i]) ||
	    strtoul(w[i], NULL, 8) > 07777))
		return out->type == 'p' && strchr(w[i], ':') ? "a FIFO (p) has "
		    "no MAJOR:MINOR" : "expected an octal MODE such as 0666";
	if (n > i)
		out->mode = (unsigned)strtoul(w[i++], NULL, 8);
	if (n > i && (!(colon = strchr(w[i], ':')) || (*colon = 0,
	    parse_uint(w[i], 4294967294ULL, &out->uid)) ||
	    parse_uint(colon + 1, 4294967294ULL, &out->gid)))
		return "expected UID:GID of numbers such as 0:0";
	return n > i + 1 ? usage : NULL;
}

/* A container id as the host sees it, for a node's owner; -1: unmapped. */
static long long
host_id(const struct run *r, int k, unsigned long long id)
{
	const struct idmap_spec *s = k == K_UID_MAP ? &r->t->uid_map :
	    &r->t->gid_map;
	struct idmap m;
	size_t i;

	if (r->t->ns[0].mode != NS_NEW || s->kind == MAP_IDENTITY)
		return (long long)id;
	if (s->kind == MAP_AUTO) {
		idmap_auto(r, k, &m);
		return id < m.count ? (long long)(m.outside + id) : -1;
	}
	for (i = 0; i < s->n; i++)
		if (id >= s->range[i].inside && id - s->range[i].inside <
		    s->range[i].count)
			return (long long)(s->range[i].outside + id -
			    s->range[i].inside);
	return -1;
}

/* One node in the private directory: type, numbers, owner, mode. */
static int
make_node(struct run *r, int dir, size_t i, const struct dev_node *n)
{
	long long uid = host_id(r, K_UID_MAP, n->uid);
	long long gid = host_id(r, K_GID_MAP, n->gid);
	mode_t type = n->type == 'b' ? S_IFBLK : n->type == 'c' ? S_IFCHR :
	    S_IFIFO;
	char name[24];

	snprintf(name, sizeof(name), "%zu", i);
	if (uid < 0 || gid < 0) {
		key_error(&n->loc, K_FS_DEVICE, "%s: owner %llu:%llu is not "
		    "mapped in the container's user namespace", n->path,
		    n->uid, n->gid);
		return -1;
	}
	if (mknodat(dir, name, type | 0600, makedev(n->major, n->minor)) ||
	    fchownat(dir, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) ||
	    fchmodat(dir, name, n->mode, 0)) {
		key_error(&n->loc, K_FS_DEVICE, "%s: make the node in %s: %s",
		    n->path, r->devdir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * In the parent, before the clone: each node made in a private directory
 * of the host's /dev (devtmpfs, where nodes work; a user namespace could
 * not mknod them), with its owner as the host sees the container's id.
 * The child binds them into its /dev; dev_cleanup removes them.
 */
int
dev_prepare(struct run *r)
{
	const struct nook_config *t = r->t;
	char tmpl[] = "/dev/.nook-XXXXXX";
	size_t i;
	int dir;

	if (!t->dev_nodes.n || t->dev != DEV_MINIMAL)
		return 0;
	if (nook_euid() != 0) {
		key_error(&t->dev_nodes.v[0].loc, K_FS_DEVICE, "needs root "
		    "(the nodes are made on the host)");
		return -1;
	}
	if (!mkdtemp(tmpl) || chmod(tmpl, 0711) || (dir = open(tmpl, O_PATH |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		key_error(&t->dev_nodes.v[0].loc, K_FS_DEVICE, "make %s: %s",
		    tmpl, strerror(errno));
		if (tmpl[11] != 'X')
			rmdir(tmpl);
		return -1;
	}
	r->devdir = xstrdup(tmpl);
	for (i = 0; i < t->dev_nodes.n; i++)
		if (make_node(r, dir, i, &t->dev_nodes.v[i])) {
			close(dir);
			return -1;
		}
	close(dir);
	return 0;
}

/* The private directory and its nodes, once the child has them bound. */
void
dev_cleanup(struct run *r)
{
	char path[PATH_MAX];
	size_t i;

	if (!r->devdir)
		return;
	for (i = 0; i < r->t->dev_nodes.n; i++) {
		snprintf(path, sizeof(path), "%s/%zu", r->devdir, i);
		unlink(path);
	}
	if (rmdir(r->devdir) && errno != ENOENT)
		nook_warn("cannot remove %s: %s", r->devdir, strerror(errno));
	free(r->devdir);
	r->devdir = NULL;
}

/* The directory of path (below /dev) in the /dev tmpfs, made as needed. */
static int
node_dir(struct mctx *m, const char *path, const char **leaf)
{
	char part[256];
	const char *p = path + 5;
	size_t n;
	int fd = fcntl(m->dev, F_DUPFD_CLOEXEC, 0), next;

	while (fd >= 0 && p[n = strcspn(p, "/")]) {
		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		if (mkdirat(fd, part, 0755) && errno != EEXIST)
			FAIL(m, "mkdir \"/dev/%s\"", part);
		next = openat(fd, part, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		fd = next;
		p += n + 1;
	}
	if (fd < 0)
		FAIL(m, "open the directory of \"%s\"", path);
	*leaf = p;
	return fd;
}

/*
 * The nodes the parent made, each bound on an empty file at its path, as
 * the host's standard nodes are; checked to be what the config asks.
 */
static void
bind_dev_nodes(struct mctx *m)
{
	const struct dev_node *n;
	char host[PATH_MAX];
	const char *leaf;
	struct stat st;
	int src, dir, tree;
	size_t i;

	for (i = 0; i < m->r->t->dev_nodes.n; i++) {
		n = &m->r->t->dev_nodes.v[i];
		m->loc = &n->loc;
		m->key = K_FS_DEVICE;
		snprintf(host, sizeof(host), "%s/%zu", m->r->devdir, i);
		if ((src = open(host, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		    fstat(src, &st))
			FAIL(m, "%s: open %s", n->path, host);
		if ((st.st_mode & S_IFMT) != (n->type == 'b' ? S_IFBLK :
		    n->type == 'c' ? S_IFCHR : S_IFIFO) || (n->type != 'p' &&
		    st.st_rdev != makedev(n->major, n->minor))) {
			errno = ENODEV;
			FAIL(m, "%s: %s is not the node made for it", n->path,
			    host);
		}
		dir = node_dir(m, n->path, &leaf);
		if (mknodat(dir, leaf, S_IFREG | 0644, 0) && errno != EEXIST)
			FAIL(m, "create \"%s\"", n->path);
		if ((tree = syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC | AT_EMPTY_PATH)) < 0 ||
		    syscall(SYS_move_mount, tree, "", dir, leaf,
		    MOVE_MOUNT_F_EMPTY_PATH))
			FAIL(m, "bind the node \"%s\"", n->path);
		close(tree);
		close(dir);
		close(src);
	}
	blame(m, K_FS_DEV);
}

/*
 * A file system on the directory NAME of the /dev tmpfs nook just made:
 * reached through that mount's descriptor, nothing of the image's on the
 * way, and no path walked from the root again.
 */
static void
dev_fs(struct mctx *m, const char *name, const char *type,
    unsigned long flags, const char *data)
{
	char buf[32];
	int fd;

	if ((mkdirat(m->dev, name, 0755) && errno != EEXIST) ||
	    (fd = openat(m->dev, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 || mount(type, fdpath(fd, buf), type, flags, data))
		FAIL(m, "mount %s on \"/dev/%s\"", type, name);
	close(fd);
}

/*
 * tmpfs with the host's device nodes bound in, a devpts, shm, mqueue -
 * all made in that fresh tmpfs through its descriptor.  The nodes are
 * nosuid and noexec by one call for the six of them.
 */
static void
setup_dev_minimal(struct mctx *m)
{
	static const char *const links[][2] = { { "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" } };
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_NOSUID |
		MOUNT_ATTR_NOEXEC };
	char shm[64];
	size_t i;

	/* nodev: the nodes below are bind mounts of their own */
	m->dev = kernel_fs(m, "/dev", "tmpfs", MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "mode=0755,size=1m");
	for (i = 0; i < NDEV; i++) {
		if (mknodat(m->dev, dev_nodes[i], S_IFREG | 0644, 0) ||
		    syscall(SYS_move_mount, m->dev_fd[i], "", m->dev,
		    dev_nodes[i], MOVE_MOUNT_F_EMPTY_PATH))
			FAIL(m, "bind the host's /dev/%s", dev_nodes[i]);
		close(m->dev_fd[i]);
		m->dev_fd[i] = -1;
	}
	bind_dev_nodes(m);
	if (syscall(SYS_mount_setattr, m->dev, "", AT_EMPTY_PATH | AT_RECURSIVE,
	    &ma, sizeof(ma)))
		FAIL(m, "make the nodes of /dev nosuid and noexec");
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], m->dev, links[i][1]) &&
		    errno != EEXIST)
			FAIL(m, "symlink \"/dev/%s\" -> \"%s\"", links[i][1],
			    links[i][0]);
	dev_fs(m, "pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620");
	snprintf(shm, sizeof(shm), "mode=1777,size=%lld",
	    m->r->t->shm_size);
	if (m->r->t->shm_size < 0)
		strcpy(shm, "mode=1777");
	dev_fs(m, "shm", "tmpfs", MS_NOSUID | MS_NODEV, shm);
	if (m->r->t->ns[K_NS_IPC - NS_FIRST].mode == NS_NEW)
		dev_fs(m, "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    NULL);
}

/*
 * A new user namespace may mount a proc only for a PID namespace, and a
 * sysfs only for a network namespace, that it owns.  Without one, the
 * defaults (config.c refuses a value given) bind the host's instead.
 */
static int
own_pidns(const struct run *r)
{
	return !(r->clone_flags & CLONE_NEWUSER) ||
	    r->clone_flags & CLONE_NEWPID;
}

static int
own_netns(const struct run *r)
{
	return !(r->clone_flags & CLONE_NEWUSER) ||
	    r->clone_flags & CLONE_NEWNET;
}

static void
host_kernel_fs(struct mctx *m, const char *dir, unsigned attrs)
{
	nook_info("%s: no namespace of its own to mount one for: the host's "
	    "%s is bound%s", key_label(m->key), dir, attrs & M_RO ?
	    " read-only" : "");
	m->strict = 1;
	bind_host(m, AT_FDCWD, dir, dir, attrs, CREATE_DIR);
	m->strict = 0;
}

/* /sys shows the network namespace of its mounter: after net_join. */
static void
setup_sys(struct mctx *m)
{
	int sys = m->r->t->sys;

	net_join(m->r);
	if (sys == 2)
		return;
	blame(m, K_FS_SYS);
	if (!own_netns(m->r))
		host_kernel_fs(m, "/sys", M_RO | M_NOSUID | M_NODEV | M_NOEXEC);
	else
		m->sys = kernel_fs(m, "/sys", "sysfs", MOUNT_ATTR_NOSUID |
		    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
		    (sys == 0 ? MOUNT_ATTR_RDONLY : 0), NULL);
	cg_mount(m);	/* the container's cgroups: cgroup.c */
}

void
setup_filesystems(struct mctx *m)
{
	const struct nook_config *t = m->r->t;
	int dev = t->dev;

	if (t->proc) {
		blame(m, K_FS_PROC);
		if (!own_pidns(m->r))
			host_kernel_fs(m, "/proc", M_NOSUID | M_NODEV | M_NOEXEC);
		else
			m->proc = kernel_fs(m, "/proc", "proc", MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, NULL);
	}
	if (!m->r->net.async)
		setup_sys(m);
	blame(m, K_FS_DEV);
	if (dev == 0)
		setup_dev_minimal(m);
	else if (dev == 1) {
		m->strict = 1;
		bind_host(m, AT_FDCWD, "/dev", "/dev", 0, CREATE_DIR);
		m->strict = 0;
	}
	tty_open_pty(m);	/* [process] tty: tty.c */
	if (t->tmp) {
		blame(m, K_FS_TMP);
		mount_fs(m, "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	}
	if (m->r->net.async)	/* the namespace made meanwhile: net.c */
		setup_sys(m);
}

/*
 * Open the host's /dev/null (or take the one dev = minimal opened),
 * refusing anything but the 1:3 device.
 */
void
open_null(struct mctx *m)
{
	struct stat st;

	m->null_fd = m->dev_fd[0] >= 0 ? fcntl(m->dev_fd[0], F_DUPFD_CLOEXEC,
	    0) : open("/dev/null", O_PATH | O_CLOEXEC);
	if (m->null_fd < 0 || fstat(m->null_fd, &st))
		FAIL(m, "open the host's /dev/null");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 ||
	    minor(st.st_rdev) != 3) {
		errno = ENODEV;
		FAIL(m, "the host's /dev/null is not the 1:3 character device");
	}
}

/*
 * A path to mask or make read-only: below /proc, /sys or /dev through
 * the descriptor of the mount nook made there (a path walked again could
 * meet a directory swapped in meanwhile), elsewhere inside the root.
 */
static int
open_target(struct mctx *m, const char *path)
{
	const struct { const char *dir; int fd; } kfs[] = {
		{ "/proc", m->proc }, { "/sys", m->sys }, { "/dev", m->dev },
	};
	size_t i, n;

	for (i = 0; i < sizeof(kfs) / sizeof(kfs[0]); i++) {
		n = strlen(kfs[i].dir);
		if (kfs[i].fd >= 0 && !strncmp(path, kfs[i].dir, n) &&
		    (path[n] == '/' || !path[n]))
			return resolve(kfs[i].fd, path + n, O_PATH,
			    RESOLVE_BENEATH);
	}
	return in_root(m->root, path, O_PATH);
}

/*
 * The first masked directory gets an empty read-only tmpfs; every other
 * one a clone of that mount, not a file system of its own.
 */
static int
empty_dir(struct mctx *m, const char *path, int fd)
{
	int fs, mnt;

	if (m->empty >= 0)
		return (int)syscall(SYS_open_tree, m->empty, "",
		    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	/* read-only as a file system too, not only as a mount */
	fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size",
	    "4k", 0) || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode",
	    "0555", 0) || syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro",
	    NULL, 0) || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL,
	    NULL, 0) || (mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
	    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	    MOUNT_ATTR_NOEXEC)) < 0)
		FAIL(m, "mask \"%s\"", path);
	close(fs);
	/* attached, it can be cloned (a detached one only since 6.15) */
	if (syscall(SYS_move_mount, mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "mask \"%s\"", path);
	m->empty = mnt;
	return -2;
}

static void
mask_one(struct mctx *m, const char *path, int fd)
{
	struct stat st;
	int tree;

	if (fstat(fd, &st))
		FAIL(m, "mask \"%s\"", path);
	if (!S_ISDIR(st.st_mode))
		tree = syscall(SYS_open_tree, m->null_fd, "", OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	else if ((tree = empty_dir(m, path, fd)) == -2)
		return;		/* the first: mounted there already */
	if (tree < 0 || syscall(SYS_move_mount, tree, "", fd, "",
	    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "mask \"%s\"", path);
	close(tree);
}

static void
readonly_one(struct mctx *m, const char *path, int fd)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };
	int tree = syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);

	if (tree < 0 || syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH |
	    AT_RECURSIVE, &ma, sizeof(ma)) || syscall(SYS_move_mount, tree,
	    "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "make \"%s\" read-only", path);
	close(tree);
}

/*
 * [filesystem] mask: /dev/null over files, an empty read-only tmpfs over
 * directories; readonly_path: a read-only bind of the path onto itself.
 * A path this kernel or image does not have (ENOENT) is skipped; any
 * other failure stops the setup: a defence is never silently left out.
 */
void
mask_paths(struct mctx *m)
{
	char *const *mask = m->r->t->mask;
	char *const *ro = m->r->t->readonly_paths;
	size_t i;
	int fd;

	blame(m, K_FS_MASK);
	for (i = 0; mask[i]; i++) {
		if ((fd = open_target(m, mask[i])) < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			FAIL(m, "open \"%s\"", mask[i]);
		mask_one(m, mask[i], fd);
		close(fd);
	}
	blame(m, K_FS_RO_PATH);
	for (i = 0; ro[i]; i++) {
		if ((fd = open_target(m, ro[i])) < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			FAIL(m, "open \"%s\"", ro[i]);
		readonly_one(m, ro[i], fd);
		close(fd);
	}
}

/* The mount FD is on (the system call: not every C library wraps it). */
static int
statx_mnt(int fd, struct statx *st)
{
	return (int)syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_MNT_ID,
	    st);
}

/*
 * Before pivot_root: /proc, /sys and /dev must still be the very mounts
 * nook made, not a directory of the image renamed into their place.
 */
void
check_kernel_fs(struct mctx *m)
{
	const struct { const char *dir; int fd, key; } kfs[] = {
		{ "/proc", m->proc, K_FS_PROC }, { "/sys", m->sys, K_FS_SYS },
		{ "/dev", m->dev, K_FS_DEV },
	};
	struct statx a, b;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(kfs) / sizeof(kfs[0]); i++) {
		if (kfs[i].fd < 0)
			continue;
		blame(m, kfs[i].key);
		fd = resolve(m->root, kfs[i].dir, O_PATH, RESOLVE_IN_ROOT |
		    RESOLVE_NO_SYMLINKS);
		if (fd < 0 || statx_mnt(fd, &a) ||
		    statx_mnt(kfs[i].fd, &b))
			FAIL(m, "check \"%s\"", kfs[i].dir);
		if (!(a.stx_mask & STATX_MNT_ID) || a.stx_mnt_id != b.stx_mnt_id) {
			errno = ESTALE;
			FAIL(m, "\"%s\" is no longer the mount nook made there "
			    "(the image changed during the setup)", kfs[i].dir);
		}
		close(fd);
		close(kfs[i].fd);
	}
}

/*
 * [sysctl], through the proc file system nook mounted (never a path that
 * could have been swapped), before masks make /proc/sys read-only.  Each
 * parameter is the container's own: model.c admits only namespaced ones.
 */
void
write_sysctls(struct mctx *m)
{
	const struct nook_config *t = m->r->t;
	char path[300], *p;
	size_t i, len;
	int fd;

	for (i = 0; i < t->nsysctl; i++) {
		m->loc = &t->sysctl[i].loc;
		m->key = -1;
		if (m->proc < 0) {
			errno = ENOENT;
			FAIL(m, "[sysctl] %s: no /proc of the container's own to "
			    "write it through", t->sysctl[i].name);
		}
		snprintf(path, sizeof(path), "sys/%s", t->sysctl[i].name);
		if (!strchr(t->sysctl[i].name, '/'))
			for (p = path; *p; p++)
				if (*p == '.')
					*p = '/';
		fd = resolve(m->proc, path, O_WRONLY | O_NOFOLLOW | O_NOCTTY,
		    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		len = strlen(t->sysctl[i].value);
		if (fd < 0 || write(fd, t->sysctl[i].value, len) !=
		    (ssize_t)len)
			FAIL(m, "[sysctl] %s = %s", t->sysctl[i].name,
			    t->sysctl[i].value);
		close(fd);
	}
}
