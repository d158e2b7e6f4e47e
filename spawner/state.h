/* SPDX-License-Identifier: MIT */
/* Running containers: their records, nook ps, exec and stop (state.c). */
#ifndef NOOK_STATE_H
#define NOOK_STATE_H

struct run;

struct state_run {
	int fd;		/* the record, held while the container runs */
};

int state_claim(struct run *r);
int state_record(struct run *r);
void state_release(struct run *r);
int state_command(int argc, char **argv);
int state_is_command(const char *word);

#endif
