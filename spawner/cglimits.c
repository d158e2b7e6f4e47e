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
#include <limits.h>
#include <linux/bpf.h>
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

/* ---- [cgroup] devices ---- */

/*
 * The devices every container gets after its own rules, as runc and crun
 * allow them: mknod of any node, and /dev/null, zero, full, random,
 * urandom, tty, console, ptmx and the pseudo-terminals.
 */
static const struct dev_rule dev_defaults[] = {
	{ 1, 'c', -1, -1, DEV_MKNOD }, { 1, 'b', -1, -1, DEV_MKNOD },
	{ 1, 'c', 1, 3, 7 }, { 1, 'c', 1, 5, 7 }, { 1, 'c', 1, 7, 7 },
	{ 1, 'c', 1, 8, 7 }, { 1, 'c', 1, 9, 7 }, { 1, 'c', 5, 0, 7 },
	{ 1, 'c', 5, 1, 7 }, { 1, 'c', 5, 2, 7 }, { 1, 'c', 136, -1, 7 },
};
#define NDEFAULTS (sizeof(dev_defaults) / sizeof(dev_defaults[0]))

/* A major or minor number, or "*" for any (-1); the rest after it. */
static const char *
dev_number(const char *s, long long *out)
{
	unsigned long long u = 0;
	size_t n = strspn(s, "0123456789");

	if (*s == '*')
		return *out = -1, s + 1;
	if (!n || n > 7)
		return NULL;
	while (n--)
		u = u * 10 + (unsigned long long)(*s++ - '0');
	*out = (long long)u;
	return u <= 0xfffff ? s : NULL;
}

/* One rule: [allow | deny] TYPE [MAJOR:MINOR] [ACCESS], or (allow|deny)-all. */
static const char *
parse_rule(char *item, struct dev_rule *d)
{
	char *w[5], *save = NULL, *p;
	const char *q;
	int n = 0, i = 0;

	memset(d, 0, sizeof(*d));
	d->allow = 1, d->type = 'a', d->major = d->minor = -1, d->access = 7;
	for (p = strtok_r(item, " \t", &save); p && n < 5;
	    p = strtok_r(NULL, " \t", &save))
		w[n++] = p;
	if (n == 1 && (!strcmp(w[0], "deny-all") || !strcmp(w[0], "allow-all")))
		return d->allow = w[0][0] == 'a', NULL;
	if (n && (!strcmp(w[0], "allow") || !strcmp(w[0], "deny")))
		d->allow = w[i++][0] == 'a';
	if (i >= n || n == 5 || strlen(w[i]) != 1 || !strchr("acb", *w[i]))
		return "expected deny-all, allow-all or [allow|deny] a|c|b "
		    "[MAJOR:MINOR] [ACCESS], such as c 1:3 rwm or deny b 8:* w";
	d->type = *w[i++];
	if (i < n && strchr(w[i], ':')) {
		if (!(q = dev_number(w[i], &d->major)) || *q != ':' ||
		    !(q = dev_number(q + 1, &d->minor)) || *q)
			return "expected MAJOR:MINOR of numbers (up to "
			    "1048575) or *, such as 8:* or 1:3";
		i++;
	}
	if (i < n) {
		d->access = 0;
		for (p = w[i]; *p; p++) {
			q = strchr("rwm", *p);
			if (!q || !*p || d->access & 1u << (q - "rwm"))
				return "expected an access of r, w and m, "
				    "such as rwm or r";
			d->access |= 1u << (q - "rwm");
		}
		if (!d->access || ++i < n)
			return "expected an access of r, w and m, such as rwm";
	}
	return NULL;
}

/*
 * [cgroup] devices: rules separated by commas, applied in order, the last
 * that matches an access deciding it.  out NULL: only check them.
 */
const char *
cg_parse_devices(const char *s, struct dev_rules *out)
{
	char *copy = xstrdup(s), *item, *save = NULL;
	const char *why = *s ? NULL : "expected a rule";
	struct dev_rule d, *v;

	for (item = strtok_r(copy, ",", &save); item && !why;
	    item = strtok_r(NULL, ",", &save)) {
		if ((why = parse_rule(item, &d)) || !out)
			continue;
		if (!(v = realloc(out->v, (out->n + 1) * sizeof(*v))))
			nook_oom();
		out->v = v;
		out->v[out->n++] = d;
	}
	free(copy);
	return why;
}

/* The rule as v1's devices.allow and devices.deny take it. */
static void
rule_text(const struct dev_rule *d, char type, char *buf, size_t len)
{
	char maj[24] = "*", min[24] = "*", acc[4] = "";
	int i;

	if (d->major >= 0)
		snprintf(maj, sizeof(maj), "%lld", d->major);
	if (d->minor >= 0)
		snprintf(min, sizeof(min), "%lld", d->minor);
	for (i = 0; i < 3; i++)
		if (d->access & 1u << i)
			strncat(acc, &"rwm"[i], 1);
	snprintf(buf, len, "%c %s:%s %s", type, maj, min, acc);
}

/* Every rule of the container in order: its own, the defaults, its nodes. */
static size_t
all_rules(const struct nook_config *t, struct dev_rule **out)
{
	size_t i, n = 0;
	struct dev_rule *v = xcalloc(t->cg_devices.n + NDEFAULTS +
	    t->dev_nodes.n + 1, sizeof(*v));

	for (i = 0; i < t->cg_devices.n; i++)
		v[n++] = t->cg_devices.v[i];
	for (i = 0; i < NDEFAULTS; i++)
		v[n++] = dev_defaults[i];
	for (i = 0; i < t->dev_nodes.n; i++)
		if (t->dev_nodes.v[i].type != 'p')
			v[n++] = (struct dev_rule){ 1, t->dev_nodes.v[i].type,
			    t->dev_nodes.v[i].major, t->dev_nodes.v[i].minor,
			    7 };
	*out = v;
	return n;
}

/*
 * v1: a rule for all devices and all access resets the cgroup to allow
 * or deny everything; any other is an exception added (or, against the
 * current default, removed).  Type a with numbers is one rule per type:
 * "a" alone is a reset to the kernel.
 */
static int
devices_v1(struct run *r, const struct cg_hier *h)
{
	struct dev_rule *v;
	size_t i, n = all_rules(r->t, &v);
	const char *file;
	char text[64];
	int rc = 0, j;

	for (i = 0; i < n && !rc; i++) {
		file = v[i].allow ? "devices.allow" : "devices.deny";
		if (v[i].type == 'a' && v[i].major < 0 && v[i].minor < 0 &&
		    v[i].access == 7) {
			rc = limit(r, h, K_CG_DEVICES, file, "a");
			continue;
		}
		for (j = 0; j < 2 && !rc; j++) {
			if (v[i].type != 'a' && v[i].type != "cb"[j])
				continue;
			rule_text(&v[i], "cb"[j], text, sizeof(text));
			rc = limit(r, h, K_CG_DEVICES, file, text);
		}
	}
	free(v);
	return rc;
}

/* One eBPF instruction. */
static struct bpf_insn
insn(unsigned char code, int dst, int src, int off, int imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst & 15,
		.src_reg = src & 15, .off = (short)off, .imm = imm };
}

/*
 * v2 has no devices controller: a BPF_PROG_TYPE_CGROUP_DEVICE program
 * decides each access instead.  It tries the rules last first, so the
 * last that matches decides; none matching allows, as a v1 cgroup under
 * an unrestricted parent does.  An allow rule matches an access it wholly
 * covers, a deny rule one it covers in part.  r3 type, r4 access, r5
 * major, r6 minor; every test jumps to the next rule when it fails.
 */
static struct bpf_insn *
devices_prog(const struct nook_config *t, size_t *len)
{
	struct dev_rule *v, *d;
	size_t n = all_rules(t, &v), k = 0, j, jumps[4], nj, i;
	struct bpf_insn *p = xcalloc(8 + n * 10, sizeof(*p));
	unsigned acc;

	p[k++] = insn(BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0);
	p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0);
	p[k++] = insn(BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 0xffff);
	p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0);
	p[k++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, 4, 0, 0, 16);
	p[k++] = insn(BPF_LDX | BPF_W | BPF_MEM, 5, 1, 4, 0);
	p[k++] = insn(BPF_LDX | BPF_W | BPF_MEM, 6, 1, 8, 0);
	for (i = n; i-- > 0; ) {
		d = &v[i];
		nj = 0;
		/* ours: 1 r, 2 w, 4 m; BPF's: 1 mknod, 2 read, 4 write */
		acc = (d->access & DEV_READ ? BPF_DEVCG_ACC_READ : 0) |
		    (d->access & DEV_WRITE ? BPF_DEVCG_ACC_WRITE : 0) |
		    (d->access & DEV_MKNOD ? BPF_DEVCG_ACC_MKNOD : 0);
		if (d->type != 'a')
			jumps[nj++] = k, p[k++] = insn(BPF_JMP | BPF_JNE |
			    BPF_K, 3, 0, 0, d->type == 'c' ?
			    BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
		if (acc != 7) {
			p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 7, 4, 0, 0);
			p[k++] = insn(BPF_ALU64 | BPF_AND | BPF_K, 7, 0, 0,
			    d->allow ? (int)(~acc & 7) : (int)acc);
			jumps[nj++] = k, p[k++] = insn(BPF_JMP | (d->allow ?
			    BPF_JNE : BPF_JEQ) | BPF_K, 7, 0, 0, 0);
		}
		if (d->major >= 0)
			jumps[nj++] = k, p[k++] = insn(BPF_JMP | BPF_JNE |
			    BPF_K, 5, 0, 0, (int)d->major);
		if (d->minor >= 0)
			jumps[nj++] = k, p[k++] = insn(BPF_JMP | BPF_JNE |
			    BPF_K, 6, 0, 0, (int)d->minor);
		p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, d->allow);
		p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		for (j = 0; j < nj; j++)
			p[jumps[j]].off = (short)(k - jumps[j] - 1);
		if (!nj)	/* matches all: no rule before it counts */
			break;
	}
	if (i == (size_t)-1) {	/* the verifier refuses dead code */
		p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
		p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	free(v);
	*len = k;
	return p;
}

/* Load the program and attach it to the v2 cgroup, beside any other. */
static int
devices_v2(struct run *r, const struct cg_hier *h)
{
	char log[4096] = "";
	union bpf_attr a;
	size_t n;
	struct bpf_insn *p = devices_prog(r->t, &n);
	int prog, dir, e;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t)p;
	a.insn_cnt = (unsigned)n;
	a.license = (uintptr_t)"MIT";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	e = errno;
	free(p);
	if (prog < 0 && e == ENOSPC) {	/* the log was short: no log */
		a.log_buf = 0, a.log_size = 0, a.log_level = 0;
		p = devices_prog(r->t, &n);
		a.insns = (uintptr_t)p;
		prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
		e = errno;
		free(p);
	}
	if (prog < 0) {
		key_error(tloc(r->c, K_CG_DEVICES), K_CG_DEVICES, "load the "
		    "device program for %s (cgroup v2): %s%s%.200s", h->dir,
		    strerror(e), *log ? ": " : "", log);
		return -1;
	}
	if ((dir = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		e = errno;
		close(prog);
		errno = e;
		return limit(r, h, K_CG_DEVICES, ".", "bpf");
	}
	memset(&a, 0, sizeof(a));
	a.target_fd = (unsigned)dir;
	a.attach_bpf_fd = (unsigned)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	e = syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)) ? errno : 0;
	close(dir);
	close(prog);	/* the cgroup holds it now, until it is removed */
	if (!e)
		return 0;
	key_error(tloc(r->c, K_CG_DEVICES), K_CG_DEVICES, "attach the device "
	    "program to %s (cgroup v2): %s", h->dir, strerror(e));
	return -1;
}

/* [cgroup] devices and the nodes of [filesystem] device, v1 or v2. */
int
cg_devices(struct run *r, const struct cg_hier *h)
{
	return h->opts ? devices_v1(r, h) : devices_v2(r, h);
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
	if (h->ctl & 1u << C_DEVICES && cg_devices(r, h))
		return -1;
	return 0;
}
