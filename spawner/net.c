// SPDX-License-Identifier: MIT
/*
 * [network]: loopback up in a new network namespace; with mode = veth a
 * veth pair, one end in the container, addressed and routed.
 */
#define _GNU_SOURCE
#include "nook.h"

/* Before the clone. */
int
net_prepare(struct run *r)
{
	r->net.made = 0;
	return 0;
}

/* After the clone, before the child is released: the host's side. */
int
net_parent(struct run *r)
{
	(void)r;
	return 0;
}

/* In the child, released: its side (child_fail on error). */
void
net_child(struct run *r)
{
	(void)r;
}

/* At the end, whatever happened. */
void
net_cleanup(struct run *r)
{
	(void)r;
}
