/* SPDX-License-Identifier: MIT */
/* [cgroup]: the container's cgroup (cgroup.c). */
#ifndef NOOK_CGROUP_H
#define NOOK_CGROUP_H

struct run;

struct cg_run {
	int fd;		/* v2: the container's cgroup, for CLONE_INTO_CGROUP */
};

int cg_prepare(struct run *r);
int cg_attach(struct run *r);
void cg_cleanup(struct run *r);

#endif
