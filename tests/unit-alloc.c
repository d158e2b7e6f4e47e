// SPDX-License-Identifier: MIT
/*
 * The musl build's allocator (spawner/musl-malloc.c), alone: built with
 * musl-gcc and linked statically with it, so that malloc() here is that
 * one.  TAP on stdout.  A double free must abort: checked in a child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void *memalign(size_t align, size_t n);
size_t malloc_usable_size(void *p);

static int n_test, n_fail;

static void
ok(int cond, const char *what)
{
	n_test++;
	if (!cond)
		n_fail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_test, what);
}

/* Every byte of p[0..n) is c. */
static int
all(const unsigned char *p, size_t n, unsigned char c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* A child that frees p twice: 1 if it died of SIGABRT. */
static int
double_free_aborts(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		char *volatile p = malloc(40);	/* not optimized away */

		free(p);
		free(p);
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	    WTERMSIG(st) == SIGABRT;
}

int
main(void)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 100, 4000, 4096,
		65536, 131056, 131057, 1 << 20 };
	unsigned char *p[sizeof(sizes) / sizeof(sizes[0])], *q, *r;
	size_t i, good = 1, aligned = 1, usable = 1;
	volatile size_t huge = SIZE_MAX / 2;	/* no compile-time warning */
	void *a;

	setvbuf(stdout, NULL, _IONBF, 0);
	puts("1..14");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p[i] = malloc(sizes[i]);
		good &= p[i] != NULL;
		aligned &= ((uintptr_t)p[i] & 15) == 0;
		usable &= malloc_usable_size(p[i]) >= sizes[i];
		memset(p[i], (int)i + 1, sizes[i]);
	}
	ok(good && aligned, "malloc of 0 B to 1 MiB: 16-byte aligned blocks");
	ok(usable, "malloc_usable_size covers what was asked");
	for (i = 0, good = 1; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		good &= all(p[i], sizes[i], (unsigned char)(i + 1));
	ok(good, "no block overlaps another");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		free(p[i]);
	q = malloc(100);
	r = malloc(100);
	free(q);
	ok(malloc(90) == q, "a freed block is taken again for its class");
	free(r);
	q = calloc(1000, 8);
	ok(q && all(q, 8000, 0), "calloc: zeroed, also a reused block");
	memset(q, 0xab, 8000);
	free(q);
	q = calloc(1000, 8);
	ok(q && all(q, 8000, 0), "calloc of a recycled block is zeroed again");
	free(q);
	errno = 0;
	ok(calloc(huge, 4) == NULL && errno == ENOMEM,
	    "calloc: a product that overflows is ENOMEM");
	q = malloc(10);
	memcpy(q, "0123456789", 10);
	q = realloc(q, 100000);
	ok(q && !memcmp(q, "0123456789", 10), "realloc grows, the bytes kept");
	r = realloc(q, 5);
	ok(r == q && !memcmp(r, "01234", 5), "realloc shrinking keeps the block");
	free(r);
	ok(realloc(NULL, 10) != NULL, "realloc(NULL) is malloc");
	a = memalign(4096, 300);
	ok(a && ((uintptr_t)a & 4095) == 0 && malloc_usable_size(a) >= 300,
	    "memalign(4096): aligned, usable");
	memset(a, 7, 300);
	a = realloc(a, 9000);
	ok(a && all(a, 300, 7), "realloc of an aligned block keeps its bytes");
	free(a);
	ok(posix_memalign(&a, 3, 10) == EINVAL,
	    "posix_memalign refuses an alignment that is no power of two");
	ok(double_free_aborts(), "a double free aborts");
	return n_fail ? 1 : 0;
}
