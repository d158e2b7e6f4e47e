// SPDX-License-Identifier: MIT
/*
 * libFuzzer target of the config loader: the input is a whole config
 * file, loaded, typed and printed as `nook --print-config` does.  The
 * loader promises never to exit and to free all it allocated: libFuzzer
 * reports an exit() during a run as a crash, ASan/LSan the rest.
 *
 * A config that is valid and printable is also printed, read back and
 * printed again: the copy must load without errors and print the same
 * (config-errors.t checks this for a few files; here for any).
 *
 * Bugs already reported are listed in known_bugs[] and let through,
 * so that a long run finds new ones; NOOK_FUZZ_STRICT=1 in the
 * environment turns them into crashes again (fuzz-regress.t replays
 * their reproducers so, as TODO tests).
 *
 * The inputs live in memfds that the loader opens by their /proc/self/fd
 * paths: no file in /tmp per run, and nothing left behind by a crash.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* [0]: the input; [1]: its printed copy */
static int memfd[2] = { -1, -1 };
static char path[2][64];

/*
 * Errors of a printed config that its original did not have, known and
 * reported but not fixed yet, let through so a long run finds new ones.
 * The first three (defaults printed as given, a line past the limit, a
 * form feed lost at a wrap) are fixed; their inputs are in regress/.
 */
static const char *const known_bugs[] = {
	NULL,	/* none open: the three found first are fixed (regress/) */
};

/* Every error of c is a known bug (and the strict mode is off). */
static int
only_known(const struct cfg *c)
{
	const char *strict = getenv("NOOK_FUZZ_STRICT");
	size_t i, j, n = sizeof(known_bugs) / sizeof(known_bugs[0]);

	if (strict && *strict == '1')
		return 0;
	for (i = 0; i < c->nerrs; i++) {
		for (j = 0; j < n && known_bugs[j] &&
		    !strstr(c->errs[i], known_bugs[j]); j++)
			;
		if (j == n || !known_bugs[j])
			return 0;
	}
	return c->nerrs > 0;
}

/* Once per process: the memfds are reused by every run. */
static void
setup(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		memfd[i] = memfd_create("fuzz-config.ini", MFD_CLOEXEC);
		if (memfd[i] < 0) {
			perror("fuzz-config: memfd_create");
			abort();
		}
		snprintf(path[i], sizeof(path[i]), "/proc/self/fd/%d",
		    memfd[i]);
	}
}

/* data, whole, as the only content of memfd i. */
static void
put_file(int i, const void *data, size_t size)
{
	size_t done = 0;
	ssize_t n;

	if (ftruncate(memfd[i], 0))
		abort();
	while (done < size) {
		n = pwrite(memfd[i], (const char *)data + done, size - done,
		    (off_t)done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
}

/* --print-config of c into a new string, or NULL when it refuses. */
static char *
print_to_string(struct cfg *c, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	int r;

	if (!f)
		abort();
	r = cfg_print(c, f);
	if (fclose(f))
		abort();
	if (r) {
		free(text);
		return NULL;
	}
	return text;
}

/* Text after the first line (which names the file). */
static const char *
body(const char *text)
{
	const char *nl = strchr(text, '\n');

	return nl ? nl + 1 : text;
}

/* The printed config, loaded again: no errors, and it prints the same. */
static void
check_reprint(const char *text, size_t len)
{
	struct cfg c;
	char *again;
	size_t n;

	put_file(1, text, len);
	cfg_init(&c, path[1], "/nonexistent/nook-fuzz");
	if ((cfg_load_file(&c) || cfg_validate(&c) || c.nerrs) &&
	    only_known(&c)) {
		cfg_free(&c);
		return;
	}
	if (c.nerrs) {
		fprintf(stderr, "fuzz-config: the printed config does not "
		    "load:\n%s\nits first error: %s\n", text,
		    c.nerrs ? c.errs[0] : "(none)");
		abort();
	}
	again = print_to_string(&c, &n);
	if (!again || strcmp(body(text), body(again))) {
		fprintf(stderr, "fuzz-config: printed twice, not the same:\n"
		    "%s\n---- then ----\n%s\n", text, again ? again : "(refused)");
		abort();
	}
	free(again);
	cfg_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg c;
	char *text = NULL;
	size_t len;

	if (memfd[0] < 0)
		setup();
	put_file(0, data, size);
	cfg_init(&c, path[0], "/nonexistent/nook-fuzz");
	if (cfg_load_file(&c) != -2) {	/* as main.c's load_config() */
		cfg_validate(&c);
		if (!c.nerrs && !c.oom && !c.dropped)
			text = print_to_string(&c, &len);
	}
	cfg_sort_errors(&c);
	if (c.oom)
		abort();	/* no allocation may fail here */
	cfg_free(&c);
	if (text)
		check_reprint(text, len);
	free(text);
	return 0;
}
