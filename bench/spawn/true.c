// SPDX-License-Identifier: MIT
/*
 * true - the payload of bench/spawn.sh: a static no-op of a few KiB, so
 * that the exec of the payload costs every spawner, the floor and the
 * runner alike as little as it can.  (busybox's true maps a 2 MiB binary.)
 */
int
main(void)
{
	return 0;
}
