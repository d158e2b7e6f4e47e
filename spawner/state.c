// SPDX-License-Identifier: MIT
/*
 * Running containers: a record per container under the state directory,
 * and the commands that use them - nook ps, nook exec, nook stop.
 */
#define _GNU_SOURCE
#include <string.h>

#include "nook.h"

/* Before the clone: no other running container of this name. */
int
state_claim(struct run *r)
{
	r->st.fd = -1;
	return 0;
}

/* Once the container runs. */
int
state_record(struct run *r)
{
	(void)r;
	return 0;
}

/* At the end, whatever happened. */
void
state_release(struct run *r)
{
	(void)r;
}

int
state_is_command(const char *word)
{
	(void)word;
	return 0;
}

int
state_command(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return EXIT_NOOK;
}
