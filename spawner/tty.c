// SPDX-License-Identifier: MIT
/*
 * [process] tty: a terminal of the container's own.  The child opens a
 * pty in the container's devpts while it builds /dev, binds it onto
 * /dev/console, makes it the controlling terminal of the new session and
 * its 0, 1 and 2, and hands the master to the parent with its last word.
 * The parent puts its own terminal in raw mode and relays both ways, so
 * Ctrl-C and Ctrl-Z reach the line discipline inside, which signals the
 * container's foreground job; the window size follows ours.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "nook.h"
#include "mount.h"

/*
 * Does the container get a terminal?  auto: when nook runs on one (stdin
 * and stdout both) and the container can have one - a session of its
 * own and a /dev with a devpts; model.c refuses yes without them.
 */
int
tty_want(const struct nook_config *t)
{
	if (t->tty == TTY_NO || !t->new_session || t->dev == DEV_NONE)
		return 0;
	return t->tty == TTY_YES || (isatty(0) && isatty(1));
}

/*
 * A descriptor above 0-2, which nook's own caller may have left closed:
 * the pty must not land where it is dup2()'d to later.
 */
static int
above_stdio(int fd)
{
	int high;

	if (fd < 0 || fd > 2)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return high;
}

/*
 * In the child, once /dev is built: a pty of the container's devpts
 * (through /dev/ptmx inside the new root, so the container sees it as
 * /dev/pts/N), its terminal opened from the master itself (no path to
 * race) and bound onto /dev/console, as runc and crun do.
 */
void
tty_open_pty(struct mctx *m)
{
	struct tty_run *t = &m->r->tty;
	int unlock = 0;

	if (!t->on)
		return;
	blame(m, K_TTY);
	t->master = above_stdio(in_root(m->root, "/dev/ptmx", O_RDWR |
	    O_NOCTTY | O_CLOEXEC));
	if (t->master < 0)
		FAIL(m, "open the container's /dev/ptmx");
	if (ioctl(t->master, TIOCSPTLCK, &unlock))
		FAIL(m, "unlock the pty");
	t->slave = above_stdio(ioctl(t->master, TIOCGPTPEER, O_RDWR |
	    O_NOCTTY | O_CLOEXEC));
	if (t->slave < 0)
		FAIL(m, "open the pty's terminal");
	bind_host(m, t->slave, "", "/dev/console", M_NOSUID | M_NOEXEC,
	    CREATE_FILE);
}

/*
 * In the child, the leader of a new session now: the pty becomes its
 * controlling terminal and its 0, 1 and 2, sized as nook's terminal is
 * and owned by the container's user.  Nothing of nook's own terminal is
 * left to the container.
 */
void
tty_attach(struct run *r, uid_t uid)
{
	const struct loc *l = tloc(r->c, K_TTY);
	struct winsize ws;
	int fd, s = r->tty.slave;

	if (s < 0)
		return;
	if (r->t->tty_size[0]) {	/* [process] tty_size */
		ws = (struct winsize){ .ws_row = (unsigned short)r->t->tty_size[0],
			.ws_col = (unsigned short)r->t->tty_size[1] };
		if (ioctl(s, TIOCSWINSZ, &ws))
			child_fail(r, l, K_TTY, errno, "set the size of the "
			    "pty");
	} else for (fd = 0; fd < 3; fd++)
		if (!ioctl(fd, TIOCGWINSZ, &ws)) {
			if (ioctl(s, TIOCSWINSZ, &ws))
				child_fail(r, l, K_TTY, errno, "set the size "
				    "of the pty");
			break;
		}
	if (ioctl(s, TIOCSCTTY, 0))
		child_fail(r, l, K_TTY, errno, "make the pty the controlling "
		    "terminal");
	if (fchown(s, uid, (gid_t)-1))
		child_fail(r, l, K_TTY, errno, "give the pty to uid %u",
		    (unsigned)uid);
	for (fd = 0; fd < 3; fd++)
		if (dup2(s, fd) < 0)
			child_fail(r, l, K_TTY, errno, "make the pty "
			    "descriptor %d", fd);
	close(s);
	r->tty.slave = -1;
}

/*
 * The child's last word before the exec, "x", carries the pty master to
 * the parent; the child keeps no copy.
 */
int
tty_send_ready(struct run *r)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (r->tty.master >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.b;
		mh.msg_controllen = sizeof(u.b);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &r->tty.master, sizeof(int));
	}
	n = sendmsg(r->sock, &mh, MSG_NOSIGNAL);
	if (r->tty.master >= 0)
		close(r->tty.master);
	r->tty.master = -1;
	return n == 1 ? 0 : -1;
}

/*
 * The parent's recv(2) of the child's next word during setup: a
 * descriptor that comes with it is the pty master, kept only when a
 * terminal was asked for.
 */
ssize_t
tty_recv_word(struct run *r, void *buf, size_t len)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(r->sock, &mh, MSG_CMSG_CLOEXEC);
	int fd;

	/* a child that exits with a word of ours unread resets the socket:
	 * the error comes once, before what it said last */
	if (n < 0 && errno == ECONNRESET) {
		mh.msg_controllen = sizeof(u.b);
		n = recvmsg(r->sock, &mh, MSG_CMSG_CLOEXEC);
	}
	if (n < 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type !=
		    SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(sizeof(int)))
			continue;
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		if (r->tty.on && r->tty.master < 0)
			r->tty.master = fd;
		else
			close(fd);
	}
	return n;
}

/* Our window size (of stdin, else stdout or stderr) onto the pty. */
static void
resize(struct tty_run *t)
{
	struct winsize ws;
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (!ioctl(fd, TIOCGWINSZ, &ws)) {
			ioctl(t->master, TIOCSWINSZ, &ws);
			return;
		}
}

static void
make_raw(struct tty_run *t)
{
	struct termios raw = t->saved;

	cfmakeraw(&raw);
	if (!tcsetattr(0, TCSANOW, &raw))
		t->raw = 1;
}

/*
 * In the parent once the container runs: our terminal goes raw (every
 * key, Ctrl-C too, goes to the line discipline inside, which signals the
 * container's foreground job) and the pty takes our window size.  A
 * stdin that is no terminal stays as it is.
 */
void
tty_start(struct run *r)
{
	struct tty_run *t = &r->tty;
	pid_t fg;

	t->ipf = t->opf = -1;
	t->eof_canon = -1;
	t->master = above_stdio(t->master);	/* our 0-2 were closed */
	if (t->master < 0)
		return;
	fcntl(t->master, F_SETFL, fcntl(t->master, F_GETFL) | O_NONBLOCK);
	t->input = t->output = 1;
	t->last = '\n';
	/* a background job leaves the terminal to the foreground one */
	fg = tcgetpgrp(0);
	if (!tcgetattr(0, &t->saved) && (fg < 0 || fg == getpgrp()))
		make_raw(t);
	resize(t);
}

/* Where to poll: the master, and stdin while nothing waits for it. */
int
tty_poll_fds(struct tty_run *t, struct pollfd *pf)
{
	int n = 0;

	t->ipf = t->opf = -1;
	if (t->master < 0 || !t->output)
		return 0;
	t->opf = n;
	pf[n++] = (struct pollfd){ .fd = t->master, .events = POLLIN |
	    (t->off < t->len ? POLLOUT : 0) };
	if (t->input && t->off == t->len) {
		t->ipf = n;
		pf[n++] = (struct pollfd){ .fd = 0, .events = POLLIN };
	}
	return n;
}

/*
 * Our stdin ended: so does the container's input, the way a terminal
 * ends it - with its VEOF character, twice after an unfinished line of a
 * canonical terminal (the first only ends the line).
 */
static void write_input(struct tty_run *t);

static void
queue_eof(struct tty_run *t)
{
	struct termios tio = { .c_lflag = ICANON };
	char eof = 4;

	if (!tcgetattr(t->master, &tio) && tio.c_cc[VEOF])
		eof = (char)tio.c_cc[VEOF];
	t->off = t->len = 0;
	t->buf[t->len++] = eof;
	if (tio.c_lflag & ICANON && t->last != '\n' && t->last != '\r')
		t->buf[t->len++] = eof;
	t->eof_canon = !!(tio.c_lflag & ICANON);
}

/*
 * After our stdin ended: a program that switched its terminal between
 * canonical and raw since the EOF went in may have flushed it unread
 * (a shell's line editor does, TCSAFLUSH): it gets the EOF again, once
 * per such switch, or it would wait for input that never comes.
 */
static void
eof_again(struct tty_run *t)
{
	struct termios tio;

	if (t->input || t->eof_canon < 0 || t->off < t->len ||
	    tcgetattr(t->master, &tio) ||
	    !!(tio.c_lflag & ICANON) == t->eof_canon)
		return;
	t->last = '\n';
	queue_eof(t);
	write_input(t);
}

static void
write_input(struct tty_run *t)
{
	ssize_t n;

	while (t->off < t->len) {
		n = write(t->master, t->buf + t->off, t->len - t->off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;		/* the rest on POLLOUT */
		if (n < 0) {		/* no terminal inside any more */
			t->input = 0;
			t->off = t->len = 0;
			return;
		}
		t->off += (size_t)n;
	}
}

static void
read_input(struct tty_run *t)
{
	ssize_t n = read(0, t->buf, sizeof(t->buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		t->off = 0;
		t->len = (size_t)n;
		t->last = t->buf[n - 1];
	} else {
		t->input = 0;
		if (n == 0)
			queue_eof(t);
	}
	write_input(t);
}

/* All of it to stdout; dropped when stdout is gone. */
static void
write_all(const char *p, size_t len)
{
	struct pollfd pf = { .fd = 1, .events = POLLOUT };
	ssize_t n;

	while (len) {
		n = write(1, p, len);
		if (n < 0 && errno == EAGAIN && poll(&pf, 1, 1000) > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/*
 * What the container wrote, to our stdout: 1 when there may be more,
 * 0 once no terminal is open inside (EIO), -1 when none waits now.
 */
static int
copy_output(struct tty_run *t)
{
	char buf[8192];
	ssize_t n;
	int i;

	for (i = 0; i < 16; i++) {
		n = read(t->master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return -1;
		if (n <= 0) {
			t->output = 0;
			return 0;
		}
		write_all(buf, (size_t)n);
		eof_again(t);
	}
	return 1;
}

/* After poll(): one round of relaying both ways. */
void
tty_relay(struct tty_run *t, const struct pollfd *pf)
{
	if (t->ipf >= 0 && pf[t->ipf].revents)
		read_input(t);
	if (t->opf < 0)
		return;
	if (pf[t->opf].revents & POLLOUT)
		write_input(t);
	if (pf[t->opf].revents & (POLLIN | POLLHUP | POLLERR))
		copy_output(t);
}

/*
 * A signal nook got: SIGWINCH is ours to act on when the container has
 * a terminal (the kernel tells its foreground job); SIGCONT, after we
 * were stopped, finds our terminal reset by the shell: raw again.  1
 * when the signal is not for the container.
 */
int
tty_signal(struct run *r, int sig)
{
	struct tty_run *t = &r->tty;

	if (t->master < 0)
		return 0;
	if (sig == SIGWINCH) {
		resize(t);
		return 1;
	}
	if (sig == SIGCONT && t->raw)
		make_raw(t);
	return 0;
}

/*
 * The container is gone: what it wrote last, to our stdout.  The kernel
 * flushes the pty's buffers before a read says EIO.
 */
void
tty_drain(struct tty_run *t)
{
	while (t->master >= 0 && t->output && copy_output(t) > 0)
		;
}

/* Our terminal as it was; on every way out of run(). */
void
tty_restore(struct tty_run *t)
{
	if (t->raw)
		tcsetattr(0, TCSANOW, &t->saved);
	t->raw = 0;
	if (t->master >= 0)
		close(t->master);
	t->master = -1;
}
