// SPDX-License-Identifier: MIT
/*
 * What the container's process may do: resource limits, the capability
 * sets, no_new_privs and the seccomp filter (libseccomp).
 * All of it runs in the child, in the order that keeps each step
 * possible: rlimits and the bounding set while still fully privileged,
 * then the ids (process.c), then the other sets, no_new_privs, seccomp.
 */
#define _GNU_SOURCE
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "nook.h"
#include "seccomp-profile.h"

/*
 * Set from the parent with prlimit(2): raising a hard limit needs
 * CAP_SYS_RESOURCE in the host's user namespace, which the child, in a
 * new one, never has.  Returns -1 after printing the error.
 */
int
sec_apply_rlimits(struct run *r)
{
	const struct rlimit_spec *rs;
	struct rlimit rl;
	int k;

	for (k = K_RL_FIRST; k <= K_RL_LAST; k++) {
		rs = &r->t->rlimit[k - K_RL_FIRST];
		if (rs->inherit)
			continue;
		rl.rlim_cur = rs->soft;
		rl.rlim_max = rs->hard;
		if (prlimit(r->pid, rs->resource, &rl, NULL)) {
			key_error(tloc(r->c, k), k, "setrlimit: %s",
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * While we still hold CAP_SETPCAP: nothing outside keep can come back.
 * Straight prctl(2) and capset(2) here: libcap-ng would first read the
 * sets from /proc, three times over.  Dropping a capability already out
 * of the set does nothing; the first one past the kernel's last is EINVAL.
 */
void
sec_drop_bounding(struct run *r)
{
	unsigned long long kept = r->t->caps;
	int cap;

	for (cap = 0; cap < 64; cap++)
		if (!((kept >> cap) & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0,
		    0)) {
			if (errno == EINVAL && cap > 0)
				break;
			child_fail(r, tloc(r->c, K_CAP_KEEP), K_CAP_KEEP, errno,
			    "drop the bounding set");
		}
}

/* Effective and permitted eff, inheritable inh. */
static int
set_caps(unsigned long long eff, unsigned long long inh)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)eff, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(eff >> 32),
		    (uint32_t)(inh >> 32) } };

	return (int)syscall(SYS_capset, &h, d);
}

/*
 * After the ids changed (with keep-caps): effective and permitted are
 * keep, inheritable and ambient exactly the ambient list.
 */
void
sec_apply_caps(struct run *r)
{
	unsigned long long kept = r->t->caps, amb = r->t->caps_ambient & kept;
	int cap;

	/* without no_new_privs, loading seccomp needs CAP_SYS_ADMIN: hold
	 * it until sec_apply_seccomp() is done */
	if (set_caps(kept | (r->t->no_new_privs ? 0 : 1ULL << CAP_SYS_ADMIN),
	    amb))
		child_fail(r, tloc(r->c, K_CAP_KEEP), K_CAP_KEEP, errno,
		    "set the capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno !=
	    EINVAL)
		child_fail(r, tloc(r->c, K_CAP_AMBIENT), K_CAP_AMBIENT, errno,
		    "clear the ambient set");
	for (cap = 0; cap < 64; cap++)
		if (((amb >> cap) & 1) && prctl(PR_CAP_AMBIENT,
		    PR_CAP_AMBIENT_RAISE, cap, 0, 0))
			child_fail(r, tloc(r->c, K_CAP_AMBIENT), K_CAP_AMBIENT,
			    errno, "raise %s", capng_capability_to_name(cap));
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (r->t->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		child_fail(r, tloc(r->c, K_SEC_NNP), K_SEC_NNP, errno,
		    "set no_new_privs");
}

/*
 * The filter is first made as a list of rules.  The list, with what else
 * shapes the program (libseccomp's version, the architecture, the
 * kernel), is the key of a cache of compiled filters: libseccomp takes
 * about half a millisecond to compile one, reading a kept one a few
 * microseconds.  A cached file is the key, the program, and a checksum
 * of the program; a new layout of it needs a new magic.
 */
struct rule_rec {
	uint32_t act;
	int32_t nr;
	uint32_t ncmp;		/* 0 or 1: a rule compares one argument */
	uint32_t pad;
	struct scmp_arg_cmp cmp;
};

#define NOOK_SC_OPTIMIZE 2	/* a binary tree: compile() */

struct key_head {
	char magic[8];
	uint32_t scmp[3];	/* libseccomp's major, minor, micro */
	uint32_t arch, badarch, nnp, nrules;
	uint32_t optimize;	/* SCMP_FLTATR_CTL_OPTIMIZE */
	char kernel[2 * 65];	/* uname release and version */
};

struct rules {
	const struct run *r;
	const struct sc_profile *p;	/* linux.seccomp: the rules instead */
	struct rule_rec *v;
	size_t n, cap;
	int failed;
};

static void
add_nr(struct rules *rs, uint32_t act, int nr, unsigned n,
    const struct scmp_arg_cmp *cmp)
{
	struct rule_rec *x;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 128;
		if (!(rs->v = realloc(rs->v, rs->cap * sizeof(*rs->v))))
			nook_oom();
	}
	x = &rs->v[rs->n++];
	memset(x, 0, sizeof(*x));
	x->act = act;
	x->nr = nr;
	x->ncmp = n ? 1 : 0;
	if (n)
		x->cmp = *cmp;
}

/* A rule for the call named name (known to libseccomp, or an error). */
static void
rule(struct rules *rs, uint32_t act, const char *name, unsigned n,
    const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR) {
		key_error(tloc(rs->r->c, K_SEC_SECCOMP), K_SEC_SECCOMP,
		    "unknown system call %s", name);
		rs->failed = 1;
		return;
	}
	add_nr(rs, act, nr, n, cmp);
}

/* In the spirit of Docker's default profile. */
static const char *const default_deny[] = {
	"kexec_load", "kexec_file_load", "init_module", "finit_module",
	"delete_module", "bpf", "perf_event_open", "add_key", "keyctl",
	"request_key", "open_by_handle_at", "name_to_handle_at",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"swapon", "swapoff", "acct", "settimeofday", "clock_settime",
	"clock_adjtime", "adjtimex", "userfaultfd", "iopl", "ioperm",
	"syslog", "quotactl", "quotactl_fd", "lookup_dcookie", "vm86",
	"vm86old", "uselib", "nfsservctl", "create_module", "get_kernel_syms",
	"query_module",
	/* memory taken out of the kernel's own map, which the host can
	 * neither inspect nor swap, and which counts as locked */
	"memfd_secret",
};

/* Denied unless the capability is kept, as in Docker's profile. */
static const struct {
	int cap;
	const char *name;
} cap_calls[] = {
	{ CAP_SYS_ADMIN, "mount" }, { CAP_SYS_ADMIN, "umount" },
	{ CAP_SYS_ADMIN, "umount2" }, { CAP_SYS_ADMIN, "pivot_root" },
	{ CAP_SYS_ADMIN, "fsopen" }, { CAP_SYS_ADMIN, "fsconfig" },
	{ CAP_SYS_ADMIN, "fsmount" }, { CAP_SYS_ADMIN, "fspick" },
	{ CAP_SYS_ADMIN, "move_mount" }, { CAP_SYS_ADMIN, "open_tree" },
	{ CAP_SYS_ADMIN, "mount_setattr" },
	/* compares kernel objects of other processes: an ASLR oracle */
	{ CAP_SYS_PTRACE, "kcmp" },
	/* NUMA placement: can starve or slow down the host's other nodes */
	{ CAP_SYS_NICE, "mbind" }, { CAP_SYS_NICE, "move_pages" },
	{ CAP_SYS_NICE, "set_mempolicy" },
	{ CAP_SYS_NICE, "set_mempolicy_home_node" },
};

/* Is the call named in [security] seccomp_allow? */
static int
allowed(const struct run *r, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);
	size_t i;

	for (i = 0; i < r->t->seccomp_allow.n; i++)
		if (r->t->seccomp_allow.v[i] == nr)
			return 1;
	return 0;
}

static void
deny(struct rules *rs, uint32_t act, const char *name, int allowable)
{
	if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR ||
	    (allowable && allowed(rs->r, name)))
		return;		/* not on this architecture, or allowed */
	rule(rs, act, name, 0, NULL);
}

/*
 * personality(2) only with the values Docker allows: 0 (PER_LINUX), 8
 * (PER_LINUX32), 0x20000 (UNAME26), 0x20008 and 0xffffffff (a query).
 * A libseccomp rule compares an argument once, so "none of these" is a
 * union of rules: any of the upper 32 bits set (the kernel drops them,
 * so 0x100400000 would be READ_IMPLIES_EXEC); or, of the 30 low bits
 * other than 3 and 17, some set and some clear - in a ring of those bits,
 * a set one followed by a clear one; or all 30 set, but bit 3 or 17
 * clear.  What is left are the five values.
 */
static void
deny_personality(struct rules *rs, uint32_t act)
{
	const uint64_t free_bits = 0x20008, ring_bits = 0xffffffffULL &
	    ~free_bits;
	struct scmp_arg_cmp c;
	int ring[32], n = 0, b, i;
	uint64_t set, clear;

	c = SCMP_A0_64(SCMP_CMP_GT, 0xffffffffULL);
	rule(rs, act, "personality", 1, &c);
	for (b = 0; b < 32; b++)
		if ((ring_bits >> b) & 1)
			ring[n++] = b;
	for (i = 0; i < n; i++) {
		set = 1ULL << ring[i];
		clear = 1ULL << ring[(i + 1) % n];
		c = SCMP_A0_64(SCMP_CMP_MASKED_EQ, set | clear, set);
		rule(rs, act, "personality", 1, &c);
	}
	for (b = 0; b < 32; b++)
		if ((free_bits >> b) & 1) {
			c = SCMP_A0_64(SCMP_CMP_MASKED_EQ,
			    ring_bits | 1ULL << b, ring_bits);
			rule(rs, act, "personality", 1, &c);
		}
}

/*
 * No new user namespace: its root may reach kernel code that trusts
 * CAP_SYS_ADMIN.  These fail even with seccomp_action = log, which is
 * meant for finding the calls a program needs, not for opening this.
 */
static void
deny_userns(struct rules *rs, uint32_t act)
{
	struct scmp_arg_cmp c = SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER,
	    CLONE_NEWUSER);

	if (act == SCMP_ACT_LOG)
		act = SCMP_ACT_ERRNO(EPERM);
	rule(rs, act, "unshare", 1, &c);
	rule(rs, act, "clone", 1, &c);
	/* clone3's flags sit in memory a filter cannot read: make libc
	 * fall back to clone, as Docker does */
	rule(rs, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
}

/*
 * seccomp_deny = NAME.  With seccomp_action = log, a rule for every call
 * of unshare, clone or clone3 would replace the user-namespace rules,
 * which must keep failing: log only the calls those let through.
 */
static void
deny_extra(struct rules *rs, uint32_t act, const char *name, int userns)
{
	struct scmp_arg_cmp c = SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER,
	    0);

	if (!userns || act != SCMP_ACT_LOG || (strcmp(name, "unshare") &&
	    strcmp(name, "clone") && strcmp(name, "clone3")))
		deny(rs, act, name, 0);
	else if (strcmp(name, "clone3"))
		rule(rs, act, name, 1, &c);
}

static void
add_rules(struct rules *rs, uint32_t act)
{
	const struct run *r = rs->r;
	unsigned long long kept = r->t->caps;
	const struct int_list *extra = &r->t->seccomp_deny;
	struct scmp_arg_cmp c;
	int userns = 0;
	size_t i;
	char *name;

	for (i = 0; i < sizeof(default_deny) / sizeof(default_deny[0]); i++)
		deny(rs, act, default_deny[i], 1);
	for (i = 0; i < sizeof(cap_calls) / sizeof(cap_calls[0]); i++)
		if (!((kept >> cap_calls[i].cap) & 1))
			deny(rs, act, cap_calls[i].name, 1);
	/*
	 * reboot, but for RB_DISABLE_CAD: nook-init's probe for "am I the
	 * machine's PID 1", which fails harmlessly in a container.
	 */
	if (!allowed(r, "reboot")) {
		c = SCMP_A2_32(SCMP_CMP_NE, RB_DISABLE_CAD);
		rule(rs, act, "reboot", 1, &c);
	}
	if (!allowed(r, "personality"))
		deny_personality(rs, act);
	if (!r->t->nested_userns && !allowed(r, "unshare")) {
		deny_userns(rs, act);
		userns = 1;
	}
	for (i = 0; i < extra->n; i++) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
		    extra->v[i]);
		if (!name) {
			key_error(tloc(r->c, K_SEC_DENY), K_SEC_DENY, "name "
			    "system call %d", extra->v[i]);
			rs->failed = 1;
			continue;
		}
		deny_extra(rs, act, name, userns);
		free(name);
	}
}

/*
 * The kernel reads an ioctl request as an int, so 1 << 32 | TIOCSTI is
 * TIOCSTI too: mask to the low 32 bits (SCMP_A1_32 would still compare
 * all 64).
 */
static void
deny_tiocsti(struct rules *rs)
{
	struct scmp_arg_cmp c;

	c = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCSTI);
	rule(rs, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &c);
	c = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCLINUX);
	rule(rs, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &c);
}

/* The rules of this config, in the order libseccomp is given them. */
static int
make_rules(struct rules *rs)
{
	static const uint32_t acts[] = {
		[SECCOMP_ERRNO] = SCMP_ACT_ERRNO(EPERM),
		[SECCOMP_KILL] = SCMP_ACT_KILL_PROCESS,
		[SECCOMP_LOG] = SCMP_ACT_LOG };

	if (rs->r->t->seccomp == SECCOMP_DEFAULT)
		add_rules(rs, acts[rs->r->t->seccomp_action]);
	if (rs->r->t->block_tiocsti)
		deny_tiocsti(rs);
	return rs->failed ? -1 : 0;
}

/*
 * The key: everything that shapes the program, then the rules - nook's
 * own (magic nookbpf1), or a profile's block whole (nookbpfP).
 */
static size_t
make_key(const struct rules *rs, unsigned char **out)
{
	const struct scmp_version *v = seccomp_version();
	const struct sc_profile *p = rs->p;
	struct key_head h;
	struct utsname u;
	size_t blen = p ? sizeof(*p) + p->nrules * sizeof(p->rule[0]) :
	    rs->n * sizeof(*rs->v), len = sizeof(h) + blen;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, p ? "nookbpfP" : "nookbpf1", 8);
	h.scmp[0] = v->major;
	h.scmp[1] = v->minor;
	h.scmp[2] = v->micro;
	h.arch = seccomp_arch_native();
	h.badarch = SCMP_ACT_KILL_PROCESS;
	h.nnp = 0;
	h.optimize = NOOK_SC_OPTIMIZE;
	h.nrules = p ? p->nrules : (uint32_t)rs->n;
	if (!uname(&u))
		snprintf(h.kernel, sizeof(h.kernel), "%s %s", u.release,
		    u.version);
	*out = xcalloc(1, len);
	memcpy(*out, &h, sizeof(h));
	memcpy(*out + sizeof(h), p ? (const void *)p : (const void *)rs->v,
	    blen);
	return len;
}

/* FNV-1a: only picks the file; a match is the whole key, compared. */
static unsigned long long
key_hash(const unsigned char *p, size_t n)
{
	unsigned long long h = 14695981039346656037ULL;

	while (n--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

/*
 * The cache: /run/nook/seccomp for root, $XDG_RUNTIME_DIR/nook/seccomp
 * for others (none without it).  Used only when it is a directory of
 * the caller's that no one else may write.
 */
static int
cache_dir(void)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	char base[PATH_MAX], dir[PATH_MAX + 8];
	struct stat st;
	int fd;

	if (nook_euid() == 0)
		snprintf(base, sizeof(base), "/run/nook");
	else if (x && *x == '/' && strlen(x) < sizeof(base) - 8)
		snprintf(base, sizeof(base), "%s/nook", x);
	else
		return -1;
	snprintf(dir, sizeof(dir), "%s/seccomp", base);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		mkdir(base, nook_euid() ? 0700 : 0755);
		mkdir(dir, 0700);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd >= 0 && (fstat(fd, &st) || st.st_uid != nook_euid() ||
	    st.st_mode & 022)) {
		nook_info("%s: %s is not a directory of ours that only we "
		    "may write: no cache of filters", key_label(K_SEC_SECCOMP),
		    dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* n bytes of fd from off: 0, or -1 when fewer are there. */
static int
read_at(int fd, unsigned char *buf, size_t n, off_t off)
{
	size_t got = 0;
	ssize_t k;

	while (got < n && (k = pread(fd, buf + got, n - got, off +
	    (off_t)got)) > 0)
		got += (size_t)k;
	return got == n ? 0 : -1;
}

/*
 * The program in fd, a file of size bytes: the key, the program in whole
 * BPF instructions, then the FNV-1a of the program (a file cut short or
 * damaged is found out).  0 and prog set if it holds this key, or -1.
 */
static int
read_prog(int fd, const unsigned char *key, size_t klen, off_t size,
    struct sock_fprog *prog)
{
	const size_t ins = sizeof(struct sock_filter);
	size_t n = (size_t)size - klen - sizeof(uint64_t);
	unsigned char *buf;
	uint64_t sum;

	if (size < (off_t)(klen + sizeof(sum) + ins) || n % ins ||
	    n / ins > BPF_MAXINSNS)
		return -1;
	buf = xcalloc(1, (size_t)size);
	if (read_at(fd, buf, (size_t)size, 0) || memcmp(buf, key, klen) ||
	    (memcpy(&sum, buf + klen + n, sizeof(sum)),
	    sum != key_hash(buf + klen, n))) {
		free(buf);
		return -1;
	}
	memmove(buf, buf + klen, n);
	prog->filter = (struct sock_filter *)(void *)buf;
	prog->len = (unsigned short)(n / ins);
	return 0;
}

/* A cached filter: a regular file of ours, that no one else may read or
 * write, holding this key. */
static int
cache_load(int dir, const char *name, const unsigned char *key, size_t klen,
    struct sock_fprog *prog)
{
	struct stat st;
	int fd, rc = -1;

	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    st.st_uid == nook_euid() && !(st.st_mode & 077))
		rc = read_prog(fd, key, klen, st.st_size, prog);
	if (rc)
		nook_info("%s: cached filter %s ignored (not a file of ours "
		    "closed to others, or not this filter): made again",
		    key_label(K_SEC_SECCOMP), name);
	if (fd >= 0)
		close(fd);
	return rc;
}

static void
refused(const struct loc *l, int nr, int rc)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

	key_error(l, K_SEC_SECCOMP, "add a rule for %s: %s", name ? name :
	    "a system call", strerror(-rc));
	free(name);
}

static const struct loc oci_loc = { "config.json: linux.seccomp", 0 };

/* A rule of the profile libseccomp refused: named by its JSON path. */
static void
profile_refused(const struct sc_rule *x, int rc)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, x->nr);
	struct loc l;

	l.file = xasprintf("config.json: linux.seccomp.syscalls[%u].names[%u]",
	    x->entry, x->name);
	l.line = 0;
	key_error(&l, -1, "add a rule for %s: %s", name ? name :
	    "the system call", strerror(-rc));
	free((char *)l.file);
	free(name);
}

/*
 * A profile's architectures and rules into f (made with its default
 * action).  A rule with the default action is left out: libseccomp
 * refuses it, and it changes nothing.  Comparisons of one rule are
 * ANDed; when one index comes twice, libseccomp cannot AND them and each
 * becomes a rule of its own, as runc does.  0, or -1 after saying which.
 */
static int
profile_rules(const struct sc_profile *p, scmp_filter_ctx f)
{
	const struct sc_rule *x;
	uint32_t i, k;
	int rc = 0;

	for (i = 0; !rc && i < p->narch; i++)
		if ((rc = seccomp_arch_add(f, p->arch[i])) == -EEXIST)
			rc = 0;
	if (rc) {
		key_error(&oci_loc, -1, "architectures: add %u: %s",
		    p->arch[i - 1], strerror(-rc));
		return -1;
	}
	for (i = 0; !rc && i < p->nrules; i++) {
		x = &p->rule[i];
		if (x->act == p->def_act)
			continue;
		if (!x->split || !x->nargs)
			rc = seccomp_rule_add_array(f, x->act, x->nr, x->nargs,
			    x->arg);
		for (k = 0; !rc && x->split && k < x->nargs; k++)
			rc = seccomp_rule_add_array(f, x->act, x->nr, 1,
			    &x->arg[k]);
		if (rc)
			profile_refused(x, rc);
	}
	return rc ? -1 : 0;
}

/*
 * libseccomp compiles the rules and writes the program to fd: 0, -1 when
 * it cannot be written (errno), -2 after saying which rule it refused.
 */
static int
compile(const struct rules *rs, int fd)
{
	const struct loc *l = tloc(rs->r->c, K_SEC_SECCOMP);
	scmp_filter_ctx f;
	const struct rule_rec *x;
	size_t i;
	int rc;

	if (!(f = seccomp_init(rs->p ? rs->p->def_act : SCMP_ACT_ALLOW))) {
		if (rs->p)
			key_error(&oci_loc, -1, "defaultAction: not one "
			    "libseccomp or the kernel supports");
		else
			key_error(l, K_SEC_SECCOMP, "seccomp_init: out of "
			    "memory");
		return -2;
	}
	/* nothing else of nook's own may run under the filter */
	rc = seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS);
	if (!rc)
		rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0);
	/*
	 * A binary tree of the system call numbers, not a list: loading it
	 * costs the kernel less (it runs the filter once per call number for
	 * its cache of constant answers), as does every call the container
	 * makes.  A libseccomp without it (before 2.5) makes the list.
	 */
	if (!rc)
		seccomp_attr_set(f, SCMP_FLTATR_CTL_OPTIMIZE, NOOK_SC_OPTIMIZE);
	if (!rc && rs->p)
		rc = profile_rules(rs->p, f);
	for (i = 0; !rc && !rs->p && i < rs->n; i++) {
		x = &rs->v[i];
		rc = seccomp_rule_add_array(f, x->act, x->nr, x->ncmp, &x->cmp);
		/* every rule must reach the filter: libseccomp refuses
		 * some (two comparisons of one argument, say), and a rule
		 * left out would silently weaken it */
		if (rc == -EEXIST)
			rc = 0;
		else if (rc)
			refused(l, x->nr, rc);
	}
	if (rc) {
		rc = -2;
	} else if ((rc = seccomp_export_bpf(f, fd))) {
		errno = rc == -ECANCELED || rc >= 0 ? EIO : -rc;
		rc = -1;
	}
	seccomp_release(f);
	return rc;
}

/* The program libseccomp wrote to the memfd fd, as prog. */
static int
take_prog(int fd, struct sock_fprog *prog)
{
	const size_t ins = sizeof(struct sock_filter);
	struct stat st;
	unsigned char *buf;

	if (fstat(fd, &st))
		return -1;
	if (st.st_size <= 0 || (size_t)st.st_size % ins ||
	    (size_t)st.st_size / ins > BPF_MAXINSNS)
		return errno = EIO, -1;
	buf = xcalloc(1, (size_t)st.st_size);
	if (read_at(fd, buf, (size_t)st.st_size, 0)) {
		free(buf);
		return errno = EIO, -1;
	}
	prog->filter = (struct sock_filter *)(void *)buf;
	prog->len = (unsigned short)((size_t)st.st_size / ins);
	return 0;
}

/* All of len bytes, or -1. */
static int
write_all(int fd, const void *p, size_t len)
{
	ssize_t n;

	for (; len; len -= (size_t)n, p = (const char *)p + n)
		if ((n = write(fd, p, len)) <= 0)
			return n == 0 ? (errno = EIO, -1) : -1;
	return 0;
}

/*
 * Keep prog under name: the key, the program and its checksum written to
 * a file no one sees until it is whole (O_TMPFILE), linked under a name
 * of its own, then renamed over name.
 */
static void
keep(int dir, const char *name, const unsigned char *key, size_t klen,
    const struct sock_fprog *prog)
{
	size_t n = prog->len * sizeof(struct sock_filter);
	uint64_t sum = key_hash((const void *)prog->filter, n);
	char self[32], tmp[64];
	int fd = openat(dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	if (fd < 0 || write_all(fd, key, klen) || write_all(fd, prog->filter,
	    n) || write_all(fd, &sum, sizeof(sum)) || linkat(AT_FDCWD, self,
	    dir, tmp, AT_SYMLINK_FOLLOW) || renameat(dir, tmp, dir, name)) {
		nook_info("%s: cannot keep the filter: %s",
		    key_label(K_SEC_SECCOMP), strerror(errno));
		unlinkat(dir, tmp, 0);
	} else {
		nook_info("%s: filter compiled and kept as %s",
		    key_label(K_SEC_SECCOMP), name);
	}
	if (fd >= 0)
		close(fd);
}

/*
 * Compile in memory (a memfd: libseccomp writes to a descriptor), then
 * keep it in the cache dir if there is one.
 */
static int
compile_store(const struct rules *rs, int dir, const char *name,
    const unsigned char *key, size_t klen, struct sock_fprog *prog)
{
	int fd = memfd_create("nook-seccomp", MFD_CLOEXEC), rc = -1;

	if (fd >= 0 && (rc = compile(rs, fd)) == 0)
		rc = take_prog(fd, prog);
	if (rc == -1)
		fprintf(stderr, "nook: %s: compile the filter: %s\n",
		    key_label(K_SEC_SECCOMP), strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc == 0 && dir >= 0)
		keep(dir, name, key, klen, prog);
	return rc ? -1 : 0;
}

/*
 * The filter, made on the host before the clone: from the cache when it
 * holds one for the same key (cache set), else compiled (and kept).
 */
static int
make_filter(struct run *r, int cache, struct sock_fprog *prog)
{
	struct rules rs = { .r = r, .p = r->t->sc_profile };
	unsigned char *key = NULL;
	char name[32];
	size_t klen;
	int dir = -1, rc = -1;

	prog->len = 0;
	prog->filter = NULL;
	if (!rs.p && r->t->seccomp != SECCOMP_DEFAULT && !r->t->block_tiocsti)
		return 0;
	/* a profile given whole (linux.seccomp) is all of the filter */
	if (!rs.p && make_rules(&rs))
		goto out;
	klen = make_key(&rs, &key);
	snprintf(name, sizeof(name), "%016llx.bpf", key_hash(key, klen));
	if (cache && (dir = cache_dir()) >= 0 &&
	    !cache_load(dir, name, key, klen, prog)) {
		nook_info("%s: filter from the cache (%s)",
		    key_label(K_SEC_SECCOMP), name);
		rc = 0;
		goto out;
	}
	rc = compile_store(&rs, dir, name, key, klen, prog);
out:
	if (dir >= 0)
		close(dir);
	free(key);
	free(rs.v);
	return rc;
}

int
sec_prepare_seccomp(struct run *r)
{
	r->seccomp = xcalloc(1, sizeof(*r->seccomp));
	return make_filter(r, 1, r->seccomp);
}

/*
 * Installed last, right before exec, as libseccomp would (seccomp(2)
 * without flags but a profile's; no_new_privs is sec_apply_caps()'
 * business).  Unknown architectures (x32 on x86_64 among them, unless a
 * profile lists it) are killed; denied calls fail with EPERM (or kill,
 * or are logged, per seccomp_action; a profile says its own).  Without a
 * filter made on the host (nook exec, inside the container's mounts) it
 * is compiled here, never taken from a cache.
 */
void
sec_apply_seccomp(struct run *r)
{
	const struct sc_profile *p = r->t->sc_profile;
	struct sock_fprog own, *prog = r->seccomp;

	if (!prog && make_filter(r, 0, prog = &own))
		child_fail(r, tloc(r->c, K_SEC_SECCOMP), K_SEC_SECCOMP, 0,
		    "make the seccomp filter");
	if (prog->len && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    p ? p->flags : 0, prog)) {
		if (p)
			child_fail(r, NULL, -1, errno, "linux.seccomp: load "
			    "the seccomp filter");
		child_fail(r, tloc(r->c, K_SEC_SECCOMP), K_SEC_SECCOMP, errno,
		    "load the seccomp filter");
	}
}

/* Give back what sec_apply_caps() held for loading the filter. */
void
sec_release_admin(struct run *r)
{
	if (r->t->no_new_privs || ((r->t->caps >> CAP_SYS_ADMIN) & 1))
		return;
	if (!set_caps(r->t->caps, r->t->caps_ambient & r->t->caps))
		return;
	if (r->t->sc_profile)	/* a profile that does not allow capset */
		child_fail(r, NULL, -1, errno, "linux.seccomp: drop "
		    "CAP_SYS_ADMIN, held to load the filter without "
		    "noNewPrivileges");
	child_fail(r, tloc(r->c, K_SEC_NNP), K_SEC_NNP, errno,
	    "drop CAP_SYS_ADMIN after loading seccomp");
}
