// SPDX-License-Identifier: MIT
/*
 * The failure path of the container's first process: every setup step
 * (ns.c, mount.c, kernelfs.c, process.c, security.c) ends here when it
 * cannot go on, so the parent prints one message and exits with 125.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nook.h"

/*
 * Report a failure to the parent (which prints it and cleans up) and
 * exit.  Runs in the child only.
 */
void
child_fail(struct run *r, const struct loc *l, int k, int err,
    const char *fmt, ...)
{
	struct report rep = { .err = err };
	char what[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (l && l->line > 0)
		snprintf(rep.msg, sizeof(rep.msg), "%s:%d: %s%s%s%s%s", l->file,
		    l->line, k >= 0 ? key_label(k) : "", k >= 0 ? ": " : "",
		    what, err ? ": " : "", err ? strerror(err) : "");
	else
		snprintf(rep.msg, sizeof(rep.msg), "setup: %s%s%s%s%s",
		    k >= 0 ? key_label(k) : "", k >= 0 ? ": " : "", what,
		    err ? ": " : "", err ? strerror(err) : "");
	if (send(r->sock, &rep, sizeof(rep), MSG_NOSIGNAL) < 0)
		fprintf(stderr, "nook: %s\n", rep.msg);
	_exit(EXIT_NOOK);
}
