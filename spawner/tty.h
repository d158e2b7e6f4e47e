/* SPDX-License-Identifier: MIT */
/* [process] tty: the container's terminal and nook's relay to it (tty.c). */
#ifndef NOOK_TTY_H
#define NOOK_TTY_H

#include <poll.h>
#include <sys/types.h>
#include <termios.h>

struct run;
struct mctx;
struct nook_config;

struct tty_run {
	int on;			/* the container gets a terminal of its own */
	int master;		/* its pty master: the child's, then ours; -1 */
	int slave;		/* the child's until it is its 0, 1 and 2; -1 */
	int raw;		/* our terminal is raw: saved holds its mode */
	struct termios saved;
	int input;		/* still reading our stdin */
	int output;		/* still reading the master */
	int ipf, opf;		/* their places in the poll set, or -1 */
	char buf[4096];		/* read from stdin, not yet on the master */
	size_t len, off;
	char last;		/* the last byte relayed: EOF after a newline */
	int eof_canon;		/* EOF sent: 1/0 the pty canonical then; -1 */
};

int tty_want(const struct nook_config *t);
void tty_open_pty(struct mctx *m);
void tty_attach(struct run *r, uid_t uid);
int tty_send_ready(struct run *r);
ssize_t tty_recv_word(struct run *r, void *buf, size_t len);
void tty_start(struct run *r);
int tty_poll_fds(struct tty_run *t, struct pollfd *pf);
void tty_relay(struct tty_run *t, const struct pollfd *pf);
int tty_signal(struct run *r, int sig);
void tty_drain(struct tty_run *t);
void tty_restore(struct tty_run *t);

#endif
