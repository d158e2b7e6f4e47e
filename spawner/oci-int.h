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

#define OCI_MAX_SIZE (1 << 20)
#define OCI_FILE "config.json"

typedef struct json_object jobj;

struct oci {
	struct cfg *c;
	const char *bundle;	/* absolute */
	int proc, sys, dev, cgroup;	/* kernel file systems: 0 none */
	int dev_parts;		/* /dev/pts, /dev/shm, /dev/mqueue seen */
	char **bounding;	/* process.capabilities.bounding */
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
void oci_each_str(struct oci *o, const char *path, jobj *v,
    void (*fn)(struct oci *, const char *, const char *, void *), void *arg);
void oci_set_item(struct oci *o, const char *path, const char *s, void *key);
void oci_process(struct oci *o, const char *path, jobj *v);
void oci_root(struct oci *o, const char *path, jobj *v);
void oci_mounts(struct oci *o, const char *path, jobj *v);
void oci_linux(struct oci *o, const char *path, jobj *v);
int oci_load_bundle(struct cfg *c, const char *bundle, const char *id);

#endif
