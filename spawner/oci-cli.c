// SPDX-License-Identifier: MIT
/* nook-oci: runc's command line (phase 1: run, spec, features). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cap-ng.h>
#include <getopt.h>

#include "oci-int.h"

/* ---- the command line: runc's, phase 1 ---- */

#ifndef NOOK_VERSION
#define NOOK_VERSION "0.0.0"
#endif
#ifndef NOOK_GIT
#define NOOK_GIT "unknown"
#endif
#define OCI_SPEC_VERSION "1.1.0"

struct gopts {
	const char *root, *log;
	int json;		/* --log-format json */
};

static struct gopts gopt;

/* An error on stderr, and in --log in its format as runc writes it. */
static void
oci_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
oci_error(const char *fmt, ...)
{
	char *msg, stamp[40];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	FILE *f;
	jobj *o;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		nook_oom();
	va_end(ap);
	fprintf(stderr, "nook-oci: %s\n", msg);
	if (gopt.log && (f = fopen(gopt.log, "ae"))) {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (gopt.json && (o = json_object_new_object())) {
			json_object_object_add(o, "level",
			    json_object_new_string("error"));
			json_object_object_add(o, "msg",
			    json_object_new_string(msg));
			json_object_object_add(o, "time",
			    json_object_new_string(stamp));
			fprintf(f, "%s\n", json_object_to_json_string_ext(o,
			    JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		} else if ((o = json_object_new_string(msg))) {
			/* logrus's text: msg quoted and escaped */
			fprintf(f, "time=\"%s\" level=error msg=%s\n", stamp,
			    json_object_to_json_string_ext(o,
			    JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		}
		fclose(f);
	}
	free(msg);
}

static int
oci_usage(FILE *f)
{
	fputs("usage: nook-oci [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
	    "An OCI runtime with runc's command line (phase 1).\n\n"
	    "  run [--bundle DIR] ID   run the bundle's container in the "
	    "foreground\n"
	    "  spec [--bundle DIR]     write a default config.json\n"
	    "  features                print what this runtime supports, "
	    "as JSON\n\n"
	    "  --root DIR, --log FILE, --log-format text|json, --debug,\n"
	    "  --version, --help\n"
	    "Exit status: the container's, 125 for nook-oci's own errors.  "
	    "See nook-oci(1).\n", f);
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

/* A command's options: --bundle/-b DIR only, then n operands. */
static int
cmd_opts(int argc, char **argv, const char **bundle, int n)
{
	static const struct option lo[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+b:", lo, NULL)) != -1) {
		if (ch != 'b') {
			oci_error("%s: %s: not supported yet (phase 1 takes "
			    "--bundle)", argv[0], argv[optind - 1]);
			return -1;
		}
		*bundle = optarg;
	}
	if (argc - optind != n) {
		oci_error("%s: expected %s", argv[0], n ? "a container ID" :
		    "no argument");
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
	const char *bundle = ".";
	char *path;
	FILE *f;
	int fd, rc = 0;

	if (cmd_opts(argc, argv, &bundle, 0) < 0)
		return EXIT_NOOK;
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

/* features: what phase 1 honours (runtime-spec features.md). */
static int
cmd_features(void)
{
	static const char *const none[] = { NULL };
	static const char *const opts[] = { "bind", "rbind", "ro", "rw",
		"nosuid", "nodev", "noexec", NULL };
	static const char *const ns[] = { "cgroup", "ipc", "mount",
		"network", "pid", "time", "user", "uts", NULL };
	jobj *f = json_object_new_object(), *l = json_object_new_object(),
	    *cg = json_object_new_object();

	json_object_object_add(f, "ociVersionMin",
	    json_object_new_string("1.0.0"));
	json_object_object_add(f, "ociVersionMax",
	    json_object_new_string("1.2.0"));
	json_object_object_add(f, "hooks", strings(none));
	json_object_object_add(f, "mountOptions", strings(opts));
	json_object_object_add(l, "namespaces", strings(ns));
	json_object_object_add(l, "capabilities", cap_names());
	json_object_object_add(cg, "v1", json_object_new_boolean(1));
	json_object_object_add(cg, "v2", json_object_new_boolean(1));
	json_object_object_add(cg, "systemd", json_object_new_boolean(0));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(0));
	json_object_object_add(l, "cgroup", cg);
	json_object_object_add(l, "seccomp", flag(0));
	json_object_object_add(l, "apparmor", flag(0));
	json_object_object_add(l, "selinux", flag(0));
	json_object_object_add(f, "linux", l);
	puts(json_object_to_json_string_ext(f, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(f);
	return fflush(stdout) ? EXIT_NOOK : 0;
}

/* run: load the bundle as the container ID, run it, its status. */
static int
cmd_run(int argc, char **argv, int (*runner)(struct cfg *))
{
	const char *bundle = ".";
	struct cfg c;
	size_t i;
	int rc, at;

	if ((at = cmd_opts(argc, argv, &bundle, 1)) < 0)
		return EXIT_NOOK;
	if (oci_load_bundle(&c, bundle, argv[at]) == 0)
		cfg_check_host(&c);
	cfg_sort_errors(&c);
	for (i = 0; i < c.nerrs; i++)
		oci_error("%s", c.errs[i]);
	if (c.oom)
		oci_error("%s: out of memory reading it", c.file);
	rc = c.nerrs || c.oom ? EXIT_NOOK : runner(&c);
	cfg_free(&c);
	return rc;
}

/*
 * nook-oci COMMAND: phase 1 runs a container in the foreground; the
 * others runc has are refused by name, never pretended.
 */
int
oci_main(int argc, char **argv, int (*runner)(struct cfg *))
{
	static const char *const later[] = { "create", "start", "state",
		"kill", "delete", "exec", "ps", "list", "pause", "resume",
		"events", "update", "checkpoint", "restore", NULL };
	const char *cmd;
	int at;
	size_t i;

	if ((at = global_opts(argc, argv)) < 0)
		return EXIT_NOOK;
	if (at >= argc)
		return oci_usage(stderr);
	cmd = argv[at];
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - at, argv + at, runner);
	if (!strcmp(cmd, "spec"))
		return cmd_spec(argc - at, argv + at);
	if (!strcmp(cmd, "features") && at + 1 == argc)
		return cmd_features();
	for (i = 0; later[i] && strcmp(later[i], cmd); i++)
		;
	if (later[i])
		oci_error("%s: not supported yet (phase 1: run, spec, "
		    "features)", cmd);
	else if (!strcmp(cmd, "features"))
		oci_error("features: takes no argument");
	else
		oci_error("%s: unknown command", cmd);
	return EXIT_NOOK;
}
