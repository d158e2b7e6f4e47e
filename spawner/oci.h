/* SPDX-License-Identifier: MIT */
/* nook-oci: an OCI bundle's config.json read into nook's config. */
#ifndef NOOK_OCI_H
#define NOOK_OCI_H

struct cfg;
struct oci_mode;

int oci_load(struct cfg *c, const char *bundle);
/* runner: main.c's run(), which starts the container and returns its
 * status; passed in so the loader links without main.c (unit tests). */
int oci_main(int argc, char **argv,
    int (*runner)(struct cfg *, struct oci_mode *));

#endif
