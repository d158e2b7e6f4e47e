/* SPDX-License-Identifier: MIT */
/* What mount.c and kernelfs.c share while building the root. */
#ifndef NOOK_MOUNT_H
#define NOOK_MOUNT_H

#define NDEV 6		/* the host's device nodes of dev = minimal */

struct mctx {
	struct run *r;
	int dev_fd[NDEV];	/* the host's nodes, opened before any mount */
	int null_fd;		/* /dev/null, checked to be 1:3, for masking */
	int empty;		/* the empty tmpfs of the first masked dir */
	int root;		/* O_PATH of the new root mount */
	int writable;		/* may mount points be created? */
	int strict;		/* no symlink anywhere on a mount point's path */
	int proc, sys, dev;	/* the mounts nook made there, or -1 */
	const struct loc *loc;	/* what to blame */
	int key;
};

#define FAIL(m, ...) child_fail((m)->r, (m)->loc, (m)->key, errno, __VA_ARGS__)

/* mount.c */
int in_root(int root, const char *path, int flags);
char *fdpath(int fd, char buf[32]);
int mount_point(struct mctx *m, const char *dst, int create);
void mount_fs(struct mctx *m, const char *dst, const char *type,
    unsigned long flags, const char *data);
void bind_host(struct mctx *m, int dirfd, const char *src, const char *dst,
    unsigned attrs, int create);
void make_symlink(struct mctx *m, const char *target, const char *link);
void blame(struct mctx *m, int key);

/* kernelfs.c */
void open_dev_nodes(struct mctx *m);
void open_null(struct mctx *m);
void setup_filesystems(struct mctx *m);
void mask_paths(struct mctx *m);
void check_kernel_fs(struct mctx *m);
void write_sysctls(struct mctx *m);

#endif
