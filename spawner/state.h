/* SPDX-License-Identifier: MIT */
/* Running containers: their records, nook ps, exec and stop (state.c). */
#ifndef NOOK_STATE_H
#define NOOK_STATE_H

#include <sys/types.h>

struct run;

struct state_run {
	int fd;		/* the record's lock file, locked while it runs */
	int base;	/* the state directory */
	char conf[4096];	/* the config file, absolute */
	unsigned long long nook_start;	/* our own start time */
	int config_rc;	/* write_config's: state_setup to state_record */
	int claimed;	/* state_claim ran */
};

/* A running container's record, read back (state.c). */
struct state_rec {
	char name[65];		/* as its state says */
	char rname[72];		/* the record's: its parts are rname@PART */
	int dirfd;		/* the state directory, -1 when none */
	pid_t pid;		/* the container's PID 1 (host); 0: setup */
	pid_t nook_pid;
	unsigned long long start, nook_start;	/* ticks after boot */
	long long stop_timeout;			/* ms */
	uid_t uid;		/* the container's process, as it sees them */
	gid_t gid;
	gid_t groups[64];
	size_t ngroups;
	char conf[4096];
	char dir[4200];		/* its lock file's path */
	char cgroup[8192];	/* /proc/PID/cgroup, one line per hierarchy */
};

int state_claim(struct run *r);
int state_setup(struct run *r);
int state_record(struct run *r);
void state_release(struct run *r);
int state_command(int argc, char **argv);
int state_lock(int base, const char *name, int create, int *fd);
void state_remove(int base, const char *name, int fd, int own);
int state_read(struct state_rec *rec);
int state_base(int create);
int state_is_command(const char *word);

/* state.c, for exec.c */
int state_find(const char *name, struct state_rec *rec);
unsigned long long state_proc_start(pid_t pid);
unsigned long long state_proc_stat(pid_t pid, char *state);
int state_pidfd(pid_t pid, unsigned long long start);
char *state_get_file(int dirfd, const char *file, size_t *len);

/* exec.c: nook exec NAME [--] COMMAND [ARG...] */
int exec_command(int argc, char **argv);

/* exec.c, for nook-oci exec: a process of config c in container pid */
struct xoci {
	struct cfg *c;		/* the bundle's, with the process's values */
	const char *id;
	pid_t pid;		/* the container's process, and its start */
	unsigned long long start;
	int detach;
	int pid_dir;		/* --pid-file's directory, opened, or -1 */
	const char *pid_base;	/* and its name in it */
	int console_fd;		/* connected --console-socket, or -1 */
	int (*send_console)(int fd, int master);
	int (*write_pid_file)(int dir, const char *name, pid_t pid);
};
int exec_oci(struct xoci *e);

#endif
