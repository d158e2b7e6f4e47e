// SPDX-License-Identifier: MIT
/*
 * Running containers: a record per container under the state directory,
 * and the commands that use them - nook ps, nook exec, nook stop.
 *
 * The record of NAME is the file BASE/NAME (BASE: /run/nook/containers
 * for root, $XDG_RUNTIME_DIR/nook/containers otherwise), empty: the nook
 * that runs the container holds an exclusive flock on it for as long as
 * it runs: a lock that is free means the nook is gone, whatever the files
 * say, and the kernel drops it however nook dies.  Beside it, its parts:
 * NAME@state (pids, start times, ids, cgroups: see write_state) and
 * NAME@config.ini (the effective config, for nook exec; the environment
 * nook exec reads from the container's PID 1).  Files, not a directory
 * of them: removing a directory costs some file systems far more (ext4
 * evicts it through its orphan list, 0.2 ms of a start here), and '@'
 * cannot be in a container's name.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"

#ifndef RENAME_EXCHANGE	/* <linux/fs.h>, which <sys/mount.h> clashes with */
#define RENAME_EXCHANGE (1 << 1)
#endif

/* A stop that takes longer than stop_timeout by this much failed. */

static char base_path[PATH_MAX];	/* the state directory */

/* DIR under fd AT, made if asked; ours and closed to others, or -1. */
static int
open_owned(int at, const char *dir, int create)
{
	struct stat st;
	int fd;

	fd = openat(at, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(at, dir, 0700) && errno != EEXIST)
			return -1;
		fd = openat(at, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	}
	if (fd < 0 || fstat(fd, &st))
		return -1;
	if (st.st_uid != nook_euid() || (st.st_mode & 022)) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/*
 * The state directory, STATE/nook/containers (STATE: /run, or
 * $XDG_RUNTIME_DIR), made if missing: -1 after saying why, -2 when there
 * is none and create is 0.  It must be ours and closed to others: a
 * record planted there would aim nook stop's signal, or nook exec.
 * "containers", not the records right in nook/: that holds other locks
 * (idmap.c's "ranges"), which a container could be named after.
 */
int
state_base(int create)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int top, fd = -1, e;
	size_t e2;

	if (nook_euid() != 0 && (!xdg || *xdg != '/')) {
		fputs("nook: XDG_RUNTIME_DIR is not set (or not absolute): no "
		    "place for the records of running containers\n", stderr);
		return -1;
	}
	snprintf(base_path, sizeof(base_path), "%s/nook", nook_euid() ? xdg :
	    "/run");
	if ((top = open_owned(AT_FDCWD, base_path, create)) >= 0)
		fd = open_owned(top, "containers", create);
	e = errno;
	if (top >= 0)
		close(top);
	e2 = strlen(base_path);
	snprintf(base_path + e2, sizeof(base_path) - e2, "/containers");
	if (fd < 0 && e == ENOENT && !create)
		return -2;
	if (fd < 0)
		fprintf(stderr, "nook: %s: %s\n", base_path, e == EPERM ?
		    "not ours, or writable by others: not used" : strerror(e));
	return fd;
}

/* The file PART of record NAME, beside it: NAME@PART. */
static const char *
part(char *buf, size_t len, const char *name, const char *what)
{
	snprintf(buf, len, "%s@%s", name, what);
	return buf;
}

/*
 * Empty a record: its parts, and the temporary ones of a nook killed
 * while it wrote them (.NAME@PART.tmp).  1 if there was any.
 */
static int
empty_record(int base, const char *name)
{
	int dfd = openat(base, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), any = 0;
	size_t n = strlen(name);
	struct dirent *d;
	const char *f;
	DIR *dir;

	if (dfd < 0 || !(dir = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((d = readdir(dir))) {
		f = d->d_name + (d->d_name[0] == '.');
		if (!strncmp(f, name, n) && f[n] == '@' &&
		    !unlinkat(base, d->d_name, 0))
			any = 1;
	}
	closedir(dir);
	return any;
}

/*
 * A record directory of an older nook: held, 1; else emptied and removed,
 * 0 (to try again), -1 on failure.
 */
static int
old_record(int base, const char *name, int fd)
{
	int dfd, rc = -1;
	struct dirent *d;
	DIR *dir;

	if (flock(fd, LOCK_EX | LOCK_NB))
		return errno == EWOULDBLOCK ? 1 : -1;
	if ((dfd = dup(fd)) >= 0 && (dir = fdopendir(dfd))) {
		while ((d = readdir(dir)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				unlinkat(fd, d->d_name, 0);
		closedir(dir);
		rc = unlinkat(base, name, AT_REMOVEDIR) && errno != ENOENT ?
		    -1 : 0;
	} else if (dfd >= 0) {
		close(dfd);
	}
	return rc;
}

/*
 * Lock the record NAME: 0 locked (*fd), 1 held by someone else, -2 no
 * such record, -1 error; 3 locked and made just now, so empty.  Whoever
 * removes a record does so holding its lock, so one we locked may
 * already be gone: then try again.
 */
int
state_lock(int base, const char *name, int create, int *fd)
{
	struct stat a, b;
	int made, rc;

	for (;;) {
		*fd = create ? openat(base, name, O_RDONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
		made = *fd >= 0;
		if (create && !made && errno != EEXIST)
			return -1;
		if (!made)
			*fd = openat(base, name, O_RDONLY | O_NOFOLLOW |
			    O_NONBLOCK | O_CLOEXEC);
		if (*fd < 0)
			return errno == ENOENT ? -2 : -1;
		if (fstat(*fd, &a) || !(S_ISREG(a.st_mode) ||
		    S_ISDIR(a.st_mode))) {
			close(*fd);
			*fd = -1;
			return errno = EINVAL, -1;
		}
		if (S_ISDIR(a.st_mode)) {
			rc = old_record(base, name, *fd);
			close(*fd);
			*fd = -1;
			if (rc)
				return rc;
			continue;
		}
		if (flock(*fd, LOCK_EX | LOCK_NB)) {
			close(*fd);
			*fd = -1;
			return errno == EWOULDBLOCK ? 1 : -1;
		}
		if (!fstatat(base, name, &b, AT_SYMLINK_NOFOLLOW) &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return made ? 3 : 0;
		close(*fd);	/* removed under us: a new one, or none */
	}
}

/*
 * Remove a record we hold locked, then let go of it: its parts, then the
 * lock file.  Our own at the end (own set): the parts nook wrote, by
 * name; a stale one: whatever parts it has.
 */
void
state_remove(int base, const char *name, int fd, int own)
{
	static const char *const files[] = { "config.ini", "state" };
	char buf[96];
	size_t i;

	if (own)
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			unlinkat(base, part(buf, sizeof(buf), name, files[i]),
			    0);
	else
		empty_record(base, name);
	unlinkat(base, name, 0);
	close(fd);
}

/*
 * /proc/PID/stat field 22: with the pid, who the process is. 0: gone.
 * With state: field 3, its state letter (Z: a zombie), 0 when gone.
 */
unsigned long long
state_proc_stat(pid_t pid, char *state)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, i;

	if (state)
		*state = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	if (!(p = strrchr(buf, ')')))
		return 0;
	if (state && p[1] == ' ')
		*state = p[2];
	for (i = 0, p++; p && i < 19; i++)	/* from the space before 3 */
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

unsigned long long
state_proc_start(pid_t pid)
{
	return state_proc_stat(pid, NULL);
}

/*
 * A pidfd of PID if it is still the process that started at START:
 * opened first, so a match read after it cannot be a recycled pid.
 */
int
state_pidfd(pid_t pid, unsigned long long start)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0 && state_proc_start(pid) != start) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}


/*
 * A whole file of a record or /proc, NUL-terminated; NULL on failure.
 * In one read where it fits: a /proc file read in pieces is made again
 * for each piece.
 */
char *
state_get_file(int dirfd, const char *file, size_t *len)
{
	char small[16384], *buf = NULL, *nb;
	size_t cap = sizeof(small), n = 0;
	ssize_t k = 1;
	int fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	/* most fit the stack: one allocation of their size, no 64 KiB one
	 * made and dropped (musl maps and unmaps those at once) */
	while (fd >= 0 && n < cap && (k = read(fd, small + n, cap - n)) > 0)
		n += (size_t)k;
	if (fd >= 0 && k == 0 && (buf = malloc(n + 1)))
		memcpy(buf, small, n);
	while (fd >= 0 && k > 0 && cap < (1 << 24)) {
		if (!(nb = realloc(buf, (cap *= 2) + 1)))
			break;
		if (!buf)
			memcpy(nb, small, n);
		buf = nb;
		while (n < cap && (k = read(fd, buf + n, cap - n)) > 0)
			n += (size_t)k;
	}
	if (fd >= 0)
		close(fd);
	if (fd < 0 || k != 0 || !buf) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* One "key value" line of the state file into rec. */
static void
state_line(struct state_rec *rec, const char *key, char *v)
{
	char *end;
	size_t n;

	if (!strcmp(key, "name"))
		snprintf(rec->name, sizeof(rec->name), "%s", v);
	else if (!strcmp(key, "nook_pid"))
		rec->nook_pid = (pid_t)atoi(v);
	else if (!strcmp(key, "nook_start"))
		rec->nook_start = strtoull(v, NULL, 10);
	else if (!strcmp(key, "stop_timeout"))
		rec->stop_timeout = strtoll(v, NULL, 10);
	else if (!strcmp(key, "config"))
		snprintf(rec->conf, sizeof(rec->conf), "%s", v);
	else if (!strcmp(key, "pid"))
		rec->pid = (pid_t)atoi(v);
	else if (!strcmp(key, "start"))
		rec->start = strtoull(v, NULL, 10);
	else if (!strcmp(key, "uid"))
		rec->uid = (uid_t)strtoul(v, NULL, 10);
	else if (!strcmp(key, "gid"))
		rec->gid = (gid_t)strtoul(v, NULL, 10);
	else if (!strcmp(key, "groups"))
		for (rec->ngroups = 0; rec->ngroups < 64; rec->ngroups++) {
			rec->groups[rec->ngroups] = (gid_t)strtoul(v, &end, 10);
			if (end == v)
				break;
			v = end;
		}
	else if (!strcmp(key, "cgroup") && (n = strlen(rec->cgroup)) +
	    strlen(v) + 2 < sizeof(rec->cgroup))
		sprintf(rec->cgroup + n, "%s\n", v);
}

/* Read the record's state (in rec->dirfd) into rec: 0, or -1 when none. */
int
state_read(struct state_rec *rec)
{
	char buf[96];
	char *text = state_get_file(rec->dirfd, part(buf, sizeof(buf),
	    rec->rname, "state"), NULL);
	char *line, *save, *sp;

	if (!text)
		return -1;
	rec->cgroup[0] = 0;
	for (line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		if (!(sp = strchr(line, ' ')))
			continue;
		*sp = 0;
		state_line(rec, line, sp + 1);
	}
	free(text);
	return rec->nook_pid > 0 ? 0 : -1;
}

/*
 * Write FILE in the record whole or not at all: readers never see half.
 * A file that is there already is swapped with the new one, then removed:
 * a rename over it would make ext4 write the new one out first (its
 * auto_da_alloc), which took most of a millisecond here.
 */
static int
put_file(int dirfd, const char *file, const char *text, size_t len)
{
	char tmp[64];
	ssize_t n = 0;
	size_t off;
	int fd, e;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", file);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	for (off = 0; off < len && (n = write(fd, text + off, len - off)) > 0;
	    off += (size_t)n)
		;
	e = errno;
	if (close(fd) || off < len) {
		if (off < len)
			errno = n < 0 ? e : EIO;
	} else if (syscall(SYS_renameat2, dirfd, tmp, dirfd, file,
	    RENAME_EXCHANGE) == 0) {
		unlinkat(dirfd, tmp, 0);
		return 0;
	} else if (renameat(dirfd, tmp, dirfd, file) == 0) {
		return 0;
	}
	e = errno;
	unlinkat(dirfd, tmp, 0);
	errno = e;
	return -1;
}

/* The state part: nook's lines, and TAIL (the container's) once known. */
static int
write_state(struct run *r, const char *tail)
{
	char *text = xasprintf("name %s\nnook_pid %d\nnook_start %llu\n"
	    "stop_timeout %lld\nconfig %s\n%s", r->t->name, (int)getpid(),
	    r->st.nook_start, r->t->stop_timeout, r->st.conf, tail);
	char buf[96];
	int rc = put_file(r->st.base, part(buf, sizeof(buf), r->t->name,
	    "state"), text, strlen(text));

	free(text);
	return rc;
}

/*
 * The effective config, --set included: what nook exec rebuilds the
 * process from.  Its command is not exec's and may hold a newline, which
 * INI cannot: a stand-in goes there.  1 when the config cannot be
 * printed still (a newline in another value): nook exec then refuses.
 */
static int
write_config(struct run *r)
{
	struct cfg *c = r->c;
	struct ent saved = c->e[K_COMMAND];
	struct val cmd = { .s = "/nook-exec-runs-its-own-command" };
	size_t len = 0, nerrs = c->nerrs;
	char *buf = NULL, name[96];
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return -1;
	c->e[K_COMMAND] = (struct ent){ .v = &cmd, .n = 1, .set = 1,
	    .given = saved.given };
	rc = cfg_print(c, f);
	c->e[K_COMMAND] = saved;
	while (c->nerrs > nerrs)	/* not errors of this run */
		free(c->errs[--c->nerrs]);
	if (fclose(f) || rc) {
		free(buf);
		return rc ? 1 : -1;
	}
	rc = put_file(r->st.base, part(name, sizeof(name), r->t->name,
	    "config.ini"), buf, len);
	free(buf);
	return rc;
}

/*
 * Another nook holds NAME.  Refuse at once when its record shows a live
 * nook; a lock without one is a nook still writing it, or a nook ps
 * looking: 1 to try again.
 */
static int
claim_busy(struct run *r, const char *name)
{
	struct state_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.dirfd = r->st.base;
	snprintf(rec.rname, sizeof(rec.rname), "%s", name);
	if (state_read(&rec) || strcmp(rec.name, name) ||
	    !state_proc_start(rec.nook_pid) ||
	    state_proc_start(rec.nook_pid) != rec.nook_start)
		return 1;
	fprintf(stderr, "nook: %s: a container of this name is running (pid "
	    "%d, nook pid %d); see nook ps\n", name, (int)rec.pid,
	    (int)rec.nook_pid);
	return -1;
}

/*
 * Before the clone, signals blocked: lock the record of our name, or
 * refuse while another nook holds it.  A record nobody holds is what a
 * killed nook left: emptied and taken over.
 */
int
state_claim(struct run *r)
{
	const char *name = r->t->name;
	int rc, tries;

	r->st.fd = r->st.base = -1;
	r->st.claimed = 1;
	if (r->oci)	/* nook-oci keeps its own state, under --root */
		return 0;
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		fprintf(stderr, "nook: %s: \"%s\" cannot name a running "
		    "container\n", key_label(K_NAME), name);
		return -1;
	}
	if ((r->st.base = state_base(1)) < 0)
		return -1;
	if (!realpath(r->c->file, r->st.conf))
		snprintf(r->st.conf, sizeof(r->st.conf), "%s", r->c->file);
	r->st.conf[strcspn(r->st.conf, "\n")] = 0;
	r->st.nook_start = state_proc_start(getpid());
	for (tries = 0; (rc = state_lock(r->st.base, name, 1,
	    &r->st.fd)) == 1; tries++) {
		if (claim_busy(r, name) < 0)
			return -1;
		if (tries == 108) {	/* 2 s of the waits below */
			fprintf(stderr, "nook: %s: its record is held by "
			    "another nook that is starting or stopping it\n",
			    name);
			return -1;
		}
		/* a nook ps lets go within a millisecond: 50 us, 100 us, ... */
		usleep(tries < 9 ? 50U << tries : 20000);
	}
	if (rc < 0) {
		fprintf(stderr, "nook: %s: lock its record: %s\n", name,
		    strerror(errno));
		return -1;
	}
	if (rc == 0 && empty_record(r->st.base, name))
		nook_info("%s: removed the record of a container that is gone",
		    name);
	return 0;
}

/*
 * While the child builds the container (the parent has nothing else to
 * do then, and a core to do it on): nook's part of the record - what
 * nook ps shows as "setup" and nook stop finds nook by - and the config
 * nook exec rebuilds the container from.  Until then a record without a
 * state is one being written: nook ps skips it, a second nook of the
 * same name waits for it.
 */
int
state_setup(struct run *r)
{
	if (r->st.fd < 0)
		return 0;
	if (write_state(r, "")) {
		fprintf(stderr, "nook: %s: write its record: %s\n",
		    r->t->name, strerror(errno));
		return -1;
	}
	if ((r->st.config_rc = write_config(r)) > 0)
		nook_info("%s: a value of the config has a newline: nook "
		    "exec cannot rebuild it", r->t->name);
	return 0;
}

static char *
proc_file(pid_t pid, const char *file, size_t *len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return state_get_file(AT_FDCWD, path, len);
}

/* The id that host id ID is inside, by MAP (a uid_map's text). */
static unsigned long long
map_inside(const char *map, unsigned long long id)
{
	unsigned long long in, out, count;
	int n;

	while (map && sscanf(map, "%llu %llu %llu%n", &in, &out, &count,
	    &n) == 3) {
		if (id >= out && id - out < count)
			return in + (id - out);
		map = strchr(map + n, '\n');
	}
	return 65534;	/* the overflow id, as the kernel shows it */
}

/* "uid N\ngid N\ngroups N...\n" of PID, as it sees them itself. */
static char *
ids_part(pid_t pid)
{
	char *st = proc_file(pid, "status", NULL), *p, *end, *out;
	char *um = proc_file(pid, "uid_map", NULL);
	char *gm = proc_file(pid, "gid_map", NULL);
	unsigned long long uid = 65534, gid = 65534, g;
	size_t len;
	FILE *f;

	if (!(f = open_memstream(&out, &len)))
		nook_oom();
	if (st && (p = strstr(st, "\nUid:")))
		uid = map_inside(um, strtoull(p + 5, NULL, 10));
	if (st && (p = strstr(st, "\nGid:")))
		gid = map_inside(gm, strtoull(p + 5, NULL, 10));
	fprintf(f, "uid %llu\ngid %llu\ngroups", uid, gid);
	if (st && (p = strstr(st, "\nGroups:")))
		for (p += 8; (g = strtoull(p, &end, 10)), end != p; p = end)
			fprintf(f, " %llu", map_inside(gm, g));
	fputc('\n', f);
	fclose(f);
	free(st);
	free(um);
	free(gm);
	return out;
}

/* "cgroup LINE" for each hierarchy PID is in (one on a v2 host). */
static char *
cgroup_part(pid_t pid)
{
	char *text = proc_file(pid, "cgroup", NULL), *line, *save, *out;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		nook_oom();
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	    line = strtok_r(NULL, "\n", &save))
		fprintf(f, "cgroup %s\n", line);
	fclose(f);
	free(text);
	return out;
}

/* Has pid, our child, exited (reaped or not)?  *e keeps errno. */
static int
exited(pid_t pid, int *e)
{
	siginfo_t si = { .si_pid = 0 };

	*e = errno;
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) ||
	    si.si_pid == pid;
}

/*
 * Once the container's first process has exec'd (so while it starts, not
 * in the way of the setup): who it is (pid and start time), its cgroups
 * and ids - what ps, exec and stop need.  A failure here
 * leaves the container running, unfindable by nook exec: said, not fatal.
 */
int
state_record(struct run *r)
{
	char *ids, *cg, *tail;
	int rc, e;

	if (r->st.fd < 0)
		return -1;
	rc = r->st.config_rc;
	ids = ids_part(r->pid);
	cg = cgroup_part(r->pid);
	tail = xasprintf("pid %d\nstart %llu\n%s%s", (int)r->pid,
	    state_proc_start(r->pid), ids, cg);
	rc = rc < 0 || write_state(r, tail) ? -1 : 0;
	/* a container already over, or on its way out (its memory gone
	 * before it is a zombie: ESRCH), has nothing to find: only a failure
	 * while it runs is worth a word */
	if (rc && !exited(r->pid, &e) && e != ESRCH && e != ENOENT)
		nook_warn("%s: cannot record the running container: %s",
		    r->t->name, strerror(e));
	free(ids);
	free(cg);
	free(tail);
	return rc;
}

/* At the end, whatever happened: the record goes, then the lock. */
void
state_release(struct run *r)
{
	if (r->st.fd >= 0)
		state_remove(r->st.base, r->t->name, r->st.fd, 1);
	if (r->st.base >= 0)
		close(r->st.base);
	r->st.fd = r->st.base = -1;
}

/*
 * The record of a running container NAME, into rec (rec->dirfd: the
 * state directory, open):
 * 0, or -1 after saying why.  A record nobody holds is removed on the
 * way: its nook is gone.
 */
int
state_find(const char *name, struct state_rec *rec)
{
	int base, fd, rc;
	size_t n;

	memset(rec, 0, sizeof(*rec));
	rec->dirfd = -1;
	n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.");
	if (!n || name[n] || n > 64 || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		/* [container] name's rule; only the part that fits is shown:
		 * the rest may hold a newline or a terminal's escape */
		fprintf(stderr, "nook: \"%.*s\"%s: not a container name "
		    "(1-64 characters of A-Z a-z 0-9 - _ .)\n",
		    (int)(n > 64 ? 64 : n), name, name[n] || n > 64 ? "..." : "");
		return -1;
	}
	if ((base = state_base(0)) == -1)
		return -1;
	rc = base < 0 ? -2 : state_lock(base, name, 0, &fd);
	if (rc == 0) {
		state_remove(base, name, fd, 0);
		rc = -2;
	}
	snprintf(rec->dir, sizeof(rec->dir), "%s/%s", base_path, name);
	snprintf(rec->rname, sizeof(rec->rname), "%s", name);
	/* its name too: a record is only ours to show if it says so */
	if (rc == 1 && (rec->dirfd = fcntl(base, F_DUPFD_CLOEXEC, 0)) >= 0 &&
	    !state_read(rec) && !strcmp(rec->name, name))
		rc = 0;
	if (base >= 0)
		close(base);
	if (rc == -2)
		fprintf(stderr, "nook: %s: no such container is running\n",
		    name);
	else if (rc)
		fprintf(stderr, "nook: %s: read its record: %s\n", name,
		    strerror(errno));
	if (rc && rec->dirfd >= 0)
		close(rec->dirfd);
	return rc ? -1 : 0;
}
