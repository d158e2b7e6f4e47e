/* SPDX-License-Identifier: MIT */
/*
 * A seccomp profile given whole (nook-oci: config.json's linux.seccomp),
 * typed at load by oci-seccomp.c and compiled by security.c in place of
 * nook's own rules.  One flat block without pointers or padding: freed
 * with free(), and its bytes are part of the key of the filter cache.
 */
#ifndef NOOK_SECCOMP_PROFILE_H
#define NOOK_SECCOMP_PROFILE_H

#include <stdint.h>
#include <seccomp.h>

#define SC_MAX_ARGS 6		/* a system call's arguments */
#define SC_MAX_ARCH 32

/* One system call of a syscalls[] entry: a config entry naming three
 * calls is three of these. */
struct sc_rule {
	int32_t nr;		/* libseccomp's (a pseudo-number: < 0) */
	uint32_t act;		/* SCMP_ACT_*, with its errno or trace data */
	uint32_t nargs;
	uint32_t split;		/* an index compared twice: one rule each */
	uint32_t entry, name;	/* syscalls[entry].names[name], for errors */
	struct scmp_arg_cmp arg[SC_MAX_ARGS];
};

struct sc_profile {
	uint32_t def_act;	/* SCMP_ACT_*, with its errno */
	uint32_t flags;		/* SECCOMP_FILTER_FLAG_*, given to seccomp(2) */
	uint32_t narch;
	uint32_t arch[SC_MAX_ARCH];	/* SCMP_ARCH_*, the native one too */
	uint32_t nrules;
	struct sc_rule rule[];
};

#endif
