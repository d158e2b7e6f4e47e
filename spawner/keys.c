// SPDX-License-Identifier: MIT
/*
 * The key table - every section and key with its type, default and field
 * of the typed model - and the raw values the loader collected for each
 * key: the one source of parsing, defaults, --print-config and the man
 * page's list of keys.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>

#include "nook.h"

/* Choices, in the order of their C enums (nook.h). */
static const char *const c_bool[] = { "yes", "no", NULL };
static const char *const c_init_mode[] = { [INIT_MODE_INIT] = "init",
	[INIT_MODE_DIRECT] = "direct", NULL };
static const char *const c_tty[] = { [TTY_AUTO] = "auto", [TTY_YES] = "yes",
	[TTY_NO] = "no", NULL };
static const char *const c_overlay[] = { [OVERLAY_NONE] = "none",
	[OVERLAY_TMPFS] = "tmpfs", NULL };
static const char *const c_prop[] = { [PROP_SLAVE] = "slave",
	[PROP_PRIVATE] = "private", [PROP_SHARED] = "shared",
	[PROP_UNBINDABLE] = "unbindable", NULL };
static const char *const c_sys[] = { [SYS_RO] = "ro", [SYS_RW] = "rw",
	[SYS_NO] = "no", NULL };
static const char *const c_dev[] = { [DEV_MINIMAL] = "minimal",
	[DEV_HOST] = "host", [DEV_NONE] = "none", NULL };
static const char *const c_seccomp[] = { [SECCOMP_DEFAULT] = "default",
	[SECCOMP_NONE] = "none", NULL };
static const char *const c_cgversion[] = { [CG_AUTO] = "auto",
	[CG_V2] = "v2", [CG_V1] = "v1", NULL };
static const char *const c_cghier[] = { [CG_NEEDED] = "needed",
	[CG_ALL] = "all", NULL };
static const char *const c_netmode[] = { [NET_NONE] = "none",
	[NET_HOST] = "host", [NET_VETH] = "veth", NULL };
static const char *const c_action[] = { [SECCOMP_ERRNO] = "errno",
	[SECCOMP_KILL] = "kill", [SECCOMP_LOG] = "log", NULL };

#define OCI_MASKED "/proc/acpi\n/proc/asound\n/proc/kcore\n/proc/keys\n" \
	"/proc/latency_stats\n/proc/timer_list\n/proc/timer_stats\n" \
	"/proc/sched_debug\n/proc/scsi\n/sys/firmware\n" \
	"/sys/devices/virtual/powercap"
#define OCI_READONLY "/proc/bus\n/proc/fs\n/proc/irq\n/proc/sys\n" \
	"/proc/sysrq-trigger"
#define F(field) offsetof(struct nook_config, field)

#define RL(k, n) [k] = { "rlimits", n, T_RLIMIT, "inherit", NULL, 0, \
	F(rlimit) + ((k) - K_RL_FIRST) * sizeof(struct rlimit_spec) }

const struct key cfg_keys[K__COUNT] = {
	[K_NAME] = { "container", "name", T_NAME, NULL, NULL, 0, F(name) },
	[K_HOSTNAME] = { "container", "hostname", T_HOST, NULL, NULL, 0, F(hostname) },
	[K_DOMAINNAME] = { "container", "domainname", T_HOST, "", NULL, 0, F(domainname) },
	[K_COMMAND] = { "process", "command", T_WORDS, NULL, NULL, 0, F(command) },
	[K_CWD] = { "process", "cwd", T_ABSPATH, "/", NULL, 0, F(cwd) },
	[K_USER] = { "process", "user", T_ID, "0", NULL, 0, F(user) },
	[K_GROUP] = { "process", "group", T_ID, "", NULL, 0, F(group) },
	[K_GROUPS] = { "process", "groups", T_ID, "", NULL, KF_LIST, F(groups) },
	[K_ENV] = { "process", "env", T_ENV, "", NULL, KF_LIST, F(env) },
	[K_ENV_KEEP] = { "process", "env_keep", T_NAME, "", NULL, KF_LIST, F(env_keep) },
	[K_CLEAR_ENV] = { "process", "clear_env", T_BOOL, "yes", c_bool, 0, F(clear_env) },
	[K_UMASK] = { "process", "umask", T_OCTAL, "0022", NULL, 0, F(umask) },
	[K_OOM_SCORE_ADJ] = { "process", "oom_score_adj", T_OOMADJ, "", NULL, 0,
		F(oom_score_adj) },
	[K_NEW_SESSION] = { "process", "new_session", T_BOOL, "yes", c_bool, 0, F(new_session) },
	[K_TTY] = { "process", "tty", T_ENUM, "auto", c_tty, 0, F(tty) },
	[K_TTY_SIZE] = { "process", "tty_size", T_TTYSIZE, "", NULL, 0,
		F(tty_size) },
	[K_STOP_TIMEOUT] = { "process", "stop_timeout", T_DUR, "10s", NULL, 0, F(stop_timeout) },
	[K_SETUP_TIMEOUT] = { "process", "setup_timeout", T_DUR, "30s", NULL,
		0, F(setup_timeout) },
	[K_INIT_PATH] = { "init", "path", T_ABSPATH, NULL, NULL, 0, F(init_path) },
	[K_INIT_ARGS] = { "init", "args", T_WORDS, "", NULL, KF_LIST, F(init_args) },
	[K_INIT_MODE] = { "init", "mode", T_ENUM, "init", c_init_mode, 0, F(init_mode) },
	[K_NS_USER] = { "namespaces", "user", T_NS, "new", NULL, 0, F(ns[0]) },
	[K_NS_PID] = { "namespaces", "pid", T_NS, "new", NULL, 0, F(ns[1]) },
	[K_NS_MOUNT] = { "namespaces", "mount", T_NS, "new", NULL, 0, F(ns[2]) },
	[K_NS_NET] = { "namespaces", "net", T_NS, "new", NULL, 0, F(ns[3]) },
	[K_NS_UTS] = { "namespaces", "uts", T_NS, "new", NULL, 0, F(ns[4]) },
	[K_NS_IPC] = { "namespaces", "ipc", T_NS, "new", NULL, 0, F(ns[5]) },
	[K_NS_CGROUP] = { "namespaces", "cgroup", T_NS, "new", NULL, 0, F(ns[6]) },
	[K_NS_TIME] = { "namespaces", "time", T_NS, "new", NULL, 0, F(ns[7]) },
	[K_BOOTTIME_OFFSET] = { "time", "boottime_offset", T_SDUR, "0s",
		NULL, 0, F(boottime_offset) },
	[K_MONOTONIC_OFFSET] = { "time", "monotonic_offset", T_SDUR, "0s",
		NULL, 0, F(monotonic_offset) },
	[K_UID_MAP] = { "user", "uid_map", T_IDMAP, "auto", NULL, KF_LIST, F(uid_map) },
	[K_GID_MAP] = { "user", "gid_map", T_IDMAP, "auto", NULL, KF_LIST, F(gid_map) },
	[K_ROOT_PATH] = { "rootfs", "path", T_ABSPATH, NULL, NULL, 0, F(root_path) },
	[K_ROOT_READONLY] = { "rootfs", "readonly", T_BOOL, "yes", c_bool, 0, F(root_readonly) },
	[K_ROOT_OVERLAY] = { "rootfs", "overlay", T_ENUM, "none", c_overlay, 0, F(overlay) },
	[K_ROOT_PROPAGATION] = { "rootfs", "propagation", T_ENUM, "slave",
		c_prop, 0, F(propagation) },
	[K_FS_PROC] = { "filesystem", "proc", T_BOOL, "yes", c_bool, 0, F(proc) },
	[K_FS_SYS] = { "filesystem", "sys", T_ENUM, "ro", c_sys, 0, F(sys) },
	[K_FS_DEV] = { "filesystem", "dev", T_ENUM, "minimal", c_dev, 0, F(dev) },
	[K_FS_TMP] = { "filesystem", "tmp", T_BOOL, "yes", c_bool, 0, F(tmp) },
	[K_FS_SHM_SIZE] = { "filesystem", "shm_size", T_SIZE, "64M", NULL, 0, F(shm_size) },
	[K_FS_DEVICE] = { "filesystem", "device", T_DEVNODE, "", NULL, KF_LIST,
		F(dev_nodes) },
	[K_M_BIND] = { "mounts", "bind", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_M_BIND_RO] = { "mounts", "bind_ro", T_MOUNT, "", NULL,
		KF_LIST, F(mounts) },
	[K_M_TMPFS] = { "mounts", "tmpfs", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_M_MKDIR] = { "mounts", "mkdir", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_M_SYMLINK] = { "mounts", "symlink", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_M_FILE] = { "mounts", "file", T_MOUNT, "", NULL, KF_LIST, F(mounts) },
	[K_FS_MASK] = { "filesystem", "mask", T_ABSPATH, OCI_MASKED, NULL,
		KF_LIST, F(mask) },
	[K_FS_RO_PATH] = { "filesystem", "readonly_path", T_ABSPATH,
		OCI_READONLY, NULL, KF_LIST, F(readonly_paths) },
	[K_PASS_FD] = { "process", "pass_fd", T_FD, "", NULL, KF_LIST, F(pass_fd) },
	[K_CAP_KEEP] = { "capabilities", "keep", T_CAP, "default", NULL,
		KF_LIST, F(caps_keep) },
	[K_CAP_DROP] = { "capabilities", "drop", T_CAP, "", NULL, KF_LIST, F(caps_drop) },
	[K_CAP_AMBIENT] = { "capabilities", "ambient", T_CAP, "", NULL,
		KF_LIST, F(caps_ambient) },
	[K_SEC_NNP] = { "security", "no_new_privs", T_BOOL, "yes", c_bool, 0, F(no_new_privs) },
	[K_SEC_SECCOMP] = { "security", "seccomp", T_ENUM, "default",
		c_seccomp, 0, F(seccomp) },
	[K_SEC_DENY] = { "security", "seccomp_deny", T_SYSCALL, "", NULL,
		KF_LIST, F(seccomp_deny) },
	[K_SEC_ALLOW] = { "security", "seccomp_allow", T_SYSCALL, "", NULL,
		KF_LIST, F(seccomp_allow) },
	[K_SEC_ACTION] = { "security", "seccomp_action", T_ENUM, "errno",
		c_action, 0, F(seccomp_action) },
	[K_SEC_TIOCSTI] = { "security", "block_tiocsti", T_BOOL, "yes", c_bool,
		0, F(block_tiocsti) },
	[K_SEC_NESTED_USERNS] = { "security", "nested_userns", T_BOOL, "no",
		c_bool, 0, F(nested_userns) },
	[K_CG_MEMORY_MAX] = { "cgroup", "memory_max", T_SIZE, NULL, NULL, 0,
		F(cg_memory_max) },
	[K_CG_MEMORY_SWAP_MAX] = { "cgroup", "memory_swap_max", T_SIZE, NULL,
		NULL, 0, F(cg_memory_swap_max) },
	[K_CG_MEMORY_HIGH] = { "cgroup", "memory_high", T_SIZE, NULL, NULL, 0,
		F(cg_memory_high) },
	[K_CG_PIDS_MAX] = { "cgroup", "pids_max", T_COUNT, NULL, NULL, 0,
		F(cg_pids_max) },
	[K_CG_CPU_MAX] = { "cgroup", "cpu_max", T_CPUMAX, NULL, NULL, 0,
		F(cg_cpu_quota) },
	[K_CG_CPU_WEIGHT] = { "cgroup", "cpu_weight", T_WEIGHT, NULL, NULL, 0,
		F(cg_cpu_weight) },
	[K_CG_CPUSET_CPUS] = { "cgroup", "cpuset_cpus", T_CPUSET, NULL, NULL,
		0, F(cg_cpuset_cpus) },
	[K_CG_CPUSET_MEMS] = { "cgroup", "cpuset_mems", T_CPUSET, NULL, NULL,
		0, F(cg_cpuset_mems) },
	[K_CG_DEVICES] = { "cgroup", "devices", T_DEVRULE, "", NULL, KF_LIST,
		F(cg_devices) },
	[K_CG_PARENT] = { "cgroup", "parent", T_CGPATH, NULL, NULL, 0,
		F(cg_parent) },
	[K_CG_NAME] = { "cgroup", "name", T_NAME, NULL, NULL, 0, F(cg_name) },
	[K_CG_VERSION] = { "cgroup", "version", T_ENUM, "auto", c_cgversion, 0,
		F(cg_version) },
	[K_CG_HIERARCHIES] = { "cgroup", "hierarchies", T_ENUM, "needed",
		c_cghier, 0, F(cg_hierarchies) },
	[K_CG_DELEGATE] = { "cgroup", "delegate", T_BOOL, "no", c_bool, 0,
		F(cg_delegate) },
	[K_NET_MODE] = { "network", "mode", T_ENUM, "none", c_netmode, 0,
		F(net_mode) },
	[K_NET_INTERFACE] = { "network", "interface", T_IFNAME, "eth0", NULL,
		0, F(net_interface) },
	[K_NET_ADDRESS] = { "network", "address", T_CIDR, "", NULL, KF_LIST,
		F(net_address) },
	[K_NET_GATEWAY] = { "network", "gateway", T_IP, "", NULL, KF_LIST,
		F(net_gateway) },
	[K_NET_MTU] = { "network", "mtu", T_MTU, NULL, NULL, 0, F(net_mtu) },
	[K_NET_BRIDGE] = { "network", "bridge", T_IFNAME, NULL, NULL, 0,
		F(net_bridge) },
	[K_NET_HOST_ADDRESS] = { "network", "host_address", T_CIDR, "", NULL,
		KF_LIST, F(net_host_address) },
	[K_NET_DNS] = { "network", "dns", T_IP, "", NULL, KF_LIST,
		F(net_dns) },
	[K_NET_DNS_SEARCH] = { "network", "dns_search", T_DOMAIN, "", NULL,
		KF_LIST, F(net_dns_search) },
	[K_NET_HOSTS] = { "network", "hosts", T_HOSTS, "", NULL, KF_LIST,
		F(net_hosts) },
	RL(K_RL_FIRST + 0, "as"), RL(K_RL_FIRST + 1, "core"),
	RL(K_RL_FIRST + 2, "cpu"), RL(K_RL_FIRST + 3, "data"),
	RL(K_RL_FIRST + 4, "fsize"), RL(K_RL_FIRST + 5, "locks"),
	RL(K_RL_FIRST + 6, "memlock"), RL(K_RL_FIRST + 7, "msgqueue"),
	RL(K_RL_FIRST + 8, "nice"), RL(K_RL_FIRST + 9, "nofile"),
	RL(K_RL_FIRST + 10, "nproc"), RL(K_RL_FIRST + 11, "rss"),
	RL(K_RL_FIRST + 12, "rtprio"), RL(K_RL_FIRST + 13, "rttime"),
	RL(K_RL_FIRST + 14, "sigpending"), RL(K_RL_FIRST + 15, "stack"),
};

const char *const cfg_sections[] = { "container", "process", "init",
	"namespaces", "user", "time", "rootfs", "filesystem", "mounts",
	"capabilities", "security", "cgroup", "network", "sysctl", "rlimits" };
const size_t cfg_nsections = sizeof(cfg_sections) / sizeof(cfg_sections[0]);

/*
 * A failure of the parent during a start, in the shape of a config error:
 * "nook: web.ini:3: [user] uid_map: why" (l NULL: a default, no place).
 */
void
key_error(const struct loc *l, int k, const char *fmt, ...)
{
	va_list ap;

	fputs("nook: ", stderr);
	if (l && l->file && l->line > 0)
		fprintf(stderr, "%s:%d: ", l->file, l->line);
	else if (l && l->file)
		fprintf(stderr, "%s: ", l->file);
	if (k >= 0)
		fprintf(stderr, "%s: ", key_label(k));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
key_label(int k)
{
	static char buf[K__COUNT][48];

	if (!buf[k][0])
		snprintf(buf[k], sizeof(buf[k]), "[%s] %s", cfg_keys[k].sec,
		    cfg_keys[k].name);
	return buf[k];
}

int
find_section(const char *sec)
{
	size_t i;

	for (i = 0; i < cfg_nsections; i++)
		if (!strcmp(sec, cfg_sections[i]))
			return (int)i;
	return -1;
}

int
find_key(const char *sec, const char *name)
{
	int k;

	for (k = 0; k < K__COUNT; k++)
		if (!strcmp(cfg_keys[k].sec, sec) && !strcmp(cfg_keys[k].name, name))
			return k;
	return -1;
}

int
ns_type_of(int k)
{
	static const int types[NS_COUNT] = { CLONE_NEWUSER, CLONE_NEWPID,
		CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC,
		CLONE_NEWCGROUP, CLONE_NEWTIME };

	return types[k - NS_FIRST];
}

const char *
cfg_str(const struct cfg *c, int k)
{
	static char name[65], host[65], init_path[4096];
	const char *base, *p;
	size_t n;

	if (c->e[k].n)
		return c->e[k].v[0].s;
	switch (k) {
	case K_NAME:
		base = strrchr(c->file, '/') ? strrchr(c->file, '/') + 1 : c->file;
		n = strlen(base);
		if (n > 4 && !strcmp(base + n - 4, ".ini"))
			n -= 4;
		if (n > 64)
			n = 64;
		for (p = base; (size_t)(p - base) < n; p++)
			name[p - base] = strchr("-_.", *p) ||
			    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') ? *p : '-';
		name[n] = 0;
		return n ? name : "nook";
	case K_HOSTNAME:	/* the name, in host-name characters */
		base = cfg_str(c, K_NAME);
		base += strspn(base, "-.");
		snprintf(host, sizeof(host), "%s", *base ? base : "nook");
		for (n = 0; host[n]; n++)
			if (host[n] == '_')
				host[n] = '-';
		return host;
	case K_INIT_PATH:
		snprintf(init_path, sizeof(init_path), "%s/nook-init",
		    c->self_dir);
		return init_path;
	}
	return cfg_keys[k].def;
}

/*
 * A value with its continuation lines joined by blanks, so quotes may span
 * lines.  *i moves past the lines used.
 */
char *
joined_value(const struct ent *e, size_t *i)
{
	char *s = xstrdup(e->v[*i].s), *n;

	while (*i + 1 < e->n && e->v[*i + 1].cont) {
		n = xasprintf("%s %s", s, e->v[++*i].s);
		free(s);
		s = n;
	}
	return s;
}

/* All words of a word key (continuation lines included), NULL-ended. */
char **
cfg_words(const struct cfg *c, int k)
{
	const char *why;
	char **argv = NULL, *s;
	size_t argc = 0, i;

	if (!c->e[k].set && cfg_keys[k].def)
		parse_words(cfg_keys[k].def, &argv, &argc, &why);
	for (i = 0; i < c->e[k].n; i++) {
		s = joined_value(&c->e[k], &i);
		parse_words(s, &argv, &argc, &why);
		free(s);
	}
	if (!argv)
		argv = xcalloc(1, sizeof(char *));
	return argv;
}

/* The items of a list key (its default unless set), NULL-ended. */
char **
cfg_list(const struct cfg *c, int k)
{
	char **v;
	size_t i;

	if (!c->e[k].set) {	/* a default list is one item a line */
		const char *d = cfg_keys[k].def ? cfg_keys[k].def : "", *nl;

		v = xcalloc(strlen(d) + 2, sizeof(char *));
		for (i = 0; *d; i++, d = *nl ? nl + 1 : nl) {
			nl = strchrnul(d, '\n');
			v[i] = strndup(d, nl - d);
		}
		return v;
	}
	v = xcalloc(c->e[k].n + 1, sizeof(char *));
	for (i = 0; i < c->e[k].n; i++)
		v[i] = xstrdup(c->e[k].v[i].s);
	return v;
}
