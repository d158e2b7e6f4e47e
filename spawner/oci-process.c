// SPDX-License-Identifier: MIT
/* nook-oci: config.json's process and root, as nook's keys. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cap-ng.h>
#include <getopt.h>

#include "oci-int.h"

/* ---- process ---- */

static void
h_args(struct oci *o, const char *path, jobj *v)
{
	char **w;
	size_t i, n;
	char *q;

	if (oci_want(o, path, v, json_type_array))
		return;
	n = json_object_array_length(v);
	if (!n) {
		oci_err(o, path, "must not be empty");
		return;
	}
	w = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		jobj *a = json_object_array_get_idx(v, i);

		if (!json_object_is_type(a, json_type_string)) {
			q = oci_idx(path, i);
			oci_want(o, q, a, json_type_string);
			free(q);
			free(w);
			return;
		}
		w[i] = (char *)json_object_get_string(a);
	}
	q = quote_words(w);
	o->newline_ok = 1;	/* a script of many lines: sh -c "..." */
	oci_set(o, path, "process.command=%s", q);
	o->newline_ok = 0;
	free(q);
	free(w);
}

static void
set_env(struct oci *o, const char *path, const char *s, void *arg)
{
	size_t n = strlen(s);

	(void)arg;
	if (n && is_blank(s[n - 1]))
		oci_err(o, path, "a value ending in a blank is not supported");
	else {
		o->newline_ok = 1;
		oci_set(o, path, "process.env=%s", s);
		o->newline_ok = 0;
	}
}

static void
h_env(struct oci *o, const char *path, jobj *v)
{
	oci_each_str(o, path, v, set_env, NULL);
}

static void
h_cwd(struct oci *o, const char *path, jobj *v)
{
	const char *s = oci_jstr(o, path, v);

	if (s)
		oci_set(o, path, "process.cwd=%s", s);
}

static void
h_terminal(struct oci *o, const char *path, jobj *v)
{
	if (!oci_want(o, path, v, json_type_boolean))
		oci_set(o, path, "process.tty=%s", json_object_get_boolean(v) ?
		    "yes" : "no");
}

/* consoleSize {height, width}: [process] tty_size = ROWSxCOLUMNS */
static void
h_console_size(struct oci *o, const char *path, jobj *v)
{
	static const struct field known[] = { { "height", NULL },
		{ "width", NULL }, { NULL, NULL } };
	jobj *h, *w;
	long long rows, cols;
	char *ph, *pw;

	oci_walk(o, path, v, known);
	if (!json_object_is_type(v, json_type_object))
		return;
	ph = oci_sub(path, "height");
	pw = oci_sub(path, "width");
	if (!json_object_object_get_ex(v, "height", &h))
		oci_err(o, ph, "missing");
	else if (!json_object_object_get_ex(v, "width", &w))
		oci_err(o, pw, "missing");
	else if ((rows = oci_jnum(o, ph, h, 65535)) >= 0 &&
	    (cols = oci_jnum(o, pw, w, 65535)) >= 0) {
		if (!rows || !cols)
			oci_err(o, path, "a size of 0");
		else
			oci_set(o, path, "process.tty_size=%lldx%lld", rows,
			    cols);
	}
	free(ph);
	free(pw);
}

static void
h_oom(struct oci *o, const char *path, jobj *v)
{
	if (!oci_want(o, path, v, json_type_int))
		oci_set(o, path, "process.oom_score_adj=%lld",
		    (long long)json_object_get_int64(v));
}

static void
h_nnp(struct oci *o, const char *path, jobj *v)
{
	if (!oci_want(o, path, v, json_type_boolean))
		oci_set(o, path, "security.no_new_privs=%s",
		    json_object_get_boolean(v) ? "yes" : "no");
}

static void
h_uid(struct oci *o, const char *path, jobj *v)
{
	long long n = oci_jnum(o, path, v, 4294967294LL);

	if (n >= 0)
		oci_set(o, path, "process.user=%lld", n);
}

static void
h_gid(struct oci *o, const char *path, jobj *v)
{
	long long n = oci_jnum(o, path, v, 4294967294LL);

	if (n >= 0)
		oci_set(o, path, "process.group=%lld", n);
}

static void
h_umask(struct oci *o, const char *path, jobj *v)
{
	long long n = oci_jnum(o, path, v, 0777);

	if (n >= 0)
		oci_set(o, path, "process.umask=%04llo", (unsigned long long)n);
}

static void
h_groups(struct oci *o, const char *path, jobj *v)
{
	size_t i, n;
	long long g;
	char *where;

	if (oci_want(o, path, v, json_type_array))
		return;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		where = oci_idx(path, i);
		g = oci_jnum(o, where, json_object_array_get_idx(v, i),
		    4294967294LL);
		if (g >= 0)
			oci_set(o, where, "process.groups=%lld", g);
		free(where);
	}
}

static const struct field user_fields[] = {
	{ "uid", h_uid }, { "gid", h_gid }, { "umask", h_umask },
	{ "additionalGids", h_groups }, { NULL, NULL },
};

static void
h_user(struct oci *o, const char *path, jobj *v)
{
	oci_walk(o, path, v, user_fields);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A capability list as sorted words, to compare two lists. */
static char *
caps_words(jobj *v)
{
	size_t i, n = json_object_array_length(v), len = 1;
	const char **w = xcalloc(n + 1, sizeof(char *));
	char *s;

	for (i = 0; i < n; i++) {
		jobj *a = json_object_array_get_idx(v, i);

		w[i] = json_object_is_type(a, json_type_string) ?
		    json_object_get_string(a) : "?";
		len += strlen(w[i]) + 1;
	}
	qsort(w, n, sizeof(char *), cmp_str);
	s = xcalloc(len, 1);
	for (i = 0; i < n; i++)
		strcat(strcat(s, w[i]), " ");
	free(w);
	return s;
}

static void
set_keep(struct oci *o, const char *path, const char *s, void *arg)
{
	(void)arg;
	oci_set(o, path, "capabilities.keep=%s", s);
}

/*
 * nook keeps one set: the bounding set, also permitted and effective for
 * uid 0 (execve clears them for another user, as for runc); ambient adds
 * to inheritable and ambient.  Sets that differ are not expressible yet.
 */
static void
h_caps(struct oci *o, const char *path, jobj *v)
{
	static const char *const names[] = { "bounding", "effective",
		"permitted", "inheritable", "ambient" };
	static const struct field known[] = { { "bounding", NULL },
		{ "effective", NULL }, { "permitted", NULL },
		{ "inheritable", NULL }, { "ambient", NULL }, { NULL, NULL } };
	jobj *set[5] = { NULL };
	char *where, *a, *b;
	size_t i;

	oci_walk(o, path, v, known);
	if (!json_object_is_type(v, json_type_object))
		return;
	for (i = 0; i < 5; i++) {
		if (!json_object_object_get_ex(v, names[i], &set[i]))
			continue;
		where = oci_sub(path, names[i]);
		if (oci_want(o, where, set[i], json_type_array))
			set[i] = NULL;
		free(where);
	}
	oci_set(o, path, "capabilities.keep=");
	if (set[0])
		oci_each_str(o, "process.capabilities.bounding", set[0], set_keep,
		    NULL);
	if (!set[0] || !json_object_array_length(set[0]))
		oci_set(o, path, "capabilities.keep=none");
	if (set[4])
		oci_each_str(o, "process.capabilities.ambient", set[4], oci_set_item,
		    "capabilities.ambient");
	for (i = 1; i < 4; i++) {
		jobj *ref = i == 3 ? set[4] : set[0];

		if (!set[i] || (i == 3 && !json_object_array_length(set[i])))
			continue;
		a = caps_words(set[i]);
		b = ref ? caps_words(ref) : xstrdup("");
		if (strcmp(a, b))
			oci_err(o, path, "%s differs from %s: not supported yet",
			    names[i], i == 3 ? "ambient" : "bounding");
		free(a);
		free(b);
	}
}

/* One rlimit value in the units of [rlimits] (kernel units in JSON). */
static char *
rlimit_text(int res, uint64_t n)
{
	if (n >= (uint64_t)INT64_MAX)
		return xstrdup("unlimited");
	if (res == RLIMIT_CPU)
		return xasprintf("%llus", (unsigned long long)n);
	if (res == RLIMIT_RTTIME)	/* microseconds; nook counts ms */
		return n % 1000 ? NULL : xasprintf("%llums",
		    (unsigned long long)n / 1000);
	return xasprintf("%llu", (unsigned long long)n);
}

static uint64_t
ulimit_of(struct oci *o, const char *path, jobj *r, const char *name)
{
	char *where = oci_sub(path, name);
	jobj *v = NULL;
	uint64_t n = 0;

	if (!json_object_object_get_ex(r, name, &v))
		oci_err(o, where, "missing");
	else if (!oci_want(o, where, v, json_type_int)) {
		n = json_object_get_uint64(v);
		if (json_object_get_int64(v) < 0)
			oci_err(o, where, "must not be negative");
	}
	free(where);
	return n;
}

static void
one_rlimit(struct oci *o, const char *path, jobj *r)
{
	static const struct field known[] = { { "type", NULL },
		{ "soft", NULL }, { "hard", NULL }, { NULL, NULL } };
	const char *type = NULL;
	char *tp = oci_sub(path, "type"), key[32], *soft, *hard;
	jobj *t;
	int k;

	oci_walk(o, path, r, known);
	if (json_object_is_type(r, json_type_object) &&
	    json_object_object_get_ex(r, "type", &t))
		type = oci_jstr(o, tp, t);
	else if (json_object_is_type(r, json_type_object))
		oci_err(o, tp, "missing");
	if (type) {
		snprintf(key, sizeof(key), "%s", strncmp(type, "RLIMIT_", 7) ?
		    "?" : type + 7);
		for (char *p = key; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		k = find_key("rlimits", key);
		if (k < 0)
			oci_err(o, tp, "\"%s\": unknown resource", type);
		else {
			soft = rlimit_text(rlimit_resource(k),
			    ulimit_of(o, path, r, "soft"));
			hard = rlimit_text(rlimit_resource(k),
			    ulimit_of(o, path, r, "hard"));
			if (!soft || !hard)
				oci_err(o, path, "RLIMIT_RTTIME in whole "
				    "milliseconds only");
			else
				oci_set(o, path, "rlimits.%s=%s:%s", key, soft,
				    hard);
			free(soft);
			free(hard);
		}
	}
	free(tp);
}

static void
h_rlimits(struct oci *o, const char *path, jobj *v)
{
	oci_each(o, path, v, one_rlimit);
}

static const struct field process_fields[] = {
	{ "terminal", h_terminal }, { "user", h_user }, { "args", h_args },
	{ "env", h_env }, { "cwd", h_cwd }, { "capabilities", h_caps },
	{ "rlimits", h_rlimits }, { "noNewPrivileges", h_nnp },
	{ "oomScoreAdj", h_oom }, { "consoleSize", h_console_size },
	{ NULL, NULL },
};

void
oci_process(struct oci *o, const char *path, jobj *v)
{
	oci_walk(o, path, v, process_fields);
}

/* ---- root ---- */

static void
h_root_path(struct oci *o, const char *path, jobj *v)
{
	const char *s = oci_jstr(o, path, v);

	if (s && *s == '/')
		oci_set(o, path, "rootfs.path=%s", s);
	else if (s)
		oci_set(o, path, "rootfs.path=%s/%s", o->bundle, s);
}

static void
h_root_ro(struct oci *o, const char *path, jobj *v)
{
	if (!oci_want(o, path, v, json_type_boolean))
		oci_set(o, path, "rootfs.readonly=%s",
		    json_object_get_boolean(v) ? "yes" : "no");
}

static const struct field root_fields[] = {
	{ "path", h_root_path }, { "readonly", h_root_ro }, { NULL, NULL },
};

void
oci_root(struct oci *o, const char *path, jobj *v)
{
	oci_walk(o, path, v, root_fields);
}
