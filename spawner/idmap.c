// SPDX-License-Identifier: MIT
/*
 * The container's own ids when nook runs as root: "auto" maps container
 * ids 0-65535 onto a range of host ids no other container uses, so that
 * container root is nobody to the host, and the rootfs and bind sources
 * are idmapped mounts through that user namespace, so that an image owned
 * by host root still looks owned by root inside.
 *
 * Ranges come from root's entries in /etc/subuid and /etc/subgid when it
 * has both, in blocks of 65536; otherwise from 2^31 + 65536 * slot.  A
 * range is held with flock(2) on a file in /run/nook/ranges for as long as
 * its nook runs, so two containers never share one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nook.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

#define BLOCK 65536ULL
#define FALLBACK_BASE 2147483648ULL	/* 2^31 */
#define FALLBACK_SLOTS 32767		/* the last id, 2^32 - 1, stays out */
#define MAX_BLOCKS 4096
#define LOCK_DIR "/run/nook/ranges"

int
idmap_private(const struct nook_config *t)
{
	return nook_euid() == 0 && t->ns[0].mode == NS_NEW &&
	    t->uid_map.kind == MAP_AUTO && t->gid_map.kind == MAP_AUTO;
}

/* The starts of root's whole 65536-id blocks in an /etc/sub?id file. */
static size_t
root_blocks(const char *file, unsigned long long *out, size_t max)
{
	char line[256], *name, *s, *n, *save;
	unsigned long long a, b, i;
	FILE *f = fopen(file, "re");
	size_t k = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		name = strtok_r(line, ":\n", &save);
		s = strtok_r(NULL, ":\n", &save);
		n = strtok_r(NULL, ":\n", &save);
		if (!name || !s || !n || (strcmp(name, "root") &&
		    strcmp(name, "0")) || parse_uint(s, 4294967294ULL, &a) ||
		    parse_uint(n, 4294967295ULL, &b))
			continue;
		for (i = 0; i + BLOCK <= b && a + i + BLOCK <= 4294967295ULL &&
		    k < max; i += BLOCK)
			out[k++] = a + i;
	}
	fclose(f);
	return k;
}

/*
 * Hold the range starting at uid; -1 with EWOULDBLOCK when in use.  The
 * directory is made the first time it is missing.
 */
static int
lock_range(unsigned long long uid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), LOCK_DIR "/%llu", uid);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT && ((mkdir("/run/nook", 0755) == 0 ||
	    errno == EEXIST) && (mkdir(LOCK_DIR, 0700) == 0 ||
	    errno == EEXIST)))
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Pick and hold a free range for a container run as root with "auto"
 * maps.  Prints the error and returns -1 when none can be had.
 */
int
idmap_pick(struct run *r)
{
	static unsigned long long ub[MAX_BLOCKS], gb[MAX_BLOCKS];
	size_t nu, ng, n, i;
	int sub;

	r->range_lock = -1;
	if (!idmap_private(r->t))
		return 0;
	nu = root_blocks("/etc/subuid", ub, MAX_BLOCKS);
	ng = root_blocks("/etc/subgid", gb, MAX_BLOCKS);
	sub = nu && ng;
	n = sub ? (nu < ng ? nu : ng) : FALLBACK_SLOTS;
	for (i = 0; i < n; i++) {
		r->uid_base = sub ? ub[i] : FALLBACK_BASE + BLOCK * i;
		r->gid_base = sub ? gb[i] : FALLBACK_BASE + BLOCK * i;
		if ((r->range_lock = lock_range(r->uid_base)) >= 0)
			break;
		if (errno != EWOULDBLOCK) {
			fprintf(stderr, "nook: %s: lock %s/%llu: %s\n",
			    key_label(K_UID_MAP), LOCK_DIR, r->uid_base,
			    strerror(errno));
			return -1;
		}
	}
	if (r->range_lock < 0) {
		fprintf(stderr, "nook: %s: auto: all %zu id ranges %s are in "
		    "use\n", key_label(K_UID_MAP), n, sub ? "of root in "
		    "/etc/subuid and /etc/subgid" : "above 2^31");
		return -1;
	}
	nook_info("user namespace: container ids 0-65535 are host uids "
	    "%llu-%llu, gids %llu-%llu", r->uid_base, r->uid_base + BLOCK - 1,
	    r->gid_base, r->gid_base + BLOCK - 1);
	return 0;
}

/* "auto" as root: the private range. */
void
idmap_auto(const struct run *r, int k, struct idmap *m)
{
	m->inside = 0;
	m->outside = k == K_UID_MAP ? r->uid_base : r->gid_base;
	m->count = BLOCK;
}

/* Decode mountinfo's octal escapes (\040 for a blank) in place. */
static void
unescape(char *s)
{
	char *d = s;

	for (; *s; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else {
			*d = *s;
		}
	}
	*d = 0;
}

static int
set_idmap(int fd, const char *path, int userns, unsigned flags)
{
	struct mount_attr ma = {
		.attr_set = MOUNT_ATTR_IDMAP,
		.userns_fd = (unsigned)userns,
	};

	return syscall(SYS_mount_setattr, fd, path, AT_EMPTY_PATH | flags, &ma,
	    sizeof(ma));
}

/*
 * A clone made in the host's namespace is a peer of a shared source: as
 * a slave it still sees the host's new mounts but sends none back.
 */
static int
make_slave(int tree)
{
	struct mount_attr ma = { .propagation = MS_SLAVE };

	return syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH |
	    AT_RECURSIVE, &ma, sizeof(ma));
}

static void
cannot_idmap(const struct loc *l, int k, const char *path, const char *way)
{
	key_error(l, k, "\"%s\" is on a file system that cannot be idmapped, "
	    "so its files would show as nobody in the container's private id "
	    "range: %s, or set [user] uid_map = identity and gid_map = "
	    "identity (container root is then host root)", path, way);
}

/*
 * The recursive clone of dir could not be idmapped as a whole: each mount
 * under dir one by one.  A read-only one that cannot be idmapped stays as
 * it is (its files show as nobody); a writable one is an error.
 */
static int
idmap_each(int tree, const char *dir, int userns, const struct loc *l, int k,
    int ro)
{
	char line[8192], *f[6], *p, *save;
	size_t len = strlen(dir), i;
	struct statvfs sv;
	FILE *mi = fopen("/proc/self/mountinfo", "re");
	int fd, rc = 0, e;

	if (!mi)
		return -1;
	while (rc == 0 && fgets(line, sizeof(line), mi)) {
		for (i = 0, p = line; i < 6; i++, p = NULL)
			f[i] = strtok_r(p, " ", &save);
		if (!f[4])
			continue;
		unescape(f[4]);
		if (strncmp(f[4], dir, len) || (len > 1 && f[4][len] != '/') ||
		    !f[4][len] || !f[4][len + (len > 1)])
			continue;
		fd = openat(tree, f[4] + len + (len > 1), O_PATH | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd < 0)
			continue;	/* hidden by a mount above it */
		if (set_idmap(fd, "", userns, 0)) {
			e = errno;
			if (ro || (!fstatvfs(fd, &sv) && sv.f_flag & ST_RDONLY)) {
				nook_info("%s: read-only mount \"%s\" cannot be "
				    "idmapped (%s); its files show as nobody",
				    key_label(k), f[4], strerror(e));
			} else if (e == EINVAL) {
				cannot_idmap(l, k, f[4], "make it read-only");
				rc = -1;
			} else {
				fprintf(stderr, "nook: %s: idmap \"%s\": %s\n",
				    key_label(k), f[4], strerror(e));
				rc = -1;
			}
		}
		close(fd);
	}
	fclose(mi);
	return rc;
}

/*
 * A recursive clone of src made here, as a slave: the child, a nobody to
 * the host, might not reach a source that host root can (a bind with
 * idmap=no is just this).
 */
static int
plain_tree(int src, const char *shown, int k)
{
	int tree = syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);

	if (tree < 0 || make_slave(tree)) {
		fprintf(stderr, "nook: %s: clone \"%s\": %s\n", key_label(k),
		    shown, strerror(errno));
		if (tree >= 0)
			close(tree);
		return -1;
	}
	return tree;
}

/*
 * An idmapped recursive clone of the directory or file src (an O_PATH
 * descriptor), shown as shown in messages.  In a tree that will be
 * read-only (ro), submounts that cannot be idmapped stay as they are, and
 * with plain_ok so may the whole tree.
 */
static int
idmapped_tree(int src, const char *shown, int userns, const struct loc *l,
    int k, int ro, int plain_ok, const char *way)
{
	int tree = plain_tree(src, shown, k);
	char self[64], real[4096];
	ssize_t n;

	if (tree < 0)
		return -1;
	if (!set_idmap(tree, "", userns, AT_RECURSIVE))
		return tree;
	if (plain_ok && set_idmap(tree, "", userns, 0)) {
		/* the root is worth a word even without -v */
		(k == K_ROOT_PATH ? nook_warn : nook_info)("%s: \"%s\" cannot "
		    "be idmapped (%s); used read-only as it is, its files show "
		    "as nobody (uid_map = identity keeps the host's owners)",
		    key_label(k), shown, strerror(errno));
		return tree;
	}
	if (!plain_ok && set_idmap(tree, "", userns, 0)) {
		if (errno == EINVAL)
			cannot_idmap(l, k, shown, way);
		else
			fprintf(stderr, "nook: %s: idmap \"%s\": %s\n",
			    key_label(k), shown, strerror(errno));
		close(tree);
		return -1;
	}
	/* the host path of src, as /proc/self/mountinfo spells it */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", src);
	n = readlink(self, real, sizeof(real) - 1);
	real[n > 0 ? n : 0] = 0;
	if (n <= 0 || idmap_each(tree, real, userns, l, k, ro)) {
		close(tree);
		return -1;
	}
	return tree;
}


/*
 * After the maps are written: the rootfs and each bind source as an
 * idmapped tree through the child's user namespace (only a process with
 * the host's CAP_SYS_ADMIN may make one), for the child to attach.
 */
int
idmap_trees(struct run *r)
{
	const struct nook_config *t = r->t;
	const struct mnt_spec *s;
	char ns[64];
	size_t i;
	int userns, src, rc = 0;

	r->idroot = -1;
	r->idbind = xcalloc(t->nmounts + 1, sizeof(int));
	for (i = 0; i < t->nmounts; i++)
		r->idbind[i] = -1;
	if (!idmap_private(t))
		return 0;
	snprintf(ns, sizeof(ns), "/proc/%d/ns/user", r->pid);
	if ((userns = open(ns, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "nook: open %s: %s\n", ns, strerror(errno));
		return -1;
	}
	r->idroot = idmapped_tree(r->root_fd, t->root_path, userns,
	    tloc(r->c, K_ROOT_PATH), K_ROOT_PATH, t->root_readonly ||
	    t->overlay == OVERLAY_TMPFS, t->root_readonly &&
	    t->overlay == OVERLAY_NONE, "use a file system that can "
	    "(ext4, xfs, btrfs, tmpfs)");
	rc = r->idroot < 0 ? -1 : 0;
	for (i = 0; rc == 0 && i < t->nmounts; i++) {
		s = &t->mounts[i];
		if (s->kind != K_M_BIND && s->kind != K_M_BIND_RO)
			continue;
		if ((src = open(s->src, O_PATH | O_CLOEXEC)) >= 0) {
			r->idbind[i] = s->idmap ? idmapped_tree(src, s->src,
			    userns, &s->loc, s->kind, s->attrs & M_RO,
			    s->attrs & M_RO, "add the option idmap=no") :
			    plain_tree(src, s->src, s->kind);
			rc = r->idbind[i] < 0 ? -1 : 0;
			close(src);
		} else if (!s->optional) {
			key_error(&s->loc, s->kind, "\"%s\": %s", s->src,
			    strerror(errno));
			rc = -1;
		}
	}
	close(userns);
	return rc;
}

/*
 * The go byte, with the idmapped trees: a byte per [mounts] entry says
 * whether a descriptor of its own follows the root's.
 */
int
idmap_send_go(struct run *r)
{
	size_t n = r->t->nmounts, i, nfd = 0;
	char *body = xcalloc(n + 1, 1);
	int *fds = xcalloc(n + 1, sizeof(int)), rc;
	struct iovec iov = { .iov_base = body, .iov_len = n + 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	char *ctl = NULL;
	struct cmsghdr *cm;

	body[0] = 'g';
	if (r->idroot >= 0)
		fds[nfd++] = r->idroot;
	for (i = 0; i < n; i++)
		if (r->idroot >= 0 && r->idbind[i] >= 0) {
			body[1 + i] = 1;
			fds[nfd++] = r->idbind[i];
		}
	if (nfd > 250) {
		fprintf(stderr, "nook: [mounts]: at most 249 bind mounts with "
		    "a private id range (uid_map = auto as root)\n");
		rc = -1;
		goto out;
	}
	if (nfd) {
		ctl = xcalloc(1, CMSG_SPACE(nfd * sizeof(int)));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfd * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfd * sizeof(int));
	}
	rc = sendmsg(r->sock, &mh, MSG_NOSIGNAL) == (ssize_t)(n + 1) ? 0 : -1;
out:
	for (i = 0; i < nfd; i++)
		close(fds[i]);
	free(body);
	free(fds);
	free(ctl);
	return rc;
}

/* In the child: wait for the go byte and take the trees.  0 or -1. */
int
idmap_recv_go(struct run *r)
{
	size_t n = r->t->nmounts, i, nfd, j = 0;
	char *body = xcalloc(n + 1, 1);
	size_t clen = CMSG_SPACE((n + 1) * sizeof(int));
	char *ctl = xcalloc(1, clen);
	struct iovec iov = { .iov_base = body, .iov_len = n + 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = clen };
	struct cmsghdr *cm;
	int *fds = NULL;

	r->idroot = -1;
	r->idbind = xcalloc(n + 1, sizeof(int));
	for (i = 0; i < n; i++)
		r->idbind[i] = -1;
	if (recvmsg(r->sock, &mh, MSG_CMSG_CLOEXEC) < 1 || body[0] != 'g')
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return 0;
	nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	fds = (int *)CMSG_DATA(cm);
	if (nfd)
		r->idroot = fds[j++];
	for (i = 0; i < n && j < nfd; i++)
		if (body[1 + i])
			r->idbind[i] = fds[j++];
	free(body);
	return 0;
}
