/* SPDX-License-Identifier: MIT */
/* [network]: the container's network (net.c). */
#ifndef NOOK_NET_H
#define NOOK_NET_H

struct run;

struct net_run {
	int made;		/* a veth pair exists: delete it at the end */
	int host_index;		/* of its host end */
	int bridge_index;	/* of [network] bridge, or 0 */
	int lo_parent;		/* the parent brings lo up: net_parent_lo */
	int async;		/* a helper makes the namespace: net_async_* */
	pid_t helper;		/* that helper while it runs, or 0 */
	int joined;		/* the child: in its namespace (or none to join) */
	char host[16];		/* the host end's name: "nk-NAME" */
};

int net_prepare(struct run *r);
int net_parent(struct run *r);
int net_parent_lo(struct run *r);
void net_child(struct run *r);
void net_child_lo(struct run *r);
void net_async_start(struct run *r);
void net_async_go(struct run *r, int sent);
int net_async_wait(struct run *r);
void net_async_abort(struct run *r);
void net_join(struct run *r);
void net_cleanup(struct run *r);

#endif
