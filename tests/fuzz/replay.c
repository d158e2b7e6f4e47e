// SPDX-License-Identifier: MIT
/*
 * A plain main() for the fuzz targets: each file named on the command
 * line is one input to LLVMFuzzerTestOneInput().  Built with gcc's
 * -fsanitize=address,undefined it replays the corpus and the saved
 * crashes without clang or libFuzzer (make fuzz-regress, fuzz-regress.t).
 * As libFuzzer does, it treats an exit() during an input as a crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *current;	/* the input being run */

static void
exit_in_target(void)
{
	if (!current)
		return;
	fprintf(stderr, "replay: %s: the target called exit()\n", current);
	abort();
}

/* A sanitizer report or an abort: name the input, then die of it. */
static void
on_abort(int sig)
{
	static const char msg[] = "replay: crashed on input: ";

	if (current) {
		write(2, msg, sizeof(msg) - 1);
		write(2, current, strlen(current));
		write(2, "\n", 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The whole file into a new buffer; NULL with errno on failure. */
static uint8_t *
read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *buf = NULL, *n;
	size_t cap = 0, len = 0, got;

	if (!f)
		return NULL;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (!(n = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = n;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*size = len;
	return buf;
}

int
main(int argc, char **argv)
{
	uint8_t *data;
	size_t size;
	int i;

	atexit(exit_in_target);
	signal(SIGABRT, on_abort);
	for (i = 1; i < argc; i++) {
		if (!(data = read_file(argv[i], &size))) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			return 2;
		}
		current = argv[i];
		LLVMFuzzerTestOneInput(data, size);
		current = NULL;
		free(data);
	}
	printf("replay: %d inputs, no crash\n", argc - 1);
	return 0;
}
