// SPDX-License-Identifier: MIT
/*
 * The host's cgroup hierarchies as nook finds them in /proc, the small
 * file reads and writes of cgroupfs, and the end of a cgroup: emptied
 * (cgroup.kill, or the freezer and SIGKILL on v1), removed, and the
 * stale ones of a nook killed by SIGKILL swept by the next run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#ifndef STATX_TYPE	/* a C library without statx() (musl 1.2.3) */
#include <linux/stat.h>
#endif

#include "nook.h"
#include "mount.h"

const char *const ctl_name[C_COUNT] = { "memory", "pids", "cpu", "cpuset",
	"freezer", "devices" };

/* Milliseconds on the monotonic clock. */
static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * A pause in a wait for the kernel: 50 us at first, twice as long each
 * time up to 10 ms - what is over at once costs no full 10 ms.
 */
static void
backoff(long *us)
{
	struct timespec ts = { 0, *us * 1000 };

	nanosleep(&ts, NULL);
	*us = *us >= 5000 ? 10000 : *us * 2;
}

/*
 * The next field of a line of words separated by blanks, cut out in
 * place; NULL after the last.  By hand, not with sscanf (a stream over
 * the string, a character at a time): this runs before every clone.
 */
static char *
next_field(char **p)
{
	char *s = *p + strspn(*p, " \t"), *e;

	if (!*s)
		return NULL;
	e = s + strcspn(s, " \t");
	*p = *e ? e + 1 : e;
	*e = 0;
	return s;
}

/* mountinfo's \ooo escapes (of blanks, newlines, backslashes) undone. */
static char *
unescape(char *s)
{
	char *in, *out;

	for (in = out = s; *in; in++, out++)
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' &&
		    in[2] >= '0' && in[2] <= '7' && in[3] >= '0' && in[3] <= '7') {
			*out = (char)((in[1] - '0') << 6 | (in[2] - '0') << 3 |
			    (in[3] - '0'));
			in += 3;
		} else {
			*out = *in;
		}
	*out = 0;
	return s;
}

/* The names of the kernel's controllers, from /proc/cgroups (or path). */
static void
read_subsys(char *subsys, size_t len, const char *path)
{
	char *text = state_get_file(AT_FDCWD, path, NULL);
	char *line, *save = NULL, *name, *p;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	    line = strtok_r(NULL, "\n", &save))
		if ((p = line, name = next_field(&p)) && name[0] != '#' &&
		    strlen(subsys) + strlen(name) + 2 < len)
			strcat(strcat(subsys, name), " ");
	free(text);
}

/* The controllers among a v1 hierarchy's super options. */
static char *
v1_controllers(const char *super, const char *subsys)
{
	char name[64], *out = xcalloc(1, strlen(super) + 1);
	const char *s;
	size_t n;

	for (s = super; *s; s += n + (s[n] != 0)) {
		n = strcspn(s, ",");
		snprintf(name, sizeof(name), "%.*s", (int)n, s);
		if (cg_has_word(subsys, name, " "))
			strcat(strcat(out, *out ? "," : ""), name);
	}
	return out;
}

/* Write a formatted value to DIR/FILE; 0, or -1 with errno. */
int __attribute__((format(printf, 3, 4)))
cg_put(const char *dir, const char *file, const char *fmt, ...)
{
	char path[PATH_MAX], text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_text(path, text);
}

/* The first line of DIR/FILE into buf; 0, or -1 with errno. */
int
cg_get(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Is word w in the list s of words separated by any of sep? */
int
cg_has_word(const char *s, const char *w, const char *sep)
{
	size_t n = strlen(w);

	while (*s) {
		if (!strncmp(s, w, n) && (!s[n] || strchr(sep, s[n])))
			return 1;
		s += strcspn(s, sep);
		s += *s != 0;
	}
	return 0;
}

/*
 * Is the mount with mountinfo's ID at mnt hidden under a later one, so
 * that the path leads somewhere else (a bind over it, or over a parent)?
 * statx tells which mount a path reaches (Linux 5.8); 0 when it cannot.
 */
static int
shadowed(const char *mnt, const char *id)
{
	unsigned long long n;
	struct statx sx;
	char *end;

	n = strtoull(id, &end, 10);
	if (*end || syscall(SYS_statx, AT_FDCWD, mnt, AT_NO_AUTOMOUNT,
	    STATX_MNT_ID, &sx) || !(sx.stx_mask & STATX_MNT_ID))
		return 0;
	return sx.stx_mnt_id != n;
}

/*
 * Where the hierarchies are mounted (the first full mount of each), from
 * the text of mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS
 * [OPTIONAL...] - TYPE SOURCE SUPER".  The controllers' names (path,
 * /proc/cgroups) are read once, into subsys, at the first v1 one.
 */
static void
scan_mounts(struct cg_host *h, char *text, char *subsys, size_t sublen,
    const char *cgroups, int live)
{
	char *line, *save = NULL, *p, *f[5], *t, *mnt, *type, *super;
	int i;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	    line = strtok_r(NULL, "\n", &save)) {
		p = line;
		for (i = 0; i < 5 && (f[i] = next_field(&p)); i++)
			;
		if (i < 5 || strcmp(unescape(f[3]), "/"))
			continue;
		while ((t = next_field(&p)) && strcmp(t, "-"))
			;	/* the options, then the optional fields */
		if (!t || !(type = next_field(&p)) || !next_field(&p) ||
		    !(super = next_field(&p)))
			continue;
		mnt = unescape(f[4]);
		if ((strcmp(type, "cgroup2") && strcmp(type, "cgroup")) ||
		    (live && shadowed(mnt, f[0])))
			continue;
		if (!strcmp(type, "cgroup2") && !h->v2)
			h->v2 = xstrdup(mnt);
		if (strcmp(type, "cgroup"))
			continue;
		if (!*subsys)
			read_subsys(subsys, sublen, cgroups);
		for (i = 0; i < C_COUNT; i++)
			if (!h->v1[i] && cg_has_word(super, ctl_name[i], ",")) {
				h->v1[i] = xstrdup(mnt);
				h->v1opts[i] = v1_controllers(super, subsys);
			}
		for (i = 0; i < h->nall && strcmp(h->all1opts[i] ? h->all1opts[i]
		    : "", super); i++)
			;
		if (i == h->nall && h->nall < CG_HIER - 1) {	/* a new one */
			h->all1[h->nall] = xstrdup(mnt);
			h->all1opts[h->nall++] = xstrdup(super);
		}
	}
}

/*
 * A v1 hierarchy's options as mount(2) takes them again: its controllers,
 * or its name= for one without (name=systemd).
 */
static char *
all_opts(const char *super, const char *subsys)
{
	char *c = v1_controllers(super, subsys), *n;

	if (*c || !(n = strstr(super, "name=")))
		return c;
	free(c);
	return xasprintf("none,%.*s", (int)strcspn(n, ","), n);
}

/* nook's own cgroup in each hierarchy, from /proc/self/cgroup. */
static void
scan_own(struct cg_host *h, char *text)
{
	char *line, *save = NULL;
	char *ctls, *path;
	int i;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	    line = strtok_r(NULL, "\n", &save)) {
		if (!(ctls = strchr(line, ':')) ||
		    !(path = strchr(++ctls, ':')))
			continue;
		*path++ = 0;
		if (!strcmp(line, "0:") || (!*ctls && !strncmp(line, "0", 1)))
			h->own2 = xstrdup(path);
		for (i = 0; i < C_COUNT; i++)
			if (*ctls && cg_has_word(ctls, ctl_name[i], ",") &&
			    !h->own1[i])
				h->own1[i] = xstrdup(path);
		/* ours in each hierarchy: all of its names among its options */
		for (i = 0; *ctls && i < h->nall; i++) {
			char *w, *sv = NULL, *cs = xstrdup(ctls);
			int all = 1;

			for (w = strtok_r(cs, ",", &sv); w; w = strtok_r(NULL,
			    ",", &sv))
				all &= cg_has_word(h->all1opts[i], w, ",");
			free(cs);
			if (all && !h->allown[i])
				h->allown[i] = xstrdup(path);
		}
	}
}

/* statmount(2), Linux 6.8: what the C library and the headers of an older
 * system lack */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x2000
#endif
#define NOOK_NR_STATMOUNT 457	/* the same on every architecture */
#define NOOK_STATMOUNT_SB_BASIC 0x1U
#define NOOK_STATMOUNT_MNT_ROOT 0x8U
#define NOOK_STATMOUNT_MNT_POINT 0x10U

struct nook_mnt_id_req {
	uint32_t size, spare;
	uint64_t mnt_id, param;
};

/* The fixed part of struct statmount (512 bytes; new fields take up its
 * spare room), then the strings. */
struct nook_statmount {
	uint32_t size, spare1;
	uint64_t mask;
	uint32_t sb_dev_major, sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags, fs_type;
	uint64_t mnt_id, mnt_parent_id;
	uint32_t mnt_id_old, mnt_parent_id_old;
	uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master;
	uint64_t propagate_from;
	uint32_t mnt_root, mnt_point;
	uint64_t spare2[50];
	char str[PATH_MAX * 2];
};

/*
 * Is path the top of a cgroup2 mount whose root is the root of our
 * cgroup namespace's view - what mountinfo would show as root "/" at
 * that mount point?  Told by statx and statmount, without mountinfo
 * (whose text is made from every mount of the namespace: 35 us here, far
 * more on a host with hundreds of them); 0 when it cannot be told.
 */
static int
v2_mount_root(const char *path)
{
	struct nook_statmount sm;
	struct nook_mnt_id_req req = { .size = 24 };
	struct statx sx;
	struct statfs fs;

	if (statfs(path, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC ||
	    syscall(SYS_statx, AT_FDCWD, path, AT_NO_AUTOMOUNT,
	    STATX_MNT_ID_UNIQUE, &sx) || !(sx.stx_mask & STATX_MNT_ID_UNIQUE) ||
	    !(sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
	    !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return 0;
	req.mnt_id = sx.stx_mnt_id;
	req.param = NOOK_STATMOUNT_SB_BASIC | NOOK_STATMOUNT_MNT_ROOT |
	    NOOK_STATMOUNT_MNT_POINT;
	if (syscall(NOOK_NR_STATMOUNT, &req, &sm, sizeof(sm), 0) ||
	    (sm.mask & req.param) != req.param)
		return 0;
	return sm.sb_magic == CGROUP2_SUPER_MAGIC &&
	    sm.mnt_root < sizeof(sm.str) && sm.mnt_point < sizeof(sm.str) &&
	    !strcmp(sm.str + sm.mnt_root, "/") &&
	    !strcmp(sm.str + sm.mnt_point, path);
}

/*
 * Can the container's cgroups do without the v1 hierarchies?  The v2 one
 * is known (h->v2): then plan() needs a v1 one only for version = v1,
 * hierarchies = all, devices (the v1 devices hierarchy first), or a
 * controller the unified hierarchy does not offer here.
 */
static int
v2_enough(const struct cg_host *h, const struct nook_config *t)
{
	unsigned need = cg_needed(t);
	char *p2;
	int i, yes = 1;

	if (t->cg_version == CG_V1 || (t->cg_version != CG_V2 &&
	    (t->cg_hierarchies == CG_ALL || t->cg_devices.n)))
		return 0;
	if (!need || h->pure)
		return 1;
	p2 = cg_parent_dir(t, h->v2, h->own2);
	for (i = 0; i < C_FREEZER && yes; i++)
		if (need & 1u << i)
			yes = cg_v2_offers(p2, i);
	free(p2);
	return yes;
}

/*
 * The hierarchies from the text of a mountinfo and of a /proc/PID/cgroup
 * (both cut up in place), /proc/cgroups at path cgroups read if a v1 one
 * is mounted; live: the mounts are this host's, so that a path hidden
 * under another mount is passed over.  Apart from cg_host_scan for the
 * unit test.
 */
void
cg_host_parse(struct cg_host *h, char *mountinfo, char *own,
    const char *cgroups, int live)
{
	char subsys[4096] = "", *o;
	int i;

	memset(h, 0, sizeof(*h));
	scan_mounts(h, mountinfo, subsys, sizeof(subsys), cgroups, live);
	scan_own(h, own);
	for (i = 0; i < h->nall; i++) {	/* the raw options served scan_own */
		if (!*subsys)
			read_subsys(subsys, sizeof(subsys), cgroups);
		o = all_opts(h->all1opts[i], subsys);
		free(h->all1opts[i]);
		h->all1opts[i] = o;
	}
}

/*
 * What the host offers for config t (NULL: everything).  When the v2
 * hierarchy is where systemd mounts it - /sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on a hybrid host - and the container needs no
 * v1 one, mountinfo is not read at all.  Otherwise it is, whole at once:
 * read in small pieces, the kernel walks the mounts again for each piece.
 */
void
cg_host_scan(struct cg_host *h, const struct nook_config *t)
{
	char *own = state_get_file(AT_FDCWD, "/proc/self/cgroup", NULL);
	char *mounts, *copy;
	struct statfs fs;
	int pure = !statfs("/sys/fs/cgroup", &fs) &&
	    fs.f_type == CGROUP2_SUPER_MAGIC;
	const char *v2 = pure ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";

	if (t && own && v2_mount_root(v2)) {
		copy = xstrdup(own);
		cg_host_parse(h, NULL, copy, NULL, 0);
		free(copy);
		h->v2 = xstrdup(v2);
		h->pure = pure;
		if (v2_enough(h, t)) {
			free(own);
			return;
		}
		cg_host_free(h);
	}
	mounts = state_get_file(AT_FDCWD, "/proc/self/mountinfo", NULL);
	cg_host_parse(h, mounts, own, "/proc/cgroups", 1);
	free(mounts);
	free(own);
	h->pure = pure;
}

void
cg_host_free(struct cg_host *h)
{
	int i;

	free(h->v2);
	free(h->own2);
	for (i = 0; i < h->nall; i++) {
		free(h->all1[i]);
		free(h->all1opts[i]);
		free(h->allown[i]);
	}
	for (i = 0; i < C_COUNT; i++) {
		free(h->v1[i]);
		free(h->v1opts[i]);
		free(h->own1[i]);
	}
}

/* When process pid started, in seconds since the epoch; -1 if gone. */
static long long
started_at(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks = 0, btime = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "re")))
		return -1;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	for (i = 0; p && i < 20; i++)	/* field 22, after the name */
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, "%llu", &ticks) != 1 ||
	    !(f = fopen("/proc/stat", "re")))
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	return (long long)(btime + ticks / (unsigned long long)
	    sysconf(_SC_CLK_TCK));
}

/*
 * The nook that made dir (named for its pid) still runs: a process called
 * nook holds the pid, and it is not a newer one that reuses it.
 */
static int
owner_runs(const char *dir, int pid)
{
	char proc[32], comm[32];
	struct stat st;
	long long t;

	snprintf(proc, sizeof(proc), "/proc/%d", pid);
	if (cg_get(proc, "comm", comm, sizeof(comm)) || strcmp(comm, "nook"))
		return 0;
	t = started_at(pid);
	return t < 0 || stat(dir, &st) || t <= (long long)st.st_ctime + 1;
}

/*
 * The processes in dir and below it, each sent sig when sig is not 0;
 * how many were listed (with sig 0: stop at the first).
 */
static int
each_proc(const char *dir, int sig)
{
	char path[PATH_MAX];
	struct dirent *e;
	int pid, n = 0;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if ((f = fopen(path, "re"))) {
		/* 0: a process of a PID namespace that cannot see it */
		while ((sig || !n) && fscanf(f, "%d", &pid) == 1)
			if (n++, sig && pid > 0)
				kill(pid, sig);
		fclose(f);
	}
	if ((!sig && n) || !(d = opendir(dir)))
		return n;
	while ((sig || !n) && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			n += each_proc(path, sig);
		}
	closedir(d);
	return n;
}
/*
 * Is the v2 cgroup whose cgroup.events is open as fd empty?  Read through
 * the open file, so that a poll() on it after this wakes at the next change.
 */
static int
unpopulated(int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return 0;
	buf[n] = 0;
	return !strncmp(buf, "populated 0\n", 12);
}

/* Freeze a v1 freezer cgroup, waiting at most 1 s; 1 once frozen. */
static int
freeze(const char *dir)
{
	char buf[64];
	long long end = mono_ms() + 1000;
	long us = 50;

	if (cg_put(dir, "freezer.state", "FROZEN"))
		return 0;
	for (;;) {
		if (!cg_get(dir, "freezer.state", buf, sizeof(buf)) &&
		    !strcmp(buf, "FROZEN"))
			return 1;
		if (mono_ms() >= end)
			return 0;
		backoff(&us);
	}
}

/*
 * Kill everything in a cgroup and wait, at most 5 s, until it is empty:
 * v2 in one write to cgroup.kill, then woken by cgroup.events when it
 * empties; v1 frozen first when it is a freezer cgroup (nothing forks
 * while the list is read), then SIGKILL to each, every second again.
 */
int
cg_empty_out(const char *dir, int v2)
{
	char path[PATH_MAX];
	long long start = mono_ms(), next = start, now;
	long us = 50;
	int frozen, killer, fd = -1;

	if (v2) {
		snprintf(path, sizeof(path), "%s/cgroup.events", dir);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	/* v2, the common end: the container's processes are all gone */
	if (fd >= 0 && unpopulated(fd)) {
		close(fd);
		return 0;
	}
	killer = v2 && cg_put(dir, "cgroup.kill", "1") == 0;
	frozen = !v2 && freeze(dir);
	for (now = start; now - start < 5000; now = mono_ms()) {
		if (fd >= 0 && unpopulated(fd))
			break;
		if (!killer || now >= next + 1000) {
			next = now;
			if (each_proc(dir, SIGKILL) == 0 && !v2)
				break;
		}
		if (frozen && cg_put(dir, "freezer.state", "THAWED") == 0)
			frozen = 0;
		if (fd < 0 || poll(&(struct pollfd){ .fd = fd,
		    .events = POLLPRI }, 1, 10) < 0)
			backoff(&us);
	}
	if (fd >= 0)
		close(fd);
	return now - start < 5000 ? 0 : -1;
}

/* rmdir a cgroup and those the container made below it. */
int
cg_rm_tree(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	long long end;
	long us = 50;
	DIR *d;

	if (rmdir(dir) == 0)	/* no cgroup below it, no process in it */
		return 0;
	if ((d = opendir(dir))) {
		while ((e = readdir(d)))
			if (e->d_type == DT_DIR && e->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", dir,
				    e->d_name);
				cg_rm_tree(path);
			}
		closedir(d);
	}
	/* a process just killed may take a moment to leave: 1 s at most */
	for (end = mono_ms() + 1000; rmdir(dir) && errno == EBUSY &&
	    mono_ms() < end; )
		backoff(&us);
	return access(dir, F_OK) ? 0 : -1;
}

/*
 * A nook killed with SIGKILL cannot clean up: its cgroups, named
 * nook-NAME-PID, stay behind (its container died with it: the
 * parent-death signal).  The next run removes those of parent whose nook
 * is gone - only when empty: a cgroup that still holds processes may not
 * be nook's at all, and nothing of anyone else's is ever killed.
 */
void
cg_sweep_dir(const char *parent)
{
	char path[PATH_MAX], *dash;
	struct dirent *e;
	DIR *d = opendir(parent);
	int pid;

	while (d && (e = readdir(d))) {
		dash = strrchr(e->d_name, '-');
		if (e->d_type != DT_DIR || strncmp(e->d_name, "nook-", 5) ||
		    dash < e->d_name + 5 || !dash[1] ||
		    strspn(dash + 1, "0123456789") != strlen(dash + 1))
			continue;
		pid = atoi(dash + 1);
		snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
		if (pid == getpid() || owner_runs(path, pid))
			continue;
		if (each_proc(path, 0)) {
			nook_info("left the cgroup %s: its nook, pid %d, is gone "
			    "but processes are still in it", path, pid);
			continue;
		}
		if (cg_rm_tree(path) == 0)
			nook_info("removed the stale cgroup %s (its nook, pid "
			    "%d, is gone)", path, pid);
	}
	if (d)
		closedir(d);
}

/* Is one of the run's cgroups right below parent? */
static int
ours_below(const struct run *r, const char *parent)
{
	size_t len = strlen(parent);
	const char *d;
	int i;

	for (i = 0; i < r->cg.n; i++) {
		d = r->cg.h[i].dir;
		if (d && !strncmp(d, parent, len) && d[len] == '/' &&
		    !strchr(d + len + 1, '/'))
			return 1;
	}
	return 0;
}

/*
 * The parents to sweep, into out (1 + C_COUNT of them at most): where
 * this run puts its own cgroups - a nook killed there with the same
 * config left its own beside them.  (Reading every hierarchy's parent
 * cost 8 directory reads a start on a v1 host.)  Their count.
 */
int
cg_sweep_list(const struct run *r, const struct cg_host *h, char **out)
{
	int i, n = 0;

	if (h->v2)
		out[n++] = cg_parent_dir(r->t, h->v2, h->own2);
	for (i = 0; i < C_COUNT; i++)
		if (h->v1[i])
			out[n++] = cg_parent_dir(r->t, h->v1[i], h->own1[i]);
	for (i = 0; i < n; i++)
		if (!ours_below(r, out[i])) {
			free(out[i]);
			out[i--] = out[--n];
		}
	return n;
}
