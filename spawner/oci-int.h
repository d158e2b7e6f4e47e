/* SPDX-License-Identifier: MIT */
/*
 * nook-oci's own declarations, shared by oci.c (the walk and the loader),
 * oci-process.c (process, root), oci-linux.c (mounts, linux) and
 * oci-cli.c (runc's command line).
 */
#ifndef NOOK_OCI_INT_H
#define NOOK_OCI_INT_H

#include <stddef.h>
#include <json-c/json.h>

#include "nook.h"
#include "oci.h"
#include "oci-hooks.h"

#define OCI_MAX_SIZE (1 << 20)
#define OCI_FILE "config.json"
#define OCI_SPEC_VERSION "1.1.0"
#define OCI_ROOT "/run/nook-oci"

typedef struct json_object jobj;

struct oci {
	struct cfg *c;
	const char *bundle;	/* absolute */
	int proc, sys, dev, cgroup;	/* kernel file systems: 0 none */
	int dev_parts;		/* /dev/pts, /dev/shm, /dev/mqueue seen */
	char **bounding;	/* process.capabilities.bounding */
	jobj *mem;		/* linux.resources.memory, while walked */
	int newline_ok;		/* args and env: a newline is a byte like any */
};

typedef void (*handler)(struct oci *, const char *, jobj *);

struct field {
	const char *name;
	handler fn;
};

void oci_err(struct oci *o, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void oci_set(struct oci *o, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int oci_want(struct oci *o, const char *path, jobj *v, enum json_type t);
const char *oci_jstr(struct oci *o, const char *path, jobj *v);
long long oci_jnum(struct oci *o, const char *path, jobj *v, long long max);
char *oci_sub(const char *path, const char *name);
char *oci_idx(const char *path, size_t i);
void oci_walk(struct oci *o, const char *path, jobj *obj, const struct field *f);
void oci_each(struct oci *o, const char *path, jobj *v, handler fn);
void oci_each_str(struct oci *o, const char *path, jobj *v,
    void (*fn)(struct oci *, const char *, const char *, void *), void *arg);
void oci_set_item(struct oci *o, const char *path, const char *s, void *key);
void oci_process(struct oci *o, const char *path, jobj *v);
void oci_root(struct oci *o, const char *path, jobj *v);
void oci_mounts(struct oci *o, const char *path, jobj *v);
void oci_linux(struct oci *o, const char *path, jobj *v);
void oci_seccomp(struct oci *o, const char *path, jobj *v);
jobj *oci_seccomp_features(void);
/* What a command adds to the bundle's config.json. */
struct oci_extra {
	int preserve_fds;	/* --preserve-fds: 3 .. 3+N-1 passed */
	int console;		/* --console-socket given */
	int exec;		/* exec: the process from what follows */
	const char *process_file;	/* exec --process */
	char **args, **env;	/* exec COMMAND..., --env */
	const char *cwd, *user;	/* exec --cwd, --user UID[:GID] */
	int tty, nnp;		/* exec --tty, --no-new-privs */
};
int oci_load_bundle(struct cfg *c, const char *bundle, const char *id,
    const struct oci_extra *x);

/* oci-state.c: a container's state under --root */
#define OCS_MAX_CG 16
struct ocs {
	char *id, *bundle, *rootfs, *created;
	pid_t pid;
	unsigned long long start;	/* of pid: /proc/PID/stat field 22 */
	int ncg, track;
	struct { char *dir, *made; int v2; } cg[OCS_MAX_CG];
};
struct run;
int ocs_valid_id(const char *id);
char *ocs_dir(const char *root, const char *id);
int ocs_make(const char *root, const char *id);
int ocs_fifo(const char *root, const char *id);
char *ocs_fifo_path(const char *root, const char *id);
void ocs_remove(const char *root, const char *id);
int ocs_write(const char *root, const char *id, struct run *r,
    const char *bundle);
int ocs_read(const char *root, const char *id, struct ocs *s);
void ocs_free(struct ocs *s);
int ocs_alive(const struct ocs *s);
const char *ocs_status(const char *root, const struct ocs *s);
jobj *ocs_json(const char *root, const struct ocs *s, const char *status);
pid_t *ocs_pids(const struct ocs *s, size_t *n);
void ocs_cgroups_cleanup(const struct ocs *s);
int ocs_wait_gone(const struct ocs *s, int ms);
int ocs_signal(const struct ocs *s, int sig);
char **ocs_list(const char *root);

#endif
