// SPDX-License-Identifier: MIT
/*
 * Linked into the sanitizer builds of `make check-sanitize' (nook, the
 * unit test, nook-init-asan): the options their runtimes start with, so
 * that they hold in every process, whatever environment a test or nook
 * hands it (ASAN_OPTIONS and UBSAN_OPTIONS still add to them).
 *
 * A memory error or undefined behaviour aborts: status 134, or "killed by
 * SIGABRT", which no test takes for success.  A leak is reported without
 * changing the exit status (exitcode=0); the target reads the reports.
 * An allocation that fails returns NULL, as it does without ASan (the
 * unit test's out-of-memory check counts on it).  The ASan runtime need
 * not come first when a test preloads a library.
 *
 * Leaks are looked for in the unit test only (SAN_DETECT_LEAKS=1).  Not in
 * nook: LeakSanitizer stops the world at exit by making the process
 * dumpable again and tracing it from a new task - a task born in the PID
 * namespace nook joined, and a dumpable nook is what CVE-2016-9962 was
 * about (tests/nook-escape.t sees it).  nook's leaks are check-valgrind's.
 * Nor in nook-init, which never returns from main.
 */
#ifndef SAN_DETECT_LEAKS
#define SAN_DETECT_LEAKS 0
#endif
#define STR(x) #x
#define XSTR(x) STR(x)

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *
__asan_default_options(void)
{
	return "abort_on_error=1:exitcode=0:allocator_may_return_null=1:"
	    "verify_asan_link_order=0:"
	    "strict_string_checks=1:check_initialization_order=1:"
	    "detect_leaks=" XSTR(SAN_DETECT_LEAKS);
}

const char *
__ubsan_default_options(void)
{
	return "abort_on_error=1:halt_on_error=1:print_stacktrace=1";
}
