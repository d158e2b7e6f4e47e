/* SPDX-License-Identifier: MIT */
/* [cgroup]: the container's cgroup (cgroup.c). */
#ifndef NOOK_CGROUP_H
#define NOOK_CGROUP_H

#include <stddef.h>

struct run;
struct cfg;
struct mctx;
struct nook_config;
struct dev_rules;

#define CG_HIER 16	/* the unified hierarchy and up to 15 v1 ones */

/* One hierarchy the container has a cgroup in. */
struct cg_hier {
	char *mnt;	/* where the host mounts the hierarchy */
	char *opts;	/* v1: its controllers ("cpu,cpuacct"); NULL: v2 */
	char *dir;	/* the container's cgroup */
	char *made;	/* the topmost directory nook made: removed up to it */
	unsigned ctl;	/* the controllers of the config it carries */
};

/* C_FREEZER and C_DEVICES set no limit that a v2 parent hands down. */
enum { C_MEMORY, C_PIDS, C_CPU, C_CPUSET, C_FREEZER, C_DEVICES, C_COUNT };

struct cg_run {
	int fd;		/* v2: the container's cgroup, for CLONE_INTO_CGROUP */
	int n;		/* hierarchies in h[] */
	struct cg_hier h[CG_HIER];
	int track;	/* the one whose processes are the container's */
	int newns;	/* the child makes its cgroup namespace after cg_attach */
	int pure;	/* the host is v2 only: cgroup2 on /sys/fs/cgroup */
	unsigned uid, gid;	/* container root on the host: delegate = yes */
	char *sweep[1 + C_COUNT];	/* parents to sweep, while the child */
	int nsweep;			/* sets up (cg_sweep) */
	pid_t keeper;	/* removes them for a parent that joined a user */
	int keeper_fd;	/* namespace (cg_keeper): our end of its pipe */
};

/* Shared by cgroup.c and cghost.c. */
extern const char *const ctl_name[C_COUNT];

/* What the host offers: read once per run from /proc. */
struct cg_host {
	char *v2;		/* mount point of cgroup2, NULL: none */
	int pure;		/* /sys/fs/cgroup itself is cgroup2 */
	char *v1[C_COUNT];	/* mount point of the v1 hierarchy with it */
	char *v1opts[C_COUNT];	/* all controllers of that hierarchy */
	char *own2, *own1[C_COUNT];	/* nook's own cgroups */
	int nall;		/* every v1 hierarchy (hierarchies = all): */
	char *all1[CG_HIER], *all1opts[CG_HIER], *allown[CG_HIER];
};

int __attribute__((format(printf, 3, 4))) cg_put(const char *dir, const char *file, const char *fmt, ...);
int cg_get(const char *dir, const char *file, char *buf, size_t len);
int cg_has_word(const char *s, const char *w, const char *sep);
void cg_host_scan(struct cg_host *h, const struct nook_config *t);
int cg_v2_offers(const char *parent, int i);
unsigned cg_needed(const struct nook_config *t);
void cg_host_parse(struct cg_host *h, char *mountinfo, char *own,
    const char *cgroups, int live);
void cg_host_free(struct cg_host *h);
int cg_empty_out(const char *dir, int v2);
int cg_rm_tree(const char *dir);
int cg_sweep_list(const struct run *r, const struct cg_host *h,
    char **out);
void cg_sweep_dir(const char *parent);

char *cg_parent_dir(const struct nook_config *t, const char *mnt,
    const char *own);
int cg_ctl_key(const struct cfg *c, unsigned mask);
int cg_enable(struct run *r, const char *dir, unsigned ctl);
int cg_inherit_cpuset(const char *dir);
int cg_write_limits(struct run *r, const struct cg_hier *h);
const char *cg_parse_devices(const char *s, struct dev_rules *out);
int cg_devices(struct run *r, const struct cg_hier *h);

int cg_prepare(struct run *r);
int cg_attach(struct run *r);
void cg_child(struct run *r);
void cg_mount(struct mctx *m);
int cg_keeper(struct run *r);
void cg_cleanup(struct run *r);
void cg_sweep(struct run *r);
int cg_check(struct cfg *c);

#endif
