/* SPDX-License-Identifier: MIT */
/* nook: shared declarations of the spawner. */
#ifndef NOOK_H
#define NOOK_H

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#define EXIT_NOOK 125

/*
 * nook's standard error: the C library's, or what nook-oci --log puts
 * in its place (a tee into the log).  A pointer of our own, since musl's
 * stderr cannot be assigned; perror() goes the same way.
 */
extern FILE *nook_stderr;
#undef stderr
#define stderr (nook_stderr ? nook_stderr : (stderr))
void nook_perror(const char *what);
#define perror(what) nook_perror(what)
#ifndef __GLIBC__
/* musl's words for a few errors are not the ones people know: errno(3)'s */
char *nook_strerror(int e);
#define strerror(e) nook_strerror(e)
#endif

/* Where a value came from: "web.ini":12, or "--set":0. */
struct loc {
	const char *file;
	int line;
};

struct val {
	char *s;
	struct loc loc;
	int cont;		/* a continuation line of the previous value */
};

enum ktype {
	T_NAME, T_HOST, T_BOOL, T_SIZE, T_DUR, T_SDUR, T_ENUM,
	T_WORDS, T_LIST, T_ENV, T_OCTAL, T_ABSPATH, T_ID, T_NS, T_IDMAP,
	T_MOUNT, T_CAP, T_SYSCALL, T_RLIMIT, T_FD, T_OOMADJ, T_TTYSIZE,
	T_COUNT, T_WEIGHT, T_CPUMAX, T_CPUSET, T_CGPATH,	/* [cgroup] */
	T_DEVRULE, T_DEVNODE,	/* [cgroup] devices, [filesystem] device */
	T_IFNAME, T_CIDR, T_IP, T_MTU, T_DOMAIN, T_HOSTS	/* [network] */
};

#define OOM_ADJ_NONE (-1001)	/* [process] oom_score_adj not given */
#define KF_LIST 1	/* R: repeated values append, empty clears */

enum key_id {
	K_NAME, K_HOSTNAME, K_DOMAINNAME,
	K_COMMAND, K_CWD, K_USER, K_GROUP, K_GROUPS, K_ENV, K_ENV_KEEP,
	K_CLEAR_ENV, K_UMASK, K_OOM_SCORE_ADJ, K_NEW_SESSION, K_TTY, K_TTY_SIZE, K_STOP_TIMEOUT,
	K_SETUP_TIMEOUT,
	K_INIT_PATH, K_INIT_ARGS, K_INIT_MODE,
	K_NS_USER, K_NS_PID, K_NS_MOUNT, K_NS_NET, K_NS_UTS, K_NS_IPC,
	K_NS_CGROUP, K_NS_TIME, K_BOOTTIME_OFFSET, K_MONOTONIC_OFFSET,
	K_UID_MAP, K_GID_MAP,
	K_ROOT_PATH, K_ROOT_READONLY, K_ROOT_OVERLAY, K_ROOT_PROPAGATION,
	K_FS_PROC, K_FS_SYS, K_FS_DEV, K_FS_TMP, K_FS_SHM_SIZE, K_FS_DEVICE,
	K_M_BIND, K_M_BIND_RO, K_M_TMPFS, K_M_MKDIR, K_M_SYMLINK, K_M_FILE,
	K_FS_MASK, K_FS_RO_PATH, K_PASS_FD,
	K_CAP_KEEP, K_CAP_DROP, K_CAP_AMBIENT,
	K_SEC_NNP, K_SEC_SECCOMP, K_SEC_DENY, K_SEC_ALLOW, K_SEC_ACTION,
	K_SEC_TIOCSTI, K_SEC_NESTED_USERNS,
	K_CG_MEMORY_MAX, K_CG_MEMORY_SWAP_MAX, K_CG_MEMORY_HIGH, K_CG_PIDS_MAX,
	K_CG_CPU_MAX, K_CG_CPU_WEIGHT, K_CG_CPUSET_CPUS, K_CG_CPUSET_MEMS,
	K_CG_DEVICES,
	K_CG_PARENT, K_CG_NAME, K_CG_VERSION, K_CG_HIERARCHIES, K_CG_DELEGATE,
	K_NET_MODE, K_NET_INTERFACE, K_NET_ADDRESS, K_NET_GATEWAY, K_NET_MTU,
	K_NET_BRIDGE, K_NET_HOST_ADDRESS, K_NET_DNS, K_NET_DNS_SEARCH,
	K_NET_HOSTS,
	K_RL_FIRST,
	K_RL_LAST = K_RL_FIRST + 15,
	K__COUNT
};
#define NS_FIRST K_NS_USER
#define NS_COUNT 8

/* ---- the typed model: every value parsed once, at load ---- */

/* The choices of each enumerated key, in this order (config.c). */
enum init_mode { INIT_MODE_INIT, INIT_MODE_DIRECT };
enum tty_mode { TTY_AUTO, TTY_YES, TTY_NO };
enum overlay_mode { OVERLAY_NONE, OVERLAY_TMPFS };
enum propagation { PROP_SLAVE, PROP_PRIVATE, PROP_SHARED, PROP_UNBINDABLE };
enum sys_mode { SYS_RO, SYS_RW, SYS_NO };
enum dev_mode { DEV_MINIMAL, DEV_HOST, DEV_NONE };
enum seccomp_mode { SECCOMP_DEFAULT, SECCOMP_NONE };
enum seccomp_action { SECCOMP_ERRNO, SECCOMP_KILL, SECCOMP_LOG };
enum ns_mode { NS_NEW, NS_HOST, NS_JOIN };
enum map_kind { MAP_AUTO, MAP_IDENTITY, MAP_RANGES };
enum cg_version { CG_AUTO, CG_V2, CG_V1 };
enum cg_hierarchies { CG_NEEDED, CG_ALL };
enum net_mode { NET_NONE, NET_HOST, NET_VETH };

/* An IPv4 or IPv6 address with its prefix length (all bits for a host). */
struct ip_addr {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char a[16];
	int prefix;
};

struct ip_list {
	struct ip_addr *v;
	size_t n;
};

/* A [sysctl] entry: a namespaced kernel parameter and its value. */
struct sysctl_ent {
	const char *name, *value;
	struct loc loc;
};

struct idmap {
	unsigned long long inside, outside, count;
	struct loc loc;		/* of its [user] line */
};

struct ns_spec {
	enum ns_mode mode;
	const char *path;	/* NS_JOIN */
};

#define MAX_RANGES 5		/* in a map; more are stored to be refused */
struct idmap_spec {
	enum map_kind kind;
	struct idmap range[64];
	size_t n;
	int specials;		/* items auto or identity */
};

/* A user or group: digits are an id, anything else a name. */
struct id_spec {
	const char *name;	/* as given; "" for none */
	int numeric;
	unsigned long long id;
};

/* One [rlimits] value: kernel resource, soft and hard (RLIM_INFINITY ok). */
struct rlimit_spec {
	int resource;
	int inherit;
	unsigned long long soft, hard;
};

struct mnt_spec;

/* A [cgroup] devices rule: type 'a', 'c' or 'b'; -1 is any number. */
struct dev_rule {
	int allow;
	char type;
	long long major, minor;
	unsigned access;	/* DEV_READ | DEV_WRITE | DEV_MKNOD */
};
enum { DEV_READ = 1, DEV_WRITE = 2, DEV_MKNOD = 4 };

struct dev_rules {
	struct dev_rule *v;
	size_t n;
};

/* A [filesystem] device: a node made in the container's /dev. */
struct dev_node {
	char path[256];		/* absolute, below /dev */
	char type;		/* 'c', 'b' or 'p' */
	unsigned major, minor, mode;
	unsigned long long uid, gid;	/* inside the container */
	struct loc loc;
};

struct dev_nodes {
	struct dev_node *v;
	size_t n;
};

struct int_list {
	int *v;
	size_t n;
};

struct nook_config {
	const char *name, *hostname, *domainname;
	char **command;
	const char *cwd;
	struct id_spec user, group;
	struct id_spec *groups;		/* ngroups of them */
	size_t ngroups;
	char **env, **env_keep;
	int clear_env, new_session;
	int tty;				/* enum tty_mode */
	unsigned tty_size[2];			/* rows, columns; 0: nook's */
	unsigned umask;
	long long oom_score_adj;			/* OOM_ADJ_NONE: leave it */
	long long stop_timeout, setup_timeout;		/* ms */
	const char *init_path;
	char **init_args;
	int init_mode;				/* enum init_mode */
	struct ns_spec ns[8];
	long long boottime_offset, monotonic_offset;	/* ms */
	struct idmap_spec uid_map, gid_map;
	const char *root_path;
	int root_readonly;
	int overlay;				/* enum overlay_mode */
	int propagation;			/* enum propagation */
	int proc, tmp;
	int sys;				/* enum sys_mode */
	int dev;				/* enum dev_mode */
	long long shm_size;			/* bytes; -1: max */
	struct dev_nodes dev_nodes;		/* [filesystem] device */
	struct mnt_spec *mounts;
	size_t nmounts;
	char **mask, **readonly_paths;
	struct int_list pass_fd;
	unsigned long long caps_keep, caps_drop, caps_ambient;
	unsigned long long caps;		/* kept: keep less drop */
	int no_new_privs, block_tiocsti, nested_userns;
	int seccomp;				/* enum seccomp_mode */
	int seccomp_action;			/* enum seccomp_action */
	struct int_list seccomp_deny, seccomp_allow;	/* call numbers */
	struct sc_profile *sc_profile;	/* linux.seccomp: oci-seccomp.c */
	struct rlimit_spec rlimit[16];
	/* [cgroup]: 0 is "not set", -1 "max" */
	long long cg_memory_max, cg_memory_swap_max, cg_memory_high;
	long long cg_pids_max;
	long long cg_cpu_quota, cg_cpu_period;	/* microseconds */
	int cg_cpu_weight;			/* 1-10000; 0: not set */
	const char *cg_cpuset_cpus, *cg_cpuset_mems;	/* NULL: not set */
	struct dev_rules cg_devices;		/* in order */
	const char *cg_parent, *cg_name;	/* NULL: the defaults */
	int cg_version;				/* enum cg_version */
	int cg_hierarchies;			/* enum cg_hierarchies */
	int cg_delegate;
	/* [network] */
	int net_mode;				/* enum net_mode */
	const char *net_interface;
	struct ip_list net_address, net_gateway, net_host_address, net_dns;
	int net_mtu;				/* 0: the kernel's */
	const char *net_bridge;			/* NULL: none */
	char **net_dns_search, **net_hosts;
	/* [sysctl] */
	struct sysctl_ent *sysctl;
	size_t nsysctl;
	struct oci_hooks *hooks;	/* config.json's hooks: oci-hooks.c */
	struct loc loc[K__COUNT];	/* where given; line 0: a default */
	/* what the strings above point into, for cfg_free() */
	char *strings[K__COUNT], **lists[K__COUNT];
	size_t nstrings, nlists;
};

struct key {
	const char *sec, *name;
	enum ktype type;
	const char *def;	/* NULL: computed, or none */
	const char *const *choices;
	unsigned flags;
	size_t off;		/* of its field in struct nook_config */
};

extern const struct key cfg_keys[K__COUNT];

struct ent {
	struct val *v;
	size_t n;
	int set;
	struct loc given;	/* where the file gave it, even empty */
};

struct mount_ent {
	enum key_id kind;
	struct val v;
};

struct sysctl_raw {
	char *name;
	struct val v;
};

struct cfg {
	char *file;		/* as given on the command line */
	char *self_dir;		/* directory of the nook executable */
	struct ent e[K__COUNT];
	struct mount_ent *mounts;
	size_t nmounts;
	struct sysctl_raw *sysctls;	/* [sysctl], in order */
	size_t nsysctls;
	char **errs;
	size_t nerrs;
	long *err_order;	/* per error: where it sorts (cfg_sort_errors) */
	int cmdline_command;	/* COMMAND came after -- */
	int oci;		/* an OCI bundle's: its namespaces are its own */
	struct nook_config t;	/* typed by cfg_validate() */
	int dropped;		/* lines refused whole: a key may be on one */
	int oom;		/* ran out of memory: c is incomplete */
	char **owned;		/* --set locations, freed with c */
	size_t nowned;
};

enum { M_RO = 1, M_NOSUID = 2, M_NODEV = 4, M_NOEXEC = 8 };
enum { CREATE_NONE, CREATE_DIR, CREATE_FILE };

/* One [mounts] entry, parsed. */
struct mnt_spec {
	int kind;
	char *src, *dst, *text, *data;
	unsigned attrs;
	int optional, create;
	int idmap;		/* bind: idmapped with "auto" as root */
	struct loc loc;
};

/* util.c */
void nook_oom(void) __attribute__((noreturn));
uid_t nook_euid(void);
gid_t nook_egid(void);
void nook_ids_refresh(void);
int resolve(int dirfd, const char *path, int flags, unsigned long long how);
int write_text(const char *path, const char *text);
void oom_catch(jmp_buf *j);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int verbosity;
void nook_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *grow_array(void *p, size_t n, size_t size);
/* Every signal (sigset_t *), the C library's own realtime ones too. */
void sig_fill(void *set);
void nook_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_bool(const char *s, int *out);
int parse_size(const char *s, long long *out);
int parse_duration(const char *s, long long *ms, int allow_negative);
int parse_uint(const char *s, unsigned long long max, unsigned long long *out);
int parse_words(const char *s, char ***argv, size_t *argc, const char **why);
void free_strv(char **v);
char *quote_word(const char *s);
char *self_dir(void);
int suggest(const char *word, const char *const *cands, size_t n);

/* One value of any key, parsed (values.c). */
union tval {
	int i;			/* T_BOOL, T_ENUM, T_FD, T_SYSCALL */
	unsigned u;		/* T_OCTAL */
	long long n;		/* T_SIZE, T_DUR, T_SDUR */
	char **w;		/* T_WORDS */
	struct id_spec id;	/* T_ID */
	struct ns_spec ns;	/* T_NS */
	struct { enum map_kind kind; struct idmap r; } map;	/* T_IDMAP */
	struct rlimit_spec rl;	/* T_RLIMIT */
	struct { long long quota, period; } cpu;	/* T_CPUMAX */
	struct ip_addr ip;	/* T_CIDR, T_IP */
	struct dev_node node;	/* T_DEVNODE */
};

/*
 * The loader's entry points run their body under this: an allocation
 * that fails comes back here (nook_oom), sets c->oom and returns fail.
 */
#define CFG_ENTRY(c, fail, body) do {					\
	jmp_buf oom_;							\
	if (setjmp(oom_)) {						\
		oom_catch(NULL);					\
		(c)->oom = 1;						\
		return fail;						\
	}								\
	oom_catch(&oom_);						\
	body;								\
	oom_catch(NULL);						\
} while (0)

/* keys.c: the key table, and the raw values of each key */
extern const char *const cfg_sections[];
extern const size_t cfg_nsections;
const char *key_label(int k);
void key_error(const struct loc *l, int k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int find_section(const char *sec);
int find_key(const char *sec, const char *name);
int ns_type_of(int k);
const char *cfg_str(const struct cfg *c, int k);
char **cfg_words(const struct cfg *c, int k);
char **cfg_list(const struct cfg *c, int k);
char *joined_value(const struct ent *e, size_t *i);

/* ini.c: the loader; it never exits on bad input */
void cfg_init(struct cfg *c, const char *file, const char *self_dir);
int cfg_load_file(struct cfg *c);
int cfg_set(struct cfg *c, const char *assignment);
int cfg_set_command(struct cfg *c, char **argv);
void cfg_error(struct cfg *c, const struct loc *l, int k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void cfg_free(struct cfg *c);
void cfg_sort_errors(struct cfg *c);
int is_blank(int ch);

/* values.c: pure value parsers */
const char *parse_value(int k, const char *s, union tval *out, char *buf,
    size_t len);
int cap_number(const char *name);
int is_sysctl_name(const char *s);
int is_name(const char *s, size_t max, const char *extra);
const char *parse_service(int k, const char *s, union tval *out);
int cfg_mount_parse(const struct mount_ent *m, struct mnt_spec *out,
    const char **why);
void mnt_spec_free(struct mnt_spec *m);
int sec_cap_names(char **names, unsigned long long *mask, const char **bad);
int rlimit_parse(int k, const char *s, struct rlimit_spec *out,
    const char **why);
int rlimit_resource(int k);

/* model.c: the typed model and the whole-file checks */
int cfg_validate(struct cfg *c);
const struct loc *tloc(const struct cfg *c, int k);
void free_typed(struct nook_config *t);
int ns_new(const struct nook_config *t, int k);

/* services.c: [sysctl], [network], [cgroup] in the model */
void type_sysctls(struct cfg *c);
void check_service_conflicts(struct cfg *c);
void net_files(struct cfg *c);

/* print.c: --print-config */
int cfg_print(struct cfg *c, FILE *out);
char *quote_words(char **w);

#include "cgroup.h"
#include "net.h"
#include "state.h"
#include "tty.h"

/* Everything a run needs; the child gets a copy at clone time. */
struct run {
	struct cfg *c;
	const struct nook_config *t;	/* &c->t: what setup reads */
	int sock;		/* our end of the sync socketpair */
	int peer;		/* the other end, closed after clone */
	int root_fd;		/* O_PATH of [rootfs] path, opened on the host */
	int init_fd;		/* sealed memfd holding nook-init */
	int init_src;		/* nook-init's file, until copied */
	int join_fd[NS_COUNT];	/* namespaces to join, or -1 */
	int clone_flags;	/* CLONE_NEW* to create with clone3 */
	int setgroups_denied;	/* read by the child from /proc */
	struct sock_fprog *seccomp;	/* made on the host: security.c */
	pid_t pid;
	int pidfd;
	char **command;
	unsigned long long uid_base, gid_base;	/* "auto" as root */
	int range_lock;		/* flock held on that range */
	int idroot;		/* idmapped clone of the rootfs, or -1 */
	int *idbind;		/* per [mounts] entry: idmapped bind, or -1 */
	int stop_fd;		/* signalfd of TERM, INT, HUP during setup */
	char *devdir;		/* [filesystem] device nodes on the host */
	long long setup_deadline;	/* CLOCK_MONOTONIC ms */
	int words_at_close;	/* setup_word: wake only when the child's end closes */
	struct cg_run cg;		/* cgroup.c */
	struct net_run net;		/* net.c */
	struct state_run st;		/* state.c */
	struct tty_run tty;		/* tty.c */
	struct oci_mode *oci;		/* nook-oci's lifecycle, or NULL */
};

/*
 * What nook-oci asks of run() (oci-cli.c): keep the state of the
 * container under its --root, leave the process waiting for `start`
 * (create), call the hooks at their points.
 */
enum oci_phase {
	OCI_PH_RUNTIME,		/* the namespaces exist, before the release */
	OCI_PH_READY,		/* set up, the process about to exec or wait */
	OCI_PH_ENDED,		/* run: the process is gone */
};
struct oci_mode {
	int create;		/* leave the process waiting for start */
	int exec_fd;		/* create: the FIFO it waits on, O_RDWR */
	int status;		/* run: the container's exit status */
	int (*phase)(struct run *r, enum oci_phase ph);
};

/* A failure of the child, sent to the parent before it exits. */
struct report {
	int err;
	char msg[1024];
};

/* security.c */
int sec_apply_rlimits(struct run *r);
void sec_release_admin(struct run *r);
void sec_drop_bounding(struct run *r);
void sec_apply_caps(struct run *r);
int sec_prepare_seccomp(struct run *r);
void sec_apply_seccomp(struct run *r);

/* kernelfs.c: [filesystem] device nodes, made on the host by the parent */
const char *dev_parse_node(const char *s, struct dev_node *out);
int dev_prepare(struct run *r);
void dev_cleanup(struct run *r);

/* ns.c */
int ns_prepare(struct run *r);
int ns_join(struct run *r);
pid_t ns_clone(struct run *r);
int ns_write_maps(struct run *r);
int ns_child_time(struct run *r);
int ns_time_offsets(const struct nook_config *t);
int ns_write_time(struct run *r);
void ns_child_uts(struct run *r);

/* hostcheck.c */
int cfg_check_host(struct cfg *c);
int read_int_file(const char *path, long *v);
int subid_allows(const char *file, unsigned long long start,
    unsigned long long count);

/* idmap.c */
int idmap_private(const struct nook_config *t);
int idmap_pick(struct run *r);
void idmap_auto(const struct run *r, int k, struct idmap *m);
int idmap_trees(struct run *r);
int idmap_send_go(struct run *r);
int idmap_recv_go(struct run *r);

/* mount.c */
void mnt_open_root(struct run *r);
void mnt_setup(struct run *r);

/* process.c */
int proc_prepare_init(struct run *r);
int proc_fill_init(struct run *r);
void __attribute__((noreturn)) proc_exec(struct run *r);
int proc_set_oom(struct run *r);

/* child.c */
void __attribute__((noreturn)) child_fail(struct run *r, const struct loc *l,
    int k, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
