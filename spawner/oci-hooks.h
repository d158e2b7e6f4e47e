/* SPDX-License-Identifier: MIT */
/*
 * nook-oci's hooks (runtime-spec config.md, "POSIX-platform Hooks"):
 * config.json's "hooks" read into a typed list at load (oci-hooks.c), and
 * run at their points of the lifecycle by oci_hooks_run().
 */
#ifndef NOOK_OCI_HOOKS_H
#define NOOK_OCI_HOOKS_H

#include <stddef.h>
#include <sys/types.h>

/* In the order of the specification's table; the names are its keys. */
enum oci_hook_kind {
	OCI_HOOK_PRESTART,		/* deprecated: as createRuntime */
	OCI_HOOK_CREATE_RUNTIME,	/* runtime namespace, fatal */
	OCI_HOOK_CREATE_CONTAINER,	/* container namespace, fatal */
	OCI_HOOK_START_CONTAINER,	/* container namespace, fatal */
	OCI_HOOK_POSTSTART,		/* runtime namespace, a warning */
	OCI_HOOK_POSTSTOP,		/* runtime namespace, a warning */
	OCI_HOOK__COUNT
};

struct oci_hook {
	char *where;		/* "hooks.poststart[1]": for its errors */
	char *path;		/* absolute */
	char **argv;		/* args, or { path } when none: NULL ended */
	char **env;		/* exactly the hook's: NULL ended, maybe none */
	int timeout;		/* seconds; 0: none */
};

struct oci_hooks {
	struct oci_hook *v[OCI_HOOK__COUNT];
	size_t n[OCI_HOOK__COUNT];
};

struct oci;
struct json_object;

/* The loader's handler of "hooks" (oci.c): into o->c->t.hooks. */
void oci_hooks(struct oci *o, const char *path, struct json_object *v);
void oci_hooks_free(struct oci_hooks *h);
const char *oci_hook_name(enum oci_hook_kind k);

/*
 * Every hook of kind k, in order, each with state_json on its stdin; in
 * the namespaces of ns_pid when it is > 0.  0 when all succeeded; -1
 * (said on stderr) when one failed: the first stops a fatal kind, the
 * rest of a poststart or poststop still run.
 */
int oci_hooks_run(const struct oci_hooks *h, enum oci_hook_kind k,
    const char *state_json, pid_t ns_pid);

#endif
