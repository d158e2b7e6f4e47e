// SPDX-License-Identifier: MIT
/*
 * nook's allocator when linked with musl (make NOOK_LIBC=musl): musl's
 * own (mallocng) gives a group of small blocks back to the kernel the
 * moment its last block is freed, and nook frees as it goes - a start made
 * 30-40 mmap/munmap pairs, whose unmapping (page tables, TLB flushes) cost
 * about 0.15 ms of a 3 ms start here.  nook is single-threaded and
 * short-lived, or sits in a poll loop that allocates next to nothing, so
 * blocks freed here are kept for reuse instead: power-of-two size
 * classes, a free list each, carved from 256 KiB areas that are never
 * unmapped; only blocks over 128 KiB get a mapping of their own, unmapped
 * when freed.  No thread ever runs in nook (none of its libraries starts
 * one), so there is no locking.
 *
 * Every block has a 16-byte header: its usable size and a tag (its
 * class, "mapped", or, for an over-aligned block, the distance back to
 * the block it lies in).  glibc builds (tests, sanitizers, valgrind) use
 * glibc's malloc: this file is empty there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef __GLIBC__
void *memalign(size_t align, size_t n);
size_t malloc_usable_size(void *p);

#define HDR		16
#define MIN_SHIFT	5		/* 32-byte blocks, header included */
#define MAX_SHIFT	17		/* 128 KiB */
#define AREA		(256 * 1024)
#define TAG_MAPPED	0x4d41500000000000ULL	/* "MAP" */
#define TAG_ALIGNED	0x414c4e0000000000ULL	/* "ALN" */
#define TAG_CLASS	0x434c530000000000ULL	/* "CLS" | shift */
#define TAG_MASK	0xffffff0000000000ULL

struct hdr {
	size_t size;	/* usable bytes; for TAG_ALIGNED the offset back */
	uint64_t tag;
};

struct free_block {
	struct free_block *next;
};

static struct free_block *free_list[MAX_SHIFT + 1];
static char *area, *area_end;

static struct hdr *
hdr_of(void *p)
{
	return (struct hdr *)((char *)p - HDR);
}

static void *
from_kernel(size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

static void *
alloc_mapped(size_t n)
{
	size_t len = (n + HDR + 4095) & ~(size_t)4095;
	struct hdr *h;

	if (n > SIZE_MAX - HDR - 4095 || !(h = from_kernel(len))) {
		errno = ENOMEM;
		return NULL;
	}
	h->size = len - HDR;
	h->tag = TAG_MAPPED;
	return (char *)h + HDR;
}

/*
 * malloc() itself; the others call this, never malloc(): gcc turns a
 * malloc() followed by a memset() of zero into a call to calloc().
 */
static void *
take(size_t n)
{
	unsigned shift = MIN_SHIFT;
	size_t bsize;
	struct hdr *h;

	if (n > ((size_t)1 << MAX_SHIFT) - HDR)
		return alloc_mapped(n);
	while (((size_t)1 << shift) - HDR < n)
		shift++;
	bsize = (size_t)1 << shift;
	if (free_list[shift]) {
		h = (struct hdr *)free_list[shift];
		free_list[shift] = free_list[shift]->next;
	} else {
		if ((size_t)(area_end - area) < bsize) {
			if (!(area = from_kernel(AREA))) {
				area_end = NULL;
				errno = ENOMEM;
				return NULL;
			}
			area_end = area + AREA;
		}
		h = (struct hdr *)area;
		area += bsize;
	}
	h->size = bsize - HDR;
	h->tag = TAG_CLASS | shift;
	return (char *)h + HDR;
}

void *
malloc(size_t n)
{
	return take(n);
}

void
free(void *p)
{
	struct hdr *h;
	unsigned shift;

	if (!p)
		return;
	h = hdr_of(p);
	if ((h->tag & TAG_MASK) == TAG_ALIGNED) {
		p = (char *)p - h->size;
		h = hdr_of(p);
	}
	if ((h->tag & TAG_MASK) == TAG_MAPPED) {
		munmap(h, h->size + HDR);
		return;
	}
	shift = (unsigned)(h->tag & ~TAG_MASK);
	if ((h->tag & TAG_MASK) != TAG_CLASS || shift < MIN_SHIFT ||
	    shift > MAX_SHIFT)
		abort();	/* not ours, or overwritten: stop here */
	h->tag = 0;		/* a second free() of it aborts */
	((struct free_block *)h)->next = free_list[shift];
	free_list[shift] = (struct free_block *)h;
}

size_t
malloc_usable_size(void *p)
{
	struct hdr *h;

	if (!p)
		return 0;
	h = hdr_of(p);
	if ((h->tag & TAG_MASK) == TAG_ALIGNED)
		return hdr_of((char *)p - h->size)->size - h->size;
	return h->size;
}

void *
calloc(size_t m, size_t n)
{
	void *p;

	if (n && m > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = take(m * n)))
		memset(p, 0, m * n);
	return p;
}

void *
realloc(void *p, size_t n)
{
	size_t have;
	void *q;

	if (!p)
		return take(n);
	have = malloc_usable_size(p);
	if (n <= have && hdr_of(p)->tag != TAG_ALIGNED)
		return p;
	if (!(q = take(n)))
		return NULL;
	memcpy(q, p, have < n ? have : n);
	free(p);
	return q;
}

void *
memalign(size_t align, size_t n)
{
	char *p, *a;

	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	if (align <= HDR)
		return take(n);
	if (n > SIZE_MAX - align - HDR || !(p = take(n + align + HDR)))
		return NULL;
	a = (char *)(((uintptr_t)p + HDR + align - 1) & ~(uintptr_t)(align - 1));
	hdr_of(a)->size = (size_t)(a - p);
	hdr_of(a)->tag = TAG_ALIGNED;
	return a;
}

void *
aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	if (!(p = memalign(align, n)))
		return ENOMEM;
	*out = p;
	return 0;
}
#else
/* glibc's malloc: an empty unit would be an ISO C warning. */
typedef int musl_malloc_unused;
#endif
