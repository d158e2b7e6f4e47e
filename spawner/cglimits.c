// SPDX-License-Identifier: MIT
/*
 * The limits of [cgroup] written into the container's cgroups: the v2
 * files where the controller is on the unified hierarchy, their v1
 * counterparts (cpu.shares for cpu_weight, memsw for swap) otherwise.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include <time.h>
#include <unistd.h>

#include "nook.h"
#include "mount.h"
/* v2: give the controllers of h to the children of dir. */
int
cg_enable(struct run *r, const char *dir, unsigned ctl)
{
	char have[512];
	int i, k;

	if (!(ctl & ((1u << C_FREEZER) - 1)))
		return 0;	/* nothing to hand down */
	if (cg_get(dir, "cgroup.subtree_control", have, sizeof(have)))
		have[0] = 0;
	for (i = 0; i < C_FREEZER; i++) {
		if (!(ctl & 1u << i) || cg_has_word(have, ctl_name[i], " ") ||
		    !cg_put(dir, "cgroup.subtree_control", "+%s", ctl_name[i]))
			continue;
		k = cg_ctl_key(r->c, 1u << i);
		key_error(tloc(r->c, k), k, "enable %s in %s/cgroup."
		    "subtree_control: %s%s", ctl_name[i], dir, strerror(errno),
		    errno == EBUSY ? " (a cgroup with processes cannot give "
		    "controllers to children: set [cgroup] parent to an empty "
		    "cgroup)" : "");
		return -1;
	}
	return 0;
}

/* v1 cpuset: a new cgroup has no CPUs and no nodes until given some. */
int
cg_inherit_cpuset(const char *dir)
{
	static const char *const f[] = { "cpuset.cpus", "cpuset.mems" };
	char up[PATH_MAX], val[4096];
	int i;

	snprintf(up, sizeof(up), "%s", dir);
	*strrchr(up, '/') = 0;
	for (i = 0; i < 2; i++)
		if (cg_get(up, f[i], val, sizeof(val)) ||
		    cg_put(dir, f[i], "%s", val))
			return -1;
	return 0;
}

/* Write one limit; on failure say which key and file. */
static int
limit(struct run *r, const struct cg_hier *h, int k, const char *file,
    const char *val)
{
	if (cg_put(h->dir, file, "%s", val) == 0)
		return 0;
	key_error(tloc(r->c, k), k, "write %s to %s/%s: %s", val, h->dir,
	    file, errno == ENOENT ? "no such file (is the controller "
	    "enabled in this kernel?)" : strerror(errno));
	return -1;
}

/* A number of a limit: -1 is "max" (v2) or -1 (v1). */
static const char *
num(long long v, int v1, char buf[32])
{
	if (v < 0)
		return v1 ? "-1" : "max";
	snprintf(buf, 32, "%lld", v);
	return buf;
}

/*
 * v1 has no memory.high, and limits memory and swap together:
 * memsw = memory_max + memory_swap_max.
 */
static int
memory_v1(struct run *r, const struct cg_hier *h)
{
	const struct nook_config *t = r->t;
	const struct loc *l;
	char b[32];

	if ((l = tloc(r->c, K_CG_MEMORY_HIGH))) {
		key_error(l, K_CG_MEMORY_HIGH, "needs the memory controller on "
		    "cgroup v2; this host has it on v1 (%s)", h->mnt);
		return -1;
	}
	if (t->cg_memory_max && limit(r, h, K_CG_MEMORY_MAX,
	    "memory.limit_in_bytes", num(t->cg_memory_max, 1, b)))
		return -1;
	if (!t->cg_memory_swap_max)
		return 0;
	if (t->cg_memory_swap_max > 0 && t->cg_memory_max <= 0) {
		key_error(tloc(r->c, K_CG_MEMORY_SWAP_MAX),
		    K_CG_MEMORY_SWAP_MAX,
		    "on cgroup v1 (%s) needs memory_max: v1 limits memory and "
		    "swap together", h->mnt);
		return -1;
	}
	return limit(r, h, K_CG_MEMORY_SWAP_MAX, "memory.memsw.limit_in_bytes",
	    num(t->cg_memory_swap_max < 0 ? -1 : t->cg_memory_max +
	    t->cg_memory_swap_max, 1, b));
}

static int
memory_v2(struct run *r, const struct cg_hier *h)
{
	const struct nook_config *t = r->t;
	char b[32];

	return (t->cg_memory_max && limit(r, h, K_CG_MEMORY_MAX, "memory.max",
	    num(t->cg_memory_max, 0, b))) ||
	    (t->cg_memory_swap_max && limit(r, h, K_CG_MEMORY_SWAP_MAX,
	    "memory.swap.max", num(t->cg_memory_swap_max, 0, b))) ||
	    (t->cg_memory_high && limit(r, h, K_CG_MEMORY_HIGH, "memory.high",
	    num(t->cg_memory_high, 0, b))) ? -1 : 0;
}

/*
 * cpu_max is cpu.max on v2, CFS quota and period on v1; cpu_weight
 * becomes cpu.shares on v1 as runc maps them: 1-10000 onto 2-262144.
 */
static int
cpu_limits(struct run *r, const struct cg_hier *h)
{
	const struct nook_config *t = r->t;
	char b[32], q[64];
	int v1 = h->opts != NULL;

	if (t->cg_cpu_quota && !v1) {
		snprintf(q, sizeof(q), "%s %lld", num(t->cg_cpu_quota, 0, b),
		    t->cg_cpu_period);
		if (limit(r, h, K_CG_CPU_MAX, "cpu.max", q))
			return -1;
	} else if (t->cg_cpu_quota) {
		snprintf(q, sizeof(q), "%lld", t->cg_cpu_period);
		if (limit(r, h, K_CG_CPU_MAX, "cpu.cfs_period_us", q) ||
		    limit(r, h, K_CG_CPU_MAX, "cpu.cfs_quota_us",
		    num(t->cg_cpu_quota, 1, b)))
			return -1;
	}
	if (!t->cg_cpu_weight)
		return 0;
	snprintf(q, sizeof(q), "%lld", v1 ? 2 + ((t->cg_cpu_weight - 1) *
	    262142LL) / 9999 : (long long)t->cg_cpu_weight);
	return limit(r, h, K_CG_CPU_WEIGHT, v1 ? "cpu.shares" : "cpu.weight",
	    q);
}

int
cg_write_limits(struct run *r, const struct cg_hier *h)
{
	const struct nook_config *t = r->t;
	char b[32];

	if (h->ctl & 1u << C_MEMORY && (h->opts ? memory_v1(r, h) :
	    memory_v2(r, h)))
		return -1;
	if (h->ctl & 1u << C_PIDS && limit(r, h, K_CG_PIDS_MAX, "pids.max",
	    num(t->cg_pids_max, 0, b)))
		return -1;
	if (h->ctl & 1u << C_CPU && cpu_limits(r, h))
		return -1;
	if (h->ctl & 1u << C_CPUSET && ((t->cg_cpuset_cpus && limit(r, h,
	    K_CG_CPUSET_CPUS, "cpuset.cpus", t->cg_cpuset_cpus)) ||
	    (t->cg_cpuset_mems && limit(r, h, K_CG_CPUSET_MEMS, "cpuset.mems",
	    t->cg_cpuset_mems))))
		return -1;
	return 0;
}
