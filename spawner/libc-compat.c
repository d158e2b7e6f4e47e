// SPDX-License-Identifier: MIT
/*
 * nook linked with musl: Debian's static libseccomp, libcap-ng, inih and
 * json-c are compiled against glibc with _FORTIFY_SOURCE, so they call
 * glibc's checked printf family.  These are those entry points on top of
 * musl's plain functions, with the same checks: a destination smaller than
 * the size the caller claims, or output that does not fit a sprintf
 * buffer, ends the process as glibc's __chk_fail does.  And nook's
 * strerror() (see nook.h).  Built only when the C library is not glibc.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#ifndef __GLIBC__
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Declared here: no header declares glibc's internal names. */
int __snprintf_chk(char *, size_t, int, size_t, const char *, ...);
int __vsnprintf_chk(char *, size_t, int, size_t, const char *, va_list);
int __sprintf_chk(char *, int, size_t, const char *, ...);
int __fprintf_chk(FILE *, int, const char *, ...);
int __printf_chk(int, const char *, ...);
int __vfprintf_chk(FILE *, int, const char *, va_list);
int __asprintf_chk(char **, int, const char *, ...);
int __vasprintf_chk(char **, int, const char *, va_list);
void __syslog_chk(int, int, const char *, ...);
char *__strcat_chk(char *, const char *, size_t);
char *nook_strerror(int e);

/*
 * The errors whose musl wording differs most from what users search for,
 * in errno(3)'s words; musl's own for every other.
 */
char *
nook_strerror(int e)
{
	static const struct { int e; const char *s; } words[] = {
		{ EMFILE, "Too many open files" },
		{ ENFILE, "Too many open files in system" },
		{ ELOOP, "Too many levels of symbolic links" },
		{ ENOTTY, "Inappropriate I/O control operation" },
		{ ENOMEM, "Cannot allocate memory" },
		{ EIO, "Input/output error" },
		{ EXDEV, "Invalid cross-device link" },
		{ EBUSY, "Device or resource busy" },
		{ ECHILD, "No child processes" },
		{ ERANGE, "Result too large" },
		{ EOVERFLOW, "Value too large to be stored in data type" },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].e == e)
			return (char *)words[i].s;
	return strerror(e);
}

static void __attribute__((noreturn))
chk_fail(void)
{
	static const char msg[] = "nook: buffer overflow detected\n";

	fwrite(msg, 1, sizeof(msg) - 1, stderr);
	abort();
}

int
__vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen,
    const char *fmt, va_list ap)
{
	(void)flag;
	if (maxlen > slen)
		chk_fail();
	return vsnprintf(s, maxlen, fmt, ap);
}

int
__snprintf_chk(char *s, size_t maxlen, int flag, size_t slen,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = __vsnprintf_chk(s, maxlen, flag, slen, fmt, ap);
	va_end(ap);
	return n;
}

int
__sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)flag;
	va_start(ap, fmt);
	n = vsnprintf(s, slen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= slen)
		chk_fail();
	return n;
}

int
__vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	return vfprintf(f, fmt, ap);
}

int
__fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)flag;
	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int
__printf_chk(int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)flag;
	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int
__vasprintf_chk(char **s, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	return vasprintf(s, fmt, ap);
}

int
__asprintf_chk(char **s, int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)flag;
	va_start(ap, fmt);
	n = vasprintf(s, fmt, ap);
	va_end(ap);
	return n;
}

void
__syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

char *
__strcat_chk(char *d, const char *s, size_t dlen)
{
	size_t a = strlen(d), b = strlen(s);

	if (a + b >= dlen)
		chk_fail();
	memcpy(d + a, s, b + 1);
	return d;
}

/*
 * System calls musl wraps in more system calls.  On this project's VM a
 * system call costs about 1 us, and a start made 44 of these extra ones,
 * most of them in the child, on the way to the container's exec.
 *
 * open: musl follows an O_CLOEXEC open with fcntl(F_SETFD), for kernels
 * before 2.6.23 that ignored the flag; nook needs far newer ones (clone3,
 * the mount API).  open64 too: musl 1.2.3 defines it beside open.
 */
int
open(const char *path, int flags, ...)
{
	unsigned mode = 0;
	va_list ap;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	return syscall(SYS_openat, AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

#undef open64	/* a macro for open in musl's <fcntl.h> */
int open64(const char *path, int flags, ...)
	__attribute__((alias("open")));

/*
 * setgroups, setresgid, setresuid: musl applies them to every thread of
 * the process with __synccall, which blocks and restores the signal mask
 * around each (three more system calls a call).  nook never starts a
 * thread (the network helper of net.c is a process of its own, and the
 * credentials are each task's own anyway), so the system call alone.
 */
int
setgroups(size_t n, const gid_t *list)
{
	return syscall(SYS_setgroups, n, list);
}

int
setresgid(gid_t r, gid_t e, gid_t s)
{
	return syscall(SYS_setresgid, r, e, s);
}

int
setresuid(uid_t r, uid_t e, uid_t s)
{
	return syscall(SYS_setresuid, r, e, s);
}
#else
/* glibc has them all: an empty unit would be an ISO C warning. */
typedef int libc_compat_unused;
#endif
