// SPDX-License-Identifier: MIT
/*
 * What the container's process may do: resource limits, the capability
 * sets (libcap-ng), no_new_privs and the seccomp filter (libseccomp).
 * All of it runs in the child, in the order that keeps each step
 * possible: rlimits and the bounding set while still fully privileged,
 * then the ids (process.c), then the other sets, no_new_privs, seccomp.
 */
#define _GNU_SOURCE
#include <cap-ng.h>
#include <errno.h>
#include <stdio.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <unistd.h>

#include "nook.h"

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

/* While we still hold CAP_SETPCAP: nothing outside keep can come back. */
void
sec_drop_bounding(struct run *r)
{
	unsigned long long kept = r->t->caps;
	int cap;

	capng_clear(CAPNG_SELECT_BOUNDS);
	for (cap = 0; cap < 64; cap++)
		if ((kept >> cap) & 1)
			capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, cap);
	if (capng_apply(CAPNG_SELECT_BOUNDS))
		child_fail(r, tloc(r->c, K_CAP_KEEP), K_CAP_KEEP, errno,
		    "drop the bounding set");
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

	capng_clear(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT);
	/* without no_new_privs, loading seccomp needs CAP_SYS_ADMIN: hold
	 * it until sec_apply_seccomp() is done */
	if (!r->t->no_new_privs)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
		    CAP_SYS_ADMIN);
	for (cap = 0; cap < 64; cap++) {
		if ((kept >> cap) & 1)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE |
			    CAPNG_PERMITTED, cap);
		if ((amb >> cap) & 1)
			capng_update(CAPNG_ADD, CAPNG_INHERITABLE | CAPNG_AMBIENT,
			    cap);
	}
	if (capng_apply(CAPNG_SELECT_CAPS))
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

/*
 * Every rule must reach the filter: libseccomp refuses some (two
 * comparisons of one argument, say), and a rule left out silently
 * weakens the filter.
 */
static void
rule(struct run *r, scmp_filter_ctx f, uint32_t act, const char *name,
    unsigned n, const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR)
		child_fail(r, tloc(r->c, K_SEC_SECCOMP), K_SEC_SECCOMP,
		    EINVAL, "unknown system call %s", name);
	if ((rc = seccomp_rule_add_array(f, act, nr, n, cmp)) && rc != -EEXIST)
		child_fail(r, tloc(r->c, K_SEC_SECCOMP), K_SEC_SECCOMP, -rc,
		    "add a rule for %s", name);
}

static void
deny(struct run *r, scmp_filter_ctx f, uint32_t act, const char *name,
    int allowable)
{
	if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR ||
	    (allowable && allowed(r, name)))
		return;		/* not on this architecture, or allowed */
	rule(r, f, act, name, 0, NULL);
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
deny_personality(struct run *r, scmp_filter_ctx f, uint32_t act)
{
	const uint64_t free_bits = 0x20008, ring_bits = 0xffffffffULL &
	    ~free_bits;
	struct scmp_arg_cmp c;
	int ring[32], n = 0, b, i;
	uint64_t set, clear;

	c = SCMP_A0_64(SCMP_CMP_GT, 0xffffffffULL);
	rule(r, f, act, "personality", 1, &c);
	for (b = 0; b < 32; b++)
		if ((ring_bits >> b) & 1)
			ring[n++] = b;
	for (i = 0; i < n; i++) {
		set = 1ULL << ring[i];
		clear = 1ULL << ring[(i + 1) % n];
		c = SCMP_A0_64(SCMP_CMP_MASKED_EQ, set | clear, set);
		rule(r, f, act, "personality", 1, &c);
	}
	for (b = 0; b < 32; b++)
		if ((free_bits >> b) & 1) {
			c = SCMP_A0_64(SCMP_CMP_MASKED_EQ,
			    ring_bits | 1ULL << b, ring_bits);
			rule(r, f, act, "personality", 1, &c);
		}
}

/*
 * No new user namespace: its root may reach kernel code that trusts
 * CAP_SYS_ADMIN.  These fail even with seccomp_action = log, which is
 * meant for finding the calls a program needs, not for opening this.
 */
static void
deny_userns(struct run *r, scmp_filter_ctx f, uint32_t act)
{
	struct scmp_arg_cmp c = SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER,
	    CLONE_NEWUSER);

	if (act == SCMP_ACT_LOG)
		act = SCMP_ACT_ERRNO(EPERM);
	rule(r, f, act, "unshare", 1, &c);
	rule(r, f, act, "clone", 1, &c);
	/* clone3's flags sit in memory a filter cannot read: make libc
	 * fall back to clone, as Docker does */
	rule(r, f, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
}

/*
 * seccomp_deny = NAME.  With seccomp_action = log, a rule for every call
 * of unshare, clone or clone3 would replace the user-namespace rules,
 * which must keep failing: log only the calls those let through.
 */
static void
deny_extra(struct run *r, scmp_filter_ctx f, uint32_t act, const char *name,
    int userns)
{
	struct scmp_arg_cmp c = SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER,
	    0);

	if (!userns || act != SCMP_ACT_LOG || (strcmp(name, "unshare") &&
	    strcmp(name, "clone") && strcmp(name, "clone3")))
		deny(r, f, act, name, 0);
	else if (strcmp(name, "clone3"))
		rule(r, f, act, name, 1, &c);
}

static void
add_rules(struct run *r, scmp_filter_ctx f, uint32_t act)
{
	unsigned long long kept = r->t->caps;
	const struct int_list *extra = &r->t->seccomp_deny;
	struct scmp_arg_cmp c;
	int userns = 0;
	size_t i;
	char *name;

	for (i = 0; i < sizeof(default_deny) / sizeof(default_deny[0]); i++)
		deny(r, f, act, default_deny[i], 1);
	for (i = 0; i < sizeof(cap_calls) / sizeof(cap_calls[0]); i++)
		if (!((kept >> cap_calls[i].cap) & 1))
			deny(r, f, act, cap_calls[i].name, 1);
	/*
	 * reboot, but for RB_DISABLE_CAD: nook-init's probe for "am I the
	 * machine's PID 1", which fails harmlessly in a container.
	 */
	if (!allowed(r, "reboot")) {
		c = SCMP_A2_32(SCMP_CMP_NE, RB_DISABLE_CAD);
		rule(r, f, act, "reboot", 1, &c);
	}
	if (!allowed(r, "personality"))
		deny_personality(r, f, act);
	if (!r->t->nested_userns && !allowed(r, "unshare")) {
		deny_userns(r, f, act);
		userns = 1;
	}
	for (i = 0; i < extra->n; i++) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
		    extra->v[i]);
		if (!name)
			child_fail(r, tloc(r->c, K_SEC_DENY), K_SEC_DENY, ENOMEM,
			    "name system call %d", extra->v[i]);
		deny_extra(r, f, act, name, userns);
		free(name);
	}
}

/*
 * The kernel reads an ioctl request as an int, so 1 << 32 | TIOCSTI is
 * TIOCSTI too: mask to the low 32 bits (SCMP_A1_32 would still compare
 * all 64).
 */
static void
deny_tiocsti(struct run *r, scmp_filter_ctx f)
{
	struct scmp_arg_cmp c;

	c = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCSTI);
	rule(r, f, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &c);
	c = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCLINUX);
	rule(r, f, SCMP_ACT_ERRNO(EPERM), "ioctl", 1, &c);
}

/*
 * Installed last, right before exec.  Unknown architectures (x32 on
 * x86_64 among them) are killed; denied calls fail with EPERM (or kill,
 * or are logged, per seccomp_action).
 */
void
sec_apply_seccomp(struct run *r)
{
	static const uint32_t acts[] = {
		[SECCOMP_ERRNO] = SCMP_ACT_ERRNO(EPERM),
		[SECCOMP_KILL] = SCMP_ACT_KILL_PROCESS,
		[SECCOMP_LOG] = SCMP_ACT_LOG };
	uint32_t act = acts[r->t->seccomp_action];
	int full = r->t->seccomp == SECCOMP_DEFAULT;
	int tiocsti = r->t->block_tiocsti;
	scmp_filter_ctx f;
	int rc;

	if (!full && !tiocsti)
		return;
	/* nothing else of nook's own may run under the filter */
	if (!(f = seccomp_init(SCMP_ACT_ALLOW)))
		child_fail(r, NULL, K_SEC_SECCOMP, ENOMEM, "seccomp_init");
	if ((rc = seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) ||
	    (rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0)))
		child_fail(r, tloc(r->c, K_SEC_SECCOMP), K_SEC_SECCOMP, -rc,
		    "set up the seccomp filter");
	if (full)
		add_rules(r, f, act);
	if (tiocsti)
		deny_tiocsti(r, f);
	if ((rc = seccomp_load(f)))
		child_fail(r, tloc(r->c, K_SEC_SECCOMP), K_SEC_SECCOMP, -rc,
		    "load the seccomp filter");
	seccomp_release(f);
}

/* Give back what sec_apply_caps() held for loading the filter. */
void
sec_release_admin(struct run *r)
{
	if (r->t->no_new_privs || ((r->t->caps >> CAP_SYS_ADMIN) & 1))
		return;
	capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	    CAP_SYS_ADMIN);
	if (capng_apply(CAPNG_SELECT_CAPS))
		child_fail(r, tloc(r->c, K_SEC_NNP), K_SEC_NNP, errno,
		    "drop CAP_SYS_ADMIN after loading seccomp");
}
