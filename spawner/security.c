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
	struct rlimit_spec rs;
	struct rlimit rl;
	const char *why;
	int k;

	for (k = K_RL_FIRST; k <= K_RL_LAST; k++) {
		if (rlimit_parse(k, cfg_str(r->c, k), &rs, &why) || rs.inherit)
			continue;
		rl.rlim_cur = rs.soft;
		rl.rlim_max = rs.hard;
		if (prlimit(r->pid, rs.resource, &rl, NULL)) {
			fprintf(stderr, "nook: %s: setrlimit %s: %s\n",
			    key_label(k), cfg_str(r->c, k), strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* While we still hold CAP_SETPCAP: nothing outside keep can come back. */
void
sec_drop_bounding(struct run *r)
{
	unsigned long long kept = sec_caps_kept(r->c);
	int cap;

	capng_clear(CAPNG_SELECT_BOUNDS);
	for (cap = 0; cap < 64; cap++)
		if ((kept >> cap) & 1)
			capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, cap);
	if (capng_apply(CAPNG_SELECT_BOUNDS))
		child_fail(r, cfg_loc(r->c, K_CAP_KEEP), K_CAP_KEEP, errno,
		    "drop the bounding set");
}

/*
 * After the ids changed (with keep-caps): effective and permitted are
 * keep, inheritable and ambient exactly the ambient list.
 */
void
sec_apply_caps(struct run *r)
{
	unsigned long long kept = sec_caps_kept(r->c), amb = 0;
	char **names = cfg_list(r->c, K_CAP_AMBIENT);
	const char *bad;
	int cap;

	sec_cap_names(names, &amb, &bad);
	free_strv(names);
	amb &= kept;
	capng_clear(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT);
	/* without no_new_privs, loading seccomp needs CAP_SYS_ADMIN: hold
	 * it until sec_apply_seccomp() is done */
	if (!cfg_bool(r->c, K_SEC_NNP))
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
		child_fail(r, cfg_loc(r->c, K_CAP_KEEP), K_CAP_KEEP, errno,
		    "set the capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno !=
	    EINVAL)
		child_fail(r, cfg_loc(r->c, K_CAP_AMBIENT), K_CAP_AMBIENT, errno,
		    "clear the ambient set");
	for (cap = 0; cap < 64; cap++)
		if (((amb >> cap) & 1) && prctl(PR_CAP_AMBIENT,
		    PR_CAP_AMBIENT_RAISE, cap, 0, 0))
			child_fail(r, cfg_loc(r->c, K_CAP_AMBIENT), K_CAP_AMBIENT,
			    errno, "raise %s", capng_capability_to_name(cap));
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (cfg_bool(r->c, K_SEC_NNP) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		child_fail(r, cfg_loc(r->c, K_SEC_NNP), K_SEC_NNP, errno,
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
};
/* Denied unless CAP_SYS_ADMIN is kept. */
static const char *const mount_calls[] = {
	"mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig",
	"fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
};

static int
in_list(char **list, const char *name)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (!strcmp(list[i], name))
			return 1;
	return 0;
}

static void
deny(struct run *r, scmp_filter_ctx f, uint32_t act, const char *name,
    char **allow)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR || in_list(allow, name))
		return;		/* not on this architecture, or allowed */
	if ((rc = seccomp_rule_add(f, act, nr, 0)) && rc != -EEXIST)
		child_fail(r, cfg_loc(r->c, K_SEC_SECCOMP), K_SEC_SECCOMP, -rc,
		    "add a rule for %s", name);
}

static void
add_rules(struct run *r, scmp_filter_ctx f, uint32_t act)
{
	char **extra = cfg_list(r->c, K_SEC_DENY);
	char **allow = cfg_list(r->c, K_SEC_ALLOW);
	size_t i;

	for (i = 0; i < sizeof(default_deny) / sizeof(default_deny[0]); i++)
		deny(r, f, act, default_deny[i], allow);
	/*
	 * reboot, but for RB_DISABLE_CAD: nook-init's probe for "am I the
	 * machine's PID 1", which fails harmlessly in a container.
	 */
	if (!in_list(allow, "reboot"))
		seccomp_rule_add(f, act, SCMP_SYS(reboot), 1,
		    SCMP_A2_32(SCMP_CMP_NE, RB_DISABLE_CAD));
	if (!((sec_caps_kept(r->c) >> CAP_SYS_ADMIN) & 1))
		for (i = 0; i < sizeof(mount_calls) / sizeof(mount_calls[0]); i++)
			deny(r, f, act, mount_calls[i], allow);
	if (!cfg_bool(r->c, K_SEC_NESTED_USERNS) && !in_list(allow, "unshare")) {
		seccomp_rule_add(f, act, SCMP_SYS(unshare), 1,
		    SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
		seccomp_rule_add(f, act, SCMP_SYS(clone), 1,
		    SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
		/* clone3's flags sit in memory a filter cannot read: make libc
		 * fall back to clone, as Docker does */
		seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	}
	for (i = 0; extra[i]; i++)
		deny(r, f, act, extra[i], (char *[]){ NULL });
	free_strv(extra);
	free_strv(allow);
}

/*
 * Installed last, right before exec.  Unknown architectures (x32 on
 * x86_64 among them) are killed; denied calls fail with EPERM (or kill,
 * or are logged, per seccomp_action).
 */
void
sec_apply_seccomp(struct run *r)
{
	static const uint32_t acts[] = { SCMP_ACT_ERRNO(EPERM),
		SCMP_ACT_KILL_PROCESS, SCMP_ACT_LOG };
	uint32_t act = acts[cfg_enum(r->c, K_SEC_ACTION)];
	int full = cfg_enum(r->c, K_SEC_SECCOMP) == 0;
	int tiocsti = cfg_bool(r->c, K_SEC_TIOCSTI);
	scmp_filter_ctx f;
	int rc;

	if (!full && !tiocsti)
		return;
	/* nothing else of nook's own may run under the filter */
	if (!(f = seccomp_init(SCMP_ACT_ALLOW)))
		child_fail(r, NULL, K_SEC_SECCOMP, ENOMEM, "seccomp_init");
	seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0);
	if (full)
		add_rules(r, f, act);
	if (tiocsti) {
		/*
		 * The kernel reads the request as an int, so 1 << 32 | TIOCSTI
		 * is TIOCSTI too: mask to the low 32 bits (SCMP_A1_32 would
		 * still compare all 64).
		 */
		seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
		    SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCSTI));
		seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
		    SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCLINUX));
	}
	if ((rc = seccomp_load(f)))
		child_fail(r, cfg_loc(r->c, K_SEC_SECCOMP), K_SEC_SECCOMP, -rc,
		    "load the seccomp filter");
	seccomp_release(f);
}

/* Give back what sec_apply_caps() held for loading the filter. */
void
sec_release_admin(struct run *r)
{
	if (cfg_bool(r->c, K_SEC_NNP) ||
	    ((sec_caps_kept(r->c) >> CAP_SYS_ADMIN) & 1))
		return;
	capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	    CAP_SYS_ADMIN);
	if (capng_apply(CAPNG_SELECT_CAPS))
		child_fail(r, cfg_loc(r->c, K_SEC_NNP), K_SEC_NNP, errno,
		    "drop CAP_SYS_ADMIN after loading seccomp");
}
