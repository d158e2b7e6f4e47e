// SPDX-License-Identifier: MIT
/* nook-oci: runc's command line and the container's life cycle. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cap-ng.h>
#include <getopt.h>

#include "oci-int.h"
#include "state.h"

/* ---- the command line: runc's ---- */

#ifndef NOOK_VERSION
#define NOOK_VERSION "0.0.0"
#endif
#ifndef NOOK_GIT
#define NOOK_GIT "unknown"
#endif

struct gopts {
	const char *root, *log;
	int json;		/* --log-format json */
};

static struct gopts gopt;

/*
 * One line of ours into --log, in its format as runc writes it (logrus):
 * its level from its words, the prefix "nook-oci: " or "nook: " gone.
 */
static void
log_line(const char *line, size_t len)
{
	const char *level = "error";
	char *msg, stamp[40];
	struct timespec ts;
	struct tm tm;
	FILE *f;
	jobj *o;

	if (len > 10 && !strncmp(line, "nook-oci: ", 10))
		line += 10, len -= 10;
	else if (len > 6 && !strncmp(line, "nook: ", 6))
		line += 6, len -= 6;
	if (len > 9 && !strncmp(line, "warning: ", 9))
		line += 9, len -= 9, level = "warning";
	if (!len || !(f = fopen(gopt.log, "ae")))
		return;
	msg = strndup(line, len);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (msg && gopt.json && (o = json_object_new_object())) {
		json_object_object_add(o, "level", json_object_new_string(level));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(stamp));
		fprintf(f, "%s\n", json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else if (msg && (o = json_object_new_string(msg))) {
		/* logrus's text: msg quoted and escaped */
		fprintf(f, "time=\"%s\" level=%s msg=%s\n", stamp, level,
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	free(msg);
	fclose(f);
}

/*
 * With --log, our stderr goes through this: to fd 2 as ever, and each
 * line to the log - nook's own messages too (a setup that failed), which
 * containerd shows from the log alone.
 */
static char tee_buf[4096];
static size_t tee_len;
static pid_t tee_pid;	/* ours: a child (the container's process before
			 * its exec) writes fd 2 only, never a file by the
			 * log's path inside the container */

static ssize_t
tee_write(void *cookie, const char *buf, size_t n)
{
	size_t i, done = 0;
	ssize_t w;

	(void)cookie;
	while (done < n) {	/* fd 2 first, all of it */
		w = write(2, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	for (i = 0; getpid() == tee_pid && i < n; i++) {
		if (buf[i] != '\n' && tee_len < sizeof(tee_buf)) {
			tee_buf[tee_len++] = buf[i];
			continue;
		}
		if (buf[i] == '\n') {
			log_line(tee_buf, tee_len);
			tee_len = 0;
		}
	}
	return (ssize_t)n;
}

static void
tee_stderr(void)
{
	static const cookie_io_functions_t io = { .write = tee_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (!f)
		return;
	setvbuf(f, NULL, _IONBF, 0);
	tee_pid = getpid();
	nook_stderr = f;
}

/* An error of nook-oci's own: stderr, which --log gets too. */
static void
oci_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
oci_error(const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		nook_oom();
	va_end(ap);
	fprintf(stderr, "nook-oci: %s\n", msg);
	free(msg);
}

static int
oci_usage(FILE *f)
{
	fputs("usage: nook-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ID]\n"
	    "An OCI runtime with runc's command line.\n\n"
	    "  create [-b DIR] [--pid-file F] [--console-socket S] "
	    "[--preserve-fds N] ID\n"
	    "                          set the container up, its process "
	    "waiting for start\n"
	    "  start ID                let it run\n"
	    "  run [-b DIR] [-d] ... ID  create and start (and wait, "
	    "without -d)\n"
	    "  state ID                its state, as JSON\n"
	    "  kill [--all] ID [SIG]   signal it (TERM by default)\n"
	    "  delete [--force] ID     remove a stopped one (--force: kill "
	    "it first)\n"
	    "  exec [-p FILE] [-d] [-t] [--console-socket S] [--pid-file F]"
	    "\n"
	    "       [--cwd D] [-e K=V] [-u UID[:GID]] ID [COMMAND...]\n"
	    "                          another process in it\n"
	    "  ps [-f table|json] ID   its processes\n"
	    "  list [-f table|json] [-q]  the containers under --root\n"
	    "  spec [-b DIR]           write a default config.json\n"
	    "  features                what this runtime supports, as "
	    "JSON\n\n"
	    "  --root DIR (default " OCI_ROOT "), --log FILE, "
	    "--log-format text|json,\n"
	    "  --debug, --version, --help\n"
	    "Exit status: the container's (run, exec), 125 for nook-oci's "
	    "own errors.  See nook-oci(1).\n", f);
	return f == stdout ? 0 : EXIT_NOOK;
}

/* Global options, up to the command; its index, or -1. */
static int
global_opts(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+vh", lo, NULL)) != -1) {
		switch (ch) {
		case 'r': gopt.root = optarg; break;
		case 'l': gopt.log = optarg; break;
		case 'd': verbosity++; break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				oci_error("--log-format: \"%s\": expected text "
				    "or json", optarg);
				return -1;
			}
			gopt.json = !strcmp(optarg, "json");
			break;
		case 's':
			oci_error("--systemd-cgroup: not supported (nook "
			    "manages its cgroups itself)");
			return -1;
		case 'v':
			printf("nook-oci version %s\ncommit: git.%s\n"
			    "spec: %s\n", NOOK_VERSION, NOOK_GIT,
			    OCI_SPEC_VERSION);
			exit(0);
		case 'h':
			exit(oci_usage(stdout));
		default:
			oci_error("%s: unknown option or missing value",
			    argv[optind - 1]);
			return -1;
		}
	}
	return optind;
}

/* ---- a command's options, runc's names ---- */

enum {	/* long options without a letter of their own */
	O_PIDFILE = 1, O_CONSOLE, O_NOPIVOT, O_KEYRING, O_PRESERVE, O_CWD,
	O_NNP, O_FORCE, O_FORMAT, O_LABEL, O_APPARMOR,
};

struct copts {
	const char *bundle, *pid_file, *console, *process, *cwd, *user;
	const char *format;
	int detach, tty, all, force, quiet, nnp, preserve;
	char **env;
	size_t nenv;
};

static const struct option cmd_lo[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "pid-file", required_argument, NULL, O_PIDFILE },
	{ "console-socket", required_argument, NULL, O_CONSOLE },
	{ "no-pivot", no_argument, NULL, O_NOPIVOT },
	{ "no-new-keyring", no_argument, NULL, O_KEYRING },
	{ "preserve-fds", required_argument, NULL, O_PRESERVE },
	{ "detach", no_argument, NULL, 'd' },
	{ "tty", no_argument, NULL, 't' },
	{ "process", required_argument, NULL, 'p' },
	{ "cwd", required_argument, NULL, O_CWD },
	{ "env", required_argument, NULL, 'e' },
	{ "user", required_argument, NULL, 'u' },
	{ "no-new-privs", no_argument, NULL, O_NNP },
	{ "all", no_argument, NULL, 'a' },
	{ "force", no_argument, NULL, O_FORCE },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "process-label", required_argument, NULL, O_LABEL },
	{ "apparmor", required_argument, NULL, O_APPARMOR },
	{ "additional-gids", required_argument, NULL, 'g' },
	{ "cap", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 },
};

/* Per command: its short options, and which of the codes it takes. */
static const struct {
	const char *cmd, *shorts;
	const char *takes;	/* codes, as chars */
} cmd_tab[] = {
	{ "create", "+b:", "b\1\2\3\4\5" },
	{ "run", "+b:d", "b\1\2\3\4\5d" },
	{ "exec", "+p:dte:u:g:c:", "pdte\1\2\6ugc\7\5\12\13" },
	{ "start", "+", "" },
	{ "state", "+", "" },
	{ "kill", "+a", "a" },
	{ "delete", "+f", "\10" },
	{ "list", "+f:q", "\11q" },
	{ "ps", "+f:", "\11" },
	{ "spec", "+b:", "b" },
	{ NULL, NULL, NULL },
};

/* The long name of an option code, for messages. */
static const char *
opt_name(int ch)
{
	size_t i;

	for (i = 0; cmd_lo[i].name; i++)
		if (cmd_lo[i].val == ch)
			return cmd_lo[i].name;
	return "?";
}

/*
 * COMMAND [OPTIONS] OPERANDS: the options into o, the index of the first
 * operand, or -1 after saying why.  min..max operands (max -1: any).
 */
static int
cmd_opts(int argc, char **argv, struct copts *o, int min, int max)
{
	const char *takes = "", *shorts = "+";
	unsigned long long n;
	size_t i;
	int ch;

	memset(o, 0, sizeof(*o));
	for (i = 0; cmd_tab[i].cmd; i++)
		if (!strcmp(cmd_tab[i].cmd, argv[0])) {
			takes = cmd_tab[i].takes;
			shorts = cmd_tab[i].shorts;
		}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shorts, cmd_lo, NULL)) != -1) {
		if (ch == 'f')	/* delete -f is --force, list/ps -f --format */
			ch = strchr(takes, O_FORCE) ? O_FORCE : O_FORMAT;
		if (ch == '?' || ch == ':' || !strchr(takes, ch)) {
			oci_error("%s: %s: %s", argv[0], argv[optind - 1],
			    ch == '?' || ch == ':' ? "unknown option or "
			    "missing value" : "not an option of this command");
			return -1;
		}
		switch (ch) {
		case 'b': o->bundle = optarg; break;
		case O_PIDFILE: o->pid_file = optarg; break;
		case O_CONSOLE: o->console = optarg; break;
		case O_KEYRING: break;	/* nook never makes a session keyring */
		case O_PRESERVE:
			if (parse_uint(optarg, 1000, &n)) {
				oci_error("%s: --preserve-fds: \"%s\": expected a "
				    "number from 0 to 1000", argv[0], optarg);
				return -1;
			}
			o->preserve = (int)n;
			break;
		case 'd': o->detach = 1; break;
		case 't': o->tty = 1; break;
		case 'p': o->process = optarg; break;
		case O_CWD: o->cwd = optarg; break;
		case 'e':
			if (!(o->env = realloc(o->env, (o->nenv + 2) *
			    sizeof(char *))))
				nook_oom();
			o->env[o->nenv++] = optarg;
			o->env[o->nenv] = NULL;
			break;
		case 'u': o->user = optarg; break;
		case O_NNP: o->nnp = 1; break;
		case 'a': o->all = 1; break;
		case O_FORCE: o->force = 1; break;
		case 'q': o->quiet = 1; break;
		case O_FORMAT:
			if (strcmp(optarg, "table") && strcmp(optarg, "json")) {
				oci_error("%s: --format: \"%s\": expected table "
				    "or json", argv[0], optarg);
				return -1;
			}
			o->format = optarg;
			break;
		default:	/* --no-pivot, labels, apparmor, caps, gids */
			oci_error("%s: --%s: not supported (%s)", argv[0],
			    opt_name(ch), ch == O_NOPIVOT ? "nook always "
			    "pivot_root()s into the bundle's root" :
			    ch == O_LABEL || ch == O_APPARMOR ? "no SELinux or "
			    "AppArmor in nook" : "give them in --process");
			return -1;
		}
	}
	if (argc - optind < min || (max >= 0 && argc - optind > max)) {
		oci_error("%s: expected %s", argv[0], max == 0 ? "no argument" :
		    min == 0 ? "at most one argument" : "a container ID");
		return -1;
	}
	if (min && !ocs_valid_id(argv[optind])) {
		oci_error("%s: \"%s\": not a container ID (letters, digits, "
		    "_ + - . only)", argv[0], argv[optind]);
		return -1;
	}
	return optind;
}
static const char default_spec[] =
"{\n"
"\t\"ociVersion\": \"" OCI_SPEC_VERSION "\",\n"
"\t\"process\": {\n"
"\t\t\"terminal\": false,\n"
"\t\t\"user\": { \"uid\": 0, \"gid\": 0 },\n"
"\t\t\"args\": [ \"sh\" ],\n"
"\t\t\"env\": [\n"
"\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
"\t\t\t\"TERM=xterm\"\n"
"\t\t],\n"
"\t\t\"cwd\": \"/\",\n"
"\t\t\"capabilities\": {\n"
"\t\t\t\"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
"\"CAP_NET_BIND_SERVICE\" ],\n"
"\t\t\t\"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
"\"CAP_NET_BIND_SERVICE\" ],\n"
"\t\t\t\"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
"\"CAP_NET_BIND_SERVICE\" ]\n"
"\t\t},\n"
"\t\t\"rlimits\": [\n"
"\t\t\t{ \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 }\n"
"\t\t],\n"
"\t\t\"noNewPrivileges\": true\n"
"\t},\n"
"\t\"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
"\t\"hostname\": \"nook\",\n"
"\t\"mounts\": [\n"
"\t\t{ \"destination\": \"/proc\", \"type\": \"proc\", "
"\"source\": \"proc\" },\n"
"\t\t{ \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
"\t\t  \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", "
"\"size=65536k\" ] },\n"
"\t\t{ \"destination\": \"/dev/pts\", \"type\": \"devpts\", "
"\"source\": \"devpts\",\n"
"\t\t  \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", "
"\"ptmxmode=0666\", \"mode=0620\", \"gid=5\" ] },\n"
"\t\t{ \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", "
"\"source\": \"shm\",\n"
"\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", "
"\"size=65536k\" ] },\n"
"\t\t{ \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", "
"\"source\": \"mqueue\",\n"
"\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"
"\t\t{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
"\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] },\n"
"\t\t{ \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", "
"\"source\": \"cgroup\",\n"
"\t\t  \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", "
"\"ro\" ] }\n"
"\t],\n"
"\t\"linux\": {\n"
"\t\t\"namespaces\": [\n"
"\t\t\t{ \"type\": \"pid\" }, { \"type\": \"network\" }, "
"{ \"type\": \"ipc\" },\n"
"\t\t\t{ \"type\": \"uts\" }, { \"type\": \"mount\" }, "
"{ \"type\": \"cgroup\" }\n"
"\t\t],\n"
"\t\t\"maskedPaths\": [ \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\",\n"
"\t\t\t\"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\",\n"
"\t\t\t\"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\",\n"
"\t\t\t\"/proc/scsi\" ],\n"
"\t\t\"readonlyPaths\": [ \"/proc/bus\", \"/proc/fs\", \"/proc/irq\",\n"
"\t\t\t\"/proc/sys\", \"/proc/sysrq-trigger\" ]\n"
"\t}\n"
"}\n";

/* spec: a default config.json in the bundle, never over one there. */
static int
cmd_spec(int argc, char **argv)
{
	const char *bundle;
	struct copts o;
	char *path;
	FILE *f;
	int fd, rc = 0;

	if (cmd_opts(argc, argv, &o, 0, 0) < 0)
		return EXIT_NOOK;
	bundle = o.bundle ? o.bundle : ".";
	path = xasprintf("%s/%s", bundle, OCI_FILE);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		oci_error("spec: %s: %s", path, errno == EEXIST ?
		    "exists; remove it first" : strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return EXIT_NOOK;
	}
	if (fputs(default_spec, f) < 0 || fclose(f)) {
		oci_error("spec: %s: %s", path, strerror(errno));
		rc = EXIT_NOOK;
	}
	free(path);
	return rc;
}

static jobj *
strings(const char *const *v)
{
	jobj *a = json_object_new_array();

	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static jobj *
flag(int on)
{
	jobj *o = json_object_new_object();

	json_object_object_add(o, "enabled", json_object_new_boolean(on));
	return o;
}

/* The capabilities the kernel headers and libcap-ng know, as CAP_X. */
static jobj *
cap_names(void)
{
	jobj *a = json_object_new_array();
	char name[64], *p;
	int i;

	for (i = 0; i < 64; i++) {
		const char *n = capng_capability_to_name(i);

		if (!n || !strcmp(n, "unknown"))
			continue;
		snprintf(name, sizeof(name), "CAP_%s", n);
		for (p = name; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		json_object_array_add(a, json_object_new_string(name));
	}
	return a;
}

/* features: what nook-oci honours (runtime-spec features.md). */
static int
cmd_features(void)
{
	static const char *const opts[] = { "bind", "rbind", "ro", "rw",
		"nosuid", "nodev", "noexec", "private", "rprivate", "slave",
		"rslave", "strictatime", "relatime", "noatime", "nodiratime",
		NULL };
	static const char *const ns[] = { "cgroup", "ipc", "mount",
		"network", "pid", "time", "user", "uts", NULL };
	jobj *f = json_object_new_object(), *l = json_object_new_object(),
	    *cg = json_object_new_object(), *hk = json_object_new_array();
	int k;

	json_object_object_add(f, "ociVersionMin",
	    json_object_new_string("1.0.0"));
	json_object_object_add(f, "ociVersionMax",
	    json_object_new_string("1.2.0"));
	for (k = 0; k < OCI_HOOK__COUNT; k++)
		json_object_array_add(hk, json_object_new_string(
		    oci_hook_name(k)));
	json_object_object_add(f, "hooks", hk);
	json_object_object_add(f, "mountOptions", strings(opts));
	json_object_object_add(l, "namespaces", strings(ns));
	json_object_object_add(l, "capabilities", cap_names());
	json_object_object_add(cg, "v1", json_object_new_boolean(1));
	json_object_object_add(cg, "v2", json_object_new_boolean(1));
	json_object_object_add(cg, "systemd", json_object_new_boolean(0));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
	json_object_object_add(l, "cgroup", cg);
	json_object_object_add(l, "seccomp", oci_seccomp_features());
	json_object_object_add(l, "apparmor", flag(0));
	json_object_object_add(l, "selinux", flag(0));
	json_object_object_add(f, "linux", l);
	puts(json_object_to_json_string_ext(f, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(f);
	return fflush(stdout) ? EXIT_NOOK : 0;
}

/* ---- the container's life: create, start, state, kill, delete ---- */

/* What run()'s phase callback needs to know of this nook-oci. */
static struct {
	const char *id, *bundle, *pid_file, *console;
	struct cfg *c;
	int made;		/* its state directory is ours to remove */
} life;

static const char *
root_dir(void)
{
	return gopt.root ? gopt.root : OCI_ROOT;
}

/*
 * The pid file as runc writes it: the number alone, replaced whole;
 * at a directory opened before exec joins the container's mounts.
 */
static int
write_pid_at(int dir, const char *name, pid_t pid)
{
	char *tmp = xasprintf(".%s.nook-tmp", name), buf[32];
	int fd, n = snprintf(buf, sizeof(buf), "%d", (int)pid), rc = -1;

	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0 && write(fd, buf, (size_t)n) == n && !close(fd)) {
		fd = -1;
		rc = renameat(dir, tmp, dir, name);
	}
	if (fd >= 0)
		close(fd);
	if (rc)
		oci_error("--pid-file %s: %s", name, strerror(errno));
	unlinkat(dir, tmp, 0);
	free(tmp);
	return rc;
}

/* --pid-file's directory, opened: -1 after saying why; *name its name. */
static int
pid_dir(const char *path, const char **name)
{
	char *d = xstrdup(path), *slash = strrchr(d, '/');
	int fd;

	*name = slash ? path + (slash - d) + 1 : path;
	if (slash)
		*slash = 0;
	fd = open(slash ? (*d ? d : "/") : ".", O_PATH | O_DIRECTORY |
	    O_CLOEXEC);
	if (fd < 0 || !**name)
		oci_error("--pid-file %s: %s", path, fd < 0 ? strerror(errno) :
		    "not a file name");
	free(d);
	if (fd >= 0 && !**name) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int
write_pid_file(const char *path, pid_t pid)
{
	const char *name;
	int dir = pid_dir(path, &name), rc;

	if (dir < 0)
		return -1;
	rc = write_pid_at(dir, name, pid);
	close(dir);
	return rc;
}

/* A connection to --console-socket: the pty master goes over it. */
static int
console_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		oci_error("--console-socket %s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	oci_error("--console-socket %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The pty master over a connected console socket (SCM_RIGHTS). */
static int
console_send(int fd, int master)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = "console", .iov_len = 7 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) > 0)
		return 0;
	oci_error("--console-socket: send the terminal: %s", strerror(errno));
	return -1;
}

/* --console-socket's path, the master sent; -1 after saying why. */
static int
send_console(const char *path, int master)
{
	int fd, rc;

	if (master < 0) {
		oci_error("--console-socket: the container has no terminal "
		    "(process.terminal is false)");
		return -1;
	}
	if ((fd = console_connect(path)) < 0)
		return -1;
	rc = console_send(fd, master);
	close(fd);
	return rc;
}

/* The state JSON of the container as it is now, for its hooks. */
static char *
state_text(const char *status)
{
	struct ocs s;
	char *text;
	jobj *o;

	if (ocs_read(root_dir(), life.id, &s))
		return xstrdup("{}");
	o = ocs_json(root_dir(), &s, status);
	text = xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	ocs_free(&s);
	return text;
}

/* The hooks of one kind with the state as status: 0, -1 if one failed. */
static int
hooks(const struct nook_config *t, enum oci_hook_kind k, const char *status,
    pid_t ns_pid)
{
	char *text;
	int rc;

	if (!t->hooks)
		return 0;
	text = state_text(status);
	rc = oci_hooks_run(t->hooks, k, text, ns_pid);
	free(text);
	return rc;
}

/*
 * The byte into the FIFO the process waits on, the FIFO gone first (a
 * second start finds nothing to start): 0, or -1 after saying why.
 */
static int
release(const char *id)
{
	char *fifo = ocs_fifo_path(root_dir(), id);
	int fd, rc = -1;

	fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && !unlink(fifo) && write(fd, "s", 1) == 1)
		rc = 0;
	else
		oci_error("start: %s: %s", id, errno == ENXIO ? "its "
		    "process is gone" : strerror(errno));
	if (fd >= 0)
		close(fd);
	free(fifo);
	return rc;
}

/*
 * run()'s calls at the points of the container's life: its state
 * written as soon as there is a process, the hooks, the pid file and
 * the console once it is set up.
 */
static int
phase(struct run *r, enum oci_phase ph)
{
	int create = r->oci->create;

	switch (ph) {
	case OCI_PH_RUNTIME:
		if (ocs_write(root_dir(), life.id, r, life.bundle)) {
			oci_error("%s: write its state: %s", life.id,
			    strerror(errno));
			return -1;
		}
		return hooks(r->t, OCI_HOOK_PRESTART, "creating", 0) ||
		    hooks(r->t, OCI_HOOK_CREATE_RUNTIME, "creating", 0) ? -1 : 0;
	case OCI_PH_READY:	/* its state is written: nothing changed since */
		if (life.console && send_console(life.console, r->tty.master))
			return -1;
		if (life.console) {	/* theirs now: nook relays nothing */
			close(r->tty.master);
			r->tty.master = -1;
		}
		if (hooks(r->t, OCI_HOOK_CREATE_CONTAINER, "creating", r->pid))
			return -1;
		if (life.pid_file && write_pid_file(life.pid_file, r->pid))
			return -1;
		if (create)
			return 0;
		/* run: as start would, the process waiting on its FIFO */
		if (hooks(r->t, OCI_HOOK_START_CONTAINER, "created", r->pid) ||
		    release(life.id))
			return -1;
		if (hooks(r->t, OCI_HOOK_POSTSTART, "running", 0))
			oci_error("%s: a poststart hook failed", life.id);
		return 0;
	case OCI_PH_ENDED:
		hooks(r->t, OCI_HOOK_POSTSTOP, "stopped", 0);
		ocs_remove(root_dir(), life.id);
		life.made = 0;
		return 0;
	}
	return 0;
}

/* The bundle into c, its errors said: 0, or -1. */
static int
load(struct cfg *c, const char *bundle, const char *id,
    const struct oci_extra *x)
{
	size_t i;

	if (oci_load_bundle(c, bundle, id, x) == 0)
		cfg_check_host(c);
	cfg_sort_errors(c);
	for (i = 0; i < c->nerrs; i++)
		oci_error("%s", c->errs[i]);
	if (c->oom)
		oci_error("%s: out of memory reading it", c->file);
	return c->nerrs || c->oom ? -1 : 0;
}

static int cmd_start(int argc, char **argv);

/*
 * create ID (and run ID, which is create, start and a wait in one):
 * the bundle loaded, the ID's directory under --root made, the
 * container set up by nook's own run() - create's process then waits
 * on the FIFO for start.
 */
static int
cmd_create(int argc, char **argv, int (*runner)(struct cfg *,
    struct oci_mode *))
{
	struct oci_mode m = { .exec_fd = -1, .phase = phase };
	struct oci_extra x = { 0 };
	char *bundle = NULL;
	struct copts o;
	struct cfg c;
	int at, rc;

	if ((at = cmd_opts(argc, argv, &o, 1, 1)) < 0)
		return EXIT_NOOK;
	life.id = argv[at];
	m.create = !strcmp(argv[0], "create") || o.detach;
	x.preserve_fds = o.preserve;
	x.console = o.console != NULL;
	if (load(&c, o.bundle ? o.bundle : ".", life.id, &x)) {
		cfg_free(&c);
		return EXIT_NOOK;
	}
	bundle = xstrdup(c.file);	/* BUNDLE/config.json, absolute */
	*strrchr(bundle, '/') = 0;
	life.bundle = bundle;
	if (m.create && c.t.tty == TTY_YES && !o.console) {
		oci_error("%s: process.terminal is true: create needs "
		    "--console-socket to hand the terminal to", life.id);
		cfg_free(&c);
		free(bundle);
		return EXIT_NOOK;
	}
	life.pid_file = o.pid_file;
	life.console = o.console;
	life.c = &c;
	if (ocs_make(root_dir(), life.id)) {
		oci_error("%s: %s", life.id, errno == EEXIST ? "a container "
		    "with this ID exists" : strerror(errno));
		cfg_free(&c);
		free(bundle);
		return EXIT_NOOK;
	}
	life.made = 1;
	if ((m.exec_fd = ocs_fifo(root_dir(), life.id)) < 0) {
		oci_error("%s: make its exec FIFO: %s", life.id,
		    strerror(errno));
		rc = EXIT_NOOK;
	} else
		rc = runner(&c, &m);
	if (m.create && rc)
		ocs_remove(root_dir(), life.id);
	else if (m.create && o.detach) {	/* run -d: start it too */
		char *sv[] = { "start", (char *)life.id, NULL };

		rc = cmd_start(2, sv);
	} else if (!m.create && life.made)	/* run that never began */
		ocs_remove(root_dir(), life.id);
	free(bundle);
	cfg_free(&c);
	return rc;
}

/* The state of ID for a command, its absence said as runc says it. */
static int
find(const char *cmd, const char *id, struct ocs *s)
{
	if (!ocs_read(root_dir(), id, s))
		return 0;
	if (errno == ENOENT)
		oci_error("%s: %s: container does not exist", cmd, id);
	else if (errno == EAGAIN)
		oci_error("%s: %s: is still being created", cmd, id);
	else
		oci_error("%s: %s: its state under %s: %s", cmd, id,
		    root_dir(), strerror(errno));
	return -1;
}

/* The bundle's hooks, for start and delete: NULL when it has none. */
static int
load_hooks(const struct ocs *s, struct cfg *c)
{
	return oci_load_bundle(c, s->bundle, s->id, NULL);
}

/*
 * start ID: the waiting process released - a byte into its FIFO, which
 * goes first, so a second start finds it gone.
 */
static int
cmd_start(int argc, char **argv)
{
	const char *status;
	struct copts o;
	struct ocs s;
	struct cfg c;
	int at, rc = EXIT_NOOK, hk;

	if ((at = cmd_opts(argc, argv, &o, 1, 1)) < 0 ||
	    find("start", argv[at], &s))
		return EXIT_NOOK;
	status = ocs_status(root_dir(), &s);
	if (strcmp(status, "created")) {
		oci_error("start: %s: cannot start a container that is %s",
		    s.id, status);
		ocs_free(&s);
		return EXIT_NOOK;
	}
	life.id = s.id;
	hk = !load_hooks(&s, &c);
	if (hk && hooks(&c.t, OCI_HOOK_START_CONTAINER, "created", s.pid)) {
		ocs_signal(&s, SIGKILL);
		goto out;
	}
	rc = release(s.id) ? EXIT_NOOK : 0;
	if (!rc && hk && hooks(&c.t, OCI_HOOK_POSTSTART, "running", 0))
		oci_error("start: %s: a poststart hook failed", s.id);
out:
	cfg_free(&c);
	ocs_free(&s);
	return rc;
}

static int
print_json(jobj *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return fflush(stdout) ? EXIT_NOOK : 0;
}

/* state ID: the OCI state JSON. */
static int
cmd_state(int argc, char **argv)
{
	struct copts o;
	struct ocs s;
	int at, rc;

	if ((at = cmd_opts(argc, argv, &o, 1, 1)) < 0 ||
	    find("state", argv[at], &s))
		return EXIT_NOOK;
	rc = print_json(ocs_json(root_dir(), &s, NULL));
	ocs_free(&s);
	return rc;
}

/*
 * A signal by name (KILL, SIGKILL, RTMIN+3) or number; 0 if none.  The
 * realtime ones count from 34, as runc's do and glibc's SIGRTMIN (musl's
 * is 35): RTMIN+3 is the same signal whichever runtime is asked.
 */
#define OCI_RTMIN 34
#define OCI_RTMAX 64

static int
signal_number(const char *s)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
		{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
		{ "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
		{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
		{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT },
		{ "CHLD", SIGCHLD }, { "CLD", SIGCHLD }, { "CONT", SIGCONT },
		{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
		{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
		{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
		{ "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
		{ "POLL", SIGPOLL }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
	};
	unsigned long long n;
	size_t i;

	if (!parse_uint(s, 64, &n))
		return n > 0 && n <= OCI_RTMAX ? (int)n : 0;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (!strncasecmp(s, "RTMIN+", 6) && !parse_uint(s + 6, 64, &n))
		return n <= OCI_RTMAX - OCI_RTMIN ? OCI_RTMIN + (int)n : 0;
	if (!strncasecmp(s, "RTMAX-", 6) && !parse_uint(s + 6, 64, &n))
		return n <= OCI_RTMAX - OCI_RTMIN ? OCI_RTMAX - (int)n : 0;
	if (!strcasecmp(s, "RTMIN"))
		return OCI_RTMIN;
	if (!strcasecmp(s, "RTMAX"))
		return OCI_RTMAX;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(names[i].name, s))
			return names[i].sig;
	return 0;
}

/*
 * kill ID [SIGNAL]: to the container's process (SIGTERM by default);
 * --all: to every process of its cgroup.
 */
static int
cmd_kill(int argc, char **argv)
{
	struct copts o;
	struct ocs s;
	pid_t *pids;
	size_t n, i;
	int at, sig = SIGTERM, rc = 0;

	if ((at = cmd_opts(argc, argv, &o, 1, 2)) < 0)
		return EXIT_NOOK;
	if (at + 1 < argc && !(sig = signal_number(argv[at + 1]))) {
		oci_error("kill: \"%s\": not a signal", argv[at + 1]);
		return EXIT_NOOK;
	}
	if (find("kill", argv[at], &s))
		return EXIT_NOOK;
	if (!ocs_alive(&s)) {
		oci_error("kill: %s: container not running", s.id);
		ocs_free(&s);
		return EXIT_NOOK;
	}
	if (o.all) {
		pids = ocs_pids(&s, &n);
		for (i = 0; i < n; i++)
			kill(pids[i], sig);	/* in its cgroup: its own */
		free(pids);
	} else if (ocs_signal(&s, sig)) {
		oci_error("kill: %s: %s", s.id, strerror(errno));
		rc = EXIT_NOOK;
	}
	ocs_free(&s);
	return rc;
}

/*
 * delete ID: a stopped container's cgroups and state removed, then its
 * poststop hooks; --force kills a live one first.  runc's --force on
 * an ID that does not exist is no error.
 */
static int
cmd_delete(int argc, char **argv)
{
	const char *status;
	struct copts o;
	struct ocs s;
	struct cfg c;
	int at, hk;

	if ((at = cmd_opts(argc, argv, &o, 1, 1)) < 0)
		return EXIT_NOOK;
	if (ocs_read(root_dir(), argv[at], &s)) {
		if (errno == EAGAIN && o.force) {	/* a create that died */
			ocs_remove(root_dir(), argv[at]);
			return 0;
		}
		if (errno == ENOENT && o.force)
			return 0;
		return find("delete", argv[at], &s) ? EXIT_NOOK : 0;
	}
	status = ocs_status(root_dir(), &s);
	/* a created one is killed and deleted, as runc does */
	if (!strcmp(status, "running") && !o.force) {
		oci_error("delete: %s: cannot delete a container that is %s "
		    "(use --force)", s.id, status);
		ocs_free(&s);
		return EXIT_NOOK;
	}
	if (strcmp(status, "stopped")) {
		ocs_signal(&s, SIGKILL);
		if (ocs_wait_gone(&s, 10000))
			oci_error("delete: %s: still there 10 s after SIGKILL",
			    s.id);
	}
	life.id = s.id;
	hk = !load_hooks(&s, &c);
	ocs_cgroups_cleanup(&s);
	if (hk)
		hooks(&c.t, OCI_HOOK_POSTSTOP, "stopped", 0);
	ocs_remove(root_dir(), s.id);
	cfg_free(&c);
	ocs_free(&s);
	return 0;
}

/* list: every container under --root, as a table, IDs or JSON. */
static int
cmd_list(int argc, char **argv)
{
	char **ids, **id;
	struct copts o;
	struct ocs s;
	jobj *a;

	if (cmd_opts(argc, argv, &o, 0, 0) < 0)
		return EXIT_NOOK;
	ids = ocs_list(root_dir());
	a = json_object_new_array();
	if (!o.quiet && !(o.format && !strcmp(o.format, "json")))
		printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID",
		    "STATUS", "BUNDLE", "CREATED", "OWNER");
	for (id = ids; *id; id++) {
		if (ocs_read(root_dir(), *id, &s))
			continue;
		if (o.quiet)
			puts(s.id);
		else if (o.format && !strcmp(o.format, "json"))
			json_object_array_add(a, ocs_json(root_dir(), &s,
			    NULL));
		else
			printf("%-12s %-8d %-10s %-40s %-30s %s\n", s.id,
			    ocs_alive(&s) ? (int)s.pid : 0,
			    ocs_status(root_dir(), &s), s.bundle, s.created,
			    "root");
		ocs_free(&s);
	}
	free_strv(ids);
	if (o.format && !strcmp(o.format, "json") && !o.quiet)
		return print_json(a);
	json_object_put(a);
	return fflush(stdout) ? EXIT_NOOK : 0;
}

/*
 * ps ID [PS-ARGS...]: the container's processes - as a JSON array of
 * host pids (what containerd asks for), or ps(1)'s table (ps -ef by
 * default) cut to their rows.
 */
static int
cmd_ps(int argc, char **argv)
{
	struct copts o;
	struct ocs s;
	pid_t *pids;
	size_t n, i;
	char *cmd, *line = NULL, *w;
	size_t cap = 0;
	int at, col = -1, c, first = 1, rc = 0;
	jobj *a;
	FILE *f;

	if ((at = cmd_opts(argc, argv, &o, 1, -1)) < 0 ||
	    find("ps", argv[at], &s))
		return EXIT_NOOK;
	pids = ocs_pids(&s, &n);
	if (o.format && !strcmp(o.format, "json")) {
		a = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(a, json_object_new_int(pids[i]));
		free(pids);
		ocs_free(&s);
		puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
		json_object_put(a);
		return fflush(stdout) ? EXIT_NOOK : 0;
	}
	cmd = xstrdup("ps");
	if (at + 1 == argc) {
		free(cmd);
		cmd = xstrdup("ps -ef");
	}
	for (i = at + 1; i < (size_t)argc; i++) {
		w = quote_word(argv[i]);
		line = xasprintf("%s %s", cmd, w);
		free(cmd);
		free(w);
		cmd = line;
	}
	line = NULL;
	if (!(f = popen(cmd, "re"))) {
		oci_error("ps: %s: %s", cmd, strerror(errno));
		rc = EXIT_NOOK;
	}
	while (f && getline(&line, &cap, f) > 0) {
		if (first) {	/* the header: which column is PID */
			char *t = xstrdup(line), *sv = NULL, *tok;

			for (c = 0, tok = strtok_r(t, " \t\n", &sv); tok;
			    c++, tok = strtok_r(NULL, " \t\n", &sv))
				if (!strcmp(tok, "PID"))
					col = c;
			free(t);
			fputs(line, stdout);
			first = 0;
			if (col < 0) {
				oci_error("ps: %s: no PID column", cmd);
				rc = EXIT_NOOK;
				break;
			}
			continue;
		} else {
			char *t = xstrdup(line), *sv = NULL, *tok;
			pid_t pid = 0;

			for (c = 0, tok = strtok_r(t, " \t\n", &sv); tok &&
			    c < col; c++, tok = strtok_r(NULL, " \t\n", &sv))
				;
			if (tok)
				pid = (pid_t)atoi(tok);
			free(t);
			for (i = 0; i < n; i++)
				if (pids[i] == pid)
					fputs(line, stdout);
		}
	}
	if (f && pclose(f) && !rc) {
		oci_error("ps: %s failed", cmd);
		rc = EXIT_NOOK;
	}
	free(line);
	free(cmd);
	free(pids);
	ocs_free(&s);
	return rc;
}

/*
 * exec ID [COMMAND...]: a process in the running container, described
 * by --process FILE (a config.json "process") or by the command line,
 * made by nook exec's code (exec.c) with the bundle's config as base.
 */
static int
cmd_exec(int argc, char **argv)
{
	struct oci_extra x = { 0 };
	struct xoci e = { 0 };
	struct copts o;
	struct ocs s;
	struct cfg c;
	int at, rc;

	if ((at = cmd_opts(argc, argv, &o, 1, -1)) < 0)
		return EXIT_NOOK;
	if (!o.process && at + 1 == argc) {
		oci_error("exec: give a command or --process FILE");
		return EXIT_NOOK;
	}
	if (o.process && at + 1 < argc) {
		oci_error("exec: a command and --process: give one of them");
		return EXIT_NOOK;
	}
	if (find("exec", argv[at], &s))
		return EXIT_NOOK;
	if (strcmp(ocs_status(root_dir(), &s), "running")) {
		oci_error("exec: %s: cannot exec in a container that is %s",
		    s.id, ocs_status(root_dir(), &s));
		ocs_free(&s);
		return EXIT_NOOK;
	}
	x.process_file = o.process;
	x.args = at + 1 < argc ? argv + at + 1 : NULL;
	x.env = o.env;
	x.cwd = o.cwd;
	x.user = o.user;
	x.tty = o.tty;
	x.nnp = o.nnp;
	x.preserve_fds = o.preserve;
	x.console = o.console != NULL;
	x.exec = 1;
	if (load(&c, s.bundle, s.id, &x)) {
		cfg_free(&c);
		ocs_free(&s);
		return EXIT_NOOK;
	}
	if (c.t.tty == TTY_YES && !o.console) {
		oci_error("exec: a terminal (--tty or process.terminal) needs "
		    "--console-socket: nook-oci hands the pty to it");
		rc = EXIT_NOOK;
	} else {
		e.c = &c;
		e.pid = s.pid;
		e.start = s.start;
		e.id = s.id;
		e.detach = o.detach;
		e.pid_dir = -1;
		if (o.pid_file && (e.pid_dir = pid_dir(o.pid_file,
		    &e.pid_base)) < 0) {
			rc = EXIT_NOOK;
			goto out;
		}
		e.console_fd = o.console && c.t.tty == TTY_YES ?
		    console_connect(o.console) : -1;
		e.send_console = console_send;
		e.write_pid_file = write_pid_at;
		rc = o.console && c.t.tty == TTY_YES && e.console_fd < 0 ?
		    EXIT_NOOK : exec_oci(&e);
	}
out:
	cfg_free(&c);
	ocs_free(&s);
	return rc;
}

/* nook-oci COMMAND: runc's commands; the rest refused by name. */
int
oci_main(int argc, char **argv, int (*runner)(struct cfg *,
    struct oci_mode *))
{
	static const char *const later[] = { "pause", "resume", "events",
		"update", "checkpoint", "restore", NULL };
	const char *cmd;
	int at;
	size_t i;

	if ((at = global_opts(argc, argv)) < 0)
		return EXIT_NOOK;
	if (gopt.log)
		tee_stderr();
	if (at >= argc)
		return oci_usage(stderr);
	cmd = argv[at];
	argc -= at;
	argv += at;
	if (!strcmp(cmd, "run") || !strcmp(cmd, "create"))
		return cmd_create(argc, argv, runner);
	if (!strcmp(cmd, "start"))
		return cmd_start(argc, argv);
	if (!strcmp(cmd, "state"))
		return cmd_state(argc, argv);
	if (!strcmp(cmd, "kill"))
		return cmd_kill(argc, argv);
	if (!strcmp(cmd, "delete"))
		return cmd_delete(argc, argv);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc, argv);
	if (!strcmp(cmd, "ps"))
		return cmd_ps(argc, argv);
	if (!strcmp(cmd, "exec"))
		return cmd_exec(argc, argv);
	if (!strcmp(cmd, "spec"))
		return cmd_spec(argc, argv);
	if (!strcmp(cmd, "features") && argc == 1)
		return cmd_features();
	for (i = 0; later[i] && strcmp(later[i], cmd); i++)
		;
	if (later[i])
		oci_error("%s: not supported (nook has no freezer, update or "
		    "checkpoint)", cmd);
	else if (!strcmp(cmd, "features"))
		oci_error("features: takes no argument");
	else
		oci_error("%s: unknown command", cmd);
	return EXIT_NOOK;
}
