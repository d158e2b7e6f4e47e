// SPDX-License-Identifier: MIT
/*
 * nook-oci's state: what outlives the runtime process between create,
 * start, state, kill and delete.  One directory per container under
 * --root (default /run/nook-oci), as runc keeps /run/runc/ID:
 *
 *   ROOT/ID/state.json   who the container's process is (pid and its
 *                        start time, so a recycled pid is never taken
 *                        for it), the bundle, when it was created, the
 *                        cgroups nook made for it (delete removes them)
 *   ROOT/ID/exec.fifo    while it exists the process waits for start
 *
 * The status is never stored: it is read from the process each time
 * (created while the FIFO is there, running while the process lives,
 * stopped once it is gone or a zombie).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "oci-int.h"
#include "cgroup.h"
#include "state.h"

#define STATE_FILE "state.json"
#define FIFO_FILE "exec.fifo"

/* A container ID as runc takes it: a file name, and nothing odd. */
int
ocs_valid_id(const char *id)
{
	size_t n = strlen(id);

	if (!n || n > 1024 || !strcmp(id, ".") || !strcmp(id, ".."))
		return 0;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_+-.") == n;
}

char *
ocs_dir(const char *root, const char *id)
{
	return xasprintf("%s/%s", root, id);
}

/*
 * The container's directory, made new: EEXIST means the ID is taken.
 * The root is made 0700 with the parents it lacks (0755) when missing,
 * as runc makes its own: the containerd shim's /run/containerd/runc/NS
 * is there only once a runtime made it.
 */
int
ocs_make(const char *root, const char *id)
{
	char *d, *p;
	int rc;

	if (mkdir(root, 0700) && errno == ENOENT) {
		p = xstrdup(root);
		for (d = p + 1; (d = strchr(d, '/')); d++) {
			*d = 0;
			if (mkdir(p, 0755) && errno != EEXIST) {
				free(p);
				return -1;
			}
			*d = '/';
		}
		free(p);
		if (mkdir(root, 0700) && errno != EEXIST)
			return -1;
	} else if (errno != EEXIST && access(root, F_OK))
		return -1;
	d = ocs_dir(root, id);
	rc = mkdir(d, 0700);
	free(d);
	return rc;
}

/* The FIFO create's process waits on, opened read-write for it. */
int
ocs_fifo(const char *root, const char *id)
{
	char *p = xasprintf("%s/%s/%s", root, id, FIFO_FILE);
	int fd = -1;

	if (!mkfifo(p, 0600))
		fd = open(p, O_RDWR | O_CLOEXEC);
	free(p);
	return fd;
}

/* Everything of the container's directory goes: delete, a failed create. */
void
ocs_remove(const char *root, const char *id)
{
	char *d = ocs_dir(root, id), *p;

	p = xasprintf("%s/%s", d, FIFO_FILE);
	unlink(p);
	free(p);
	p = xasprintf("%s/%s", d, STATE_FILE);
	unlink(p);
	free(p);
	p = xasprintf("%s/%s.tmp", d, STATE_FILE);
	unlink(p);
	free(p);
	rmdir(d);
	free(d);
}

static void
add_str(jobj *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

/* RFC 3339 with nanoseconds, UTC: what runc's state says. */
static char *
now_rfc3339(void)
{
	struct timespec ts;
	char buf[64];
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

/*
 * Write state.json of the run r as it stands: replaced whole through a
 * rename, so a reader never sees half of it.
 */
int
ocs_write(const char *root, const char *id, struct run *r,
    const char *bundle)
{
	jobj *o = json_object_new_object(), *cg = json_object_new_array(), *h;
	char *p, *tmp, *created;
	const char *text;
	int i, fd, rc = -1;
	size_t len;

	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "pid", json_object_new_int(r->pid));
	json_object_object_add(o, "start",
	    json_object_new_uint64(state_proc_start(r->pid)));
	add_str(o, "bundle", bundle);
	add_str(o, "rootfs", r->t->root_path);
	add_str(o, "created", created = now_rfc3339());
	free(created);
	for (i = 0; i < r->cg.n; i++) {
		h = json_object_new_object();
		add_str(h, "dir", r->cg.h[i].dir);
		add_str(h, "made", r->cg.h[i].made);
		json_object_object_add(h, "v2",
		    json_object_new_boolean(!r->cg.h[i].opts));
		json_object_array_add(cg, h);
	}
	json_object_object_add(o, "cgroups", cg);
	json_object_object_add(o, "track", json_object_new_int(r->cg.track));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	p = xasprintf("%s/%s/%s", root, id, STATE_FILE);
	tmp = xasprintf("%s.tmp", p);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, text, len) == (ssize_t)len &&
	    !close(fd)) {
		fd = -1;
		rc = rename(tmp, p);
	}
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(p);
	free(tmp);
	json_object_put(o);
	return rc;
}

static char *
get_str(jobj *o, const char *k)
{
	jobj *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

void
ocs_free(struct ocs *s)
{
	int i;

	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	for (i = 0; i < s->ncg; i++) {
		free(s->cg[i].dir);
		free(s->cg[i].made);
	}
	memset(s, 0, sizeof(*s));
}

/*
 * The state of container ID: 0, -1 with errno ENOENT when there is no
 * such container, other errno when its state cannot be read.
 */
int
ocs_read(const char *root, const char *id, struct ocs *s)
{
	char *p = xasprintf("%s/%s/%s", root, id, STATE_FILE);
	jobj *o, *v, *h, *b;
	struct stat st;
	size_t i, n;
	char *d;

	memset(s, 0, sizeof(*s));
	o = json_object_from_file(p);
	free(p);
	if (!o) {
		d = ocs_dir(root, id);
		/* a directory without state.json: a create still at work */
		errno = stat(d, &st) ? ENOENT : EAGAIN;
		free(d);
		return -1;
	}
	s->id = xstrdup(id);
	s->bundle = get_str(o, "bundle");
	s->rootfs = get_str(o, "rootfs");
	s->created = get_str(o, "created");
	if (json_object_object_get_ex(o, "pid", &v))
		s->pid = json_object_get_int(v);
	if (json_object_object_get_ex(o, "start", &v))
		s->start = json_object_get_uint64(v);
	if (json_object_object_get_ex(o, "track", &v))
		s->track = json_object_get_int(v);
	if (json_object_object_get_ex(o, "cgroups", &v) &&
	    json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n && s->ncg < OCS_MAX_CG; i++) {
			h = json_object_array_get_idx(v, i);
			s->cg[s->ncg].dir = get_str(h, "dir");
			s->cg[s->ncg].made = get_str(h, "made");
			s->cg[s->ncg].v2 = json_object_object_get_ex(h, "v2",
			    &b) && json_object_get_boolean(b);
			if (s->cg[s->ncg].dir && s->cg[s->ncg].made)
				s->ncg++;
		}
	}
	json_object_put(o);
	if (!s->bundle || !s->created || s->pid <= 0) {
		ocs_free(s);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Is the container's process alive: the same process, not a zombie? */
int
ocs_alive(const struct ocs *s)
{
	char c;

	return state_proc_stat(s->pid, &c) == s->start && c && c != 'Z' &&
	    c != 'X';
}

const char *
ocs_status(const char *root, const struct ocs *s)
{
	char *p;
	int fifo;

	if (!ocs_alive(s))
		return "stopped";
	p = xasprintf("%s/%s/%s", root, s->id, FIFO_FILE);
	fifo = !access(p, F_OK);
	free(p);
	return fifo ? "created" : "running";
}

/* The FIFO's path: start opens it. */
char *
ocs_fifo_path(const char *root, const char *id)
{
	return xasprintf("%s/%s/%s", root, id, FIFO_FILE);
}

/*
 * The OCI state (runtime-spec runtime.md "State"), as `state` prints it
 * and hooks read it on their stdin: the annotations from the bundle's
 * config.json, which the bundle keeps as long as the container is.
 */
jobj *
ocs_json(const char *root, const struct ocs *s, const char *status)
{
	jobj *o = json_object_new_object(), *cfg, *a;
	char *p;
	int alive;

	if (!status)
		status = ocs_status(root, s);
	alive = strcmp(status, "stopped") != 0;
	add_str(o, "ociVersion", OCI_SPEC_VERSION);
	add_str(o, "id", s->id);
	json_object_object_add(o, "pid",
	    json_object_new_int(alive ? s->pid : 0));
	add_str(o, "status", status);
	add_str(o, "bundle", s->bundle);
	add_str(o, "rootfs", s->rootfs);
	add_str(o, "created", s->created);
	add_str(o, "owner", "");
	p = xasprintf("%s/%s", s->bundle, OCI_FILE);
	cfg = json_object_from_file(p);
	free(p);
	if (cfg && json_object_object_get_ex(cfg, "annotations", &a) &&
	    json_object_is_type(a, json_type_object))
		json_object_object_add(o, "annotations", json_object_get(a));
	json_object_put(cfg);
	return o;
}

/*
 * Without a cgroup: the processes in the container's PID namespace, when
 * it has one of its own; else the process alone.
 */
static pid_t *
same_pidns(const struct ocs *s, size_t *n)
{
	struct stat own, ns, st;
	struct dirent *e;
	char path[300];
	pid_t *v = NULL;
	size_t cap = 0;
	DIR *d;

	*n = 0;
	if (!ocs_alive(s))
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)s->pid);
	if (stat(path, &ns) || stat("/proc/self/ns/pid", &own) ||
	    (ns.st_ino == own.st_ino && ns.st_dev == own.st_dev) ||
	    !(d = opendir("/proc"))) {
		v = xcalloc(1, sizeof(*v));
		v[(*n)++] = s->pid;
		return v;
	}
	while ((e = readdir(d))) {
		if (*e->d_name < '1' || *e->d_name > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/pid", e->d_name);
		if (stat(path, &st) || st.st_ino != ns.st_ino ||
		    st.st_dev != ns.st_dev)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(v = realloc(v, cap * sizeof(*v))))
				nook_oom();
		}
		v[(*n)++] = (pid_t)atoi(e->d_name);
	}
	closedir(d);
	return v;
}

/*
 * The host's pids of the container's processes: its tracking cgroup's
 * cgroup.procs; without a cgroup, the process itself.  n set; NULL with
 * n 0 when none.
 */
pid_t *
ocs_pids(const struct ocs *s, size_t *n)
{
	pid_t *v = NULL;
	size_t cap = 0;
	char *p, line[32];
	FILE *f = NULL;

	*n = 0;
	if (s->track >= 0 && s->track < s->ncg) {
		p = xasprintf("%s/cgroup.procs", s->cg[s->track].dir);
		f = fopen(p, "re");
		free(p);
	}
	if (!f)
		return same_pidns(s, n);
	while (fgets(line, sizeof(line), f)) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(v = realloc(v, cap * sizeof(*v))))
				nook_oom();
		}
		v[(*n)++] = (pid_t)atoi(line);
	}
	fclose(f);
	return v;
}

/*
 * Remove the cgroups nook made for the container, as nook's own end
 * does (cg_cleanup): what is still in them killed first.
 */
void
ocs_cgroups_cleanup(const struct ocs *s)
{
	struct run r;
	int i;

	memset(&r, 0, sizeof(r));
	r.cg.fd = -1;
	for (i = 0; i < s->ncg && i < CG_HIER; i++) {
		r.cg.h[i].dir = s->cg[i].dir;
		r.cg.h[i].made = s->cg[i].made;
		r.cg.h[i].opts = s->cg[i].v2 ? NULL : "";
	}
	r.cg.n = i;
	r.cg.track = s->track < i ? s->track : 0;
	cg_cleanup(&r);
}

/* Wait up to ms for the process to be gone (a zombie counts). */
int
ocs_wait_gone(const struct ocs *s, int ms)
{
	int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	struct pollfd pf;
	int rc;

	if (fd < 0)
		return 0;
	if (state_proc_start(s->pid) != s->start) {
		close(fd);
		return 0;
	}
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	do
		rc = poll(&pf, 1, ms);
	while (rc < 0 && errno == EINTR);
	close(fd);
	return rc > 0 ? 0 : -1;
}

/* Send sig to the container's process, through a pidfd that is it. */
int
ocs_signal(const struct ocs *s, int sig)
{
	int fd = state_pidfd(s->pid, s->start), rc;

	if (fd < 0)
		return -1;
	rc = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
	close(fd);
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The IDs under the root, sorted; NULL-terminated. */
char **
ocs_list(const char *root)
{
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;
	DIR *d = opendir(root);

	if (!d)
		return xcalloc(1, sizeof(char *));
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || !ocs_valid_id(e->d_name))
			continue;
		if (!(v = realloc(v, (n + 2) * sizeof(char *))))
			nook_oom();
		v[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (!v)
		return xcalloc(1, sizeof(char *));
	v[n] = NULL;
	qsort(v, n, sizeof(char *), by_name);
	return v;
}
