// SPDX-License-Identifier: MIT
/*
 * nook-oci: config.json's linux.seccomp, typed at load into a struct
 * sc_profile (seccomp-profile.h) that security.c compiles with
 * libseccomp in place of nook's own rules.  Every name - action,
 * operator, architecture, flag - is checked here, so a bad one is an
 * error naming its JSON path before anything runs.  A system call name
 * libseccomp does not know is skipped, as runc and crun do: profiles
 * list calls newer than the library, or of other architectures.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci-int.h"
#include "seccomp-profile.h"

/* The block is hashed whole: no padding may hide stale bytes. */
_Static_assert(sizeof(struct sc_rule) == 6 * 4 + SC_MAX_ARGS *
    sizeof(struct scmp_arg_cmp), "struct sc_rule has padding");
_Static_assert(sizeof(struct sc_profile) % 8 == 0 &&
    sizeof(struct sc_profile) == (4 + SC_MAX_ARCH) * 4,
    "struct sc_profile has padding");

#define SC_MAX_RULES 8192	/* the program holds at most 4096 anyway */
#define ACT_NOTIFY 1		/* not an action libseccomp takes from us */

static const struct {
	const char *name;
	uint32_t act;
	int data;		/* takes errnoRet */
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, 0 },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, 0 },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, 0 },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, 0 },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), 1 },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), 1 },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, 0 },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, 0 },
	{ "SCMP_ACT_NOTIFY", ACT_NOTIFY, 0 },
};

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* The flags of seccomp(2) libseccomp knows, and the API level of the
 * kernel each needs (seccomp_api_get()). */
static const struct {
	const char *name;
	uint32_t flag;
	unsigned api;
} flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC, 2 },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG, 3 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW, 4 },
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The members each object may have; any other is named as not supported
 * (oci_walk() calls no handler for these: they are read below). */
static const struct field top_keys[] = {
	{ "defaultAction", NULL }, { "defaultErrnoRet", NULL },
	{ "architectures", NULL }, { "flags", NULL },
	{ "listenerPath", NULL }, { "listenerMetadata", NULL },
	{ "syscalls", NULL }, { NULL, NULL },
};
static const struct field rule_keys[] = {
	{ "names", NULL }, { "action", NULL }, { "errnoRet", NULL },
	{ "args", NULL }, { NULL, NULL },
};
static const struct field arg_keys[] = {
	{ "index", NULL }, { "value", NULL }, { "valueTwo", NULL },
	{ "op", NULL }, { NULL, NULL },
};

/* Member name of obj, or NULL; its path in *where (to free) if found. */
static jobj *
member(jobj *obj, const char *path, const char *name, char **where)
{
	jobj *v;

	*where = NULL;
	if (!json_object_object_get_ex(obj, name, &v))
		return NULL;
	*where = oci_sub(path, name);
	return v;
}

/* A required member: missing is an error naming it. */
static jobj *
required(struct oci *o, jobj *obj, const char *path, const char *name,
    char **where)
{
	jobj *v = member(obj, path, name, where);
	char *p;

	if (!v) {
		p = oci_sub(path, name);
		oci_err(o, p, "missing");
		free(p);
	}
	return v;
}

/*
 * An unsigned 64-bit number (json-c keeps those above INT64_MAX as
 * uint64): 0, or -1 with the error recorded.
 */
static int
u64(struct oci *o, const char *path, jobj *v, uint64_t *out)
{
	if (oci_want(o, path, v, json_type_int))
		return -1;
	if (json_object_get_int64(v) < 0) {
		oci_err(o, path, "%lld: expected a number from 0 to 2^64-1",
		    (long long)json_object_get_int64(v));
		return -1;
	}
	*out = json_object_get_uint64(v);
	return 0;
}

/*
 * The action named at path, with errnoRet (v, at ev; NULL: none) as its
 * data: EPERM when not given, as runc.  0 and *act, or -1 (error said).
 */
static int
action(struct oci *o, const char *path, jobj *v, const char *ev, jobj *ret,
    uint32_t *act)
{
	const char *s = oci_jstr(o, path, v);
	long long e = EPERM;
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < LEN(actions) && strcmp(actions[i].name, s); i++)
		;
	if (i == LEN(actions)) {
		oci_err(o, path, "\"%s\": unknown action (SCMP_ACT_KILL, "
		    "_KILL_PROCESS, _KILL_THREAD, _TRAP, _ERRNO, _TRACE, "
		    "_ALLOW, _LOG)", s);
		return -1;
	}
	if (actions[i].act == ACT_NOTIFY) {
		oci_err(o, path, "\"%s\": not supported (nook-oci has no "
		    "seccomp listener)", s);
		return -1;
	}
	if (ret && !actions[i].data) {
		oci_err(o, ev, "only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, "
		    "not %s", s);
		return -1;
	}
	if (ret && (e = oci_jnum(o, ev, ret, 0xffff)) < 0)
		return -1;
	*act = actions[i].data ? actions[i].act | (uint32_t)e : actions[i].act;
	return 0;
}

/* "SCMP_ARCH_X86_64" is libseccomp's "x86_64": the token, or 0. */
static uint32_t
arch_token(const char *s)
{
	char name[32];
	size_t i;

	if (strncmp(s, "SCMP_ARCH_", 10) || strlen(s + 10) >= sizeof(name) ||
	    !s[10])
		return 0;
	for (i = 0; s[10 + i]; i++)
		name[i] = (char)tolower((unsigned char)s[10 + i]);
	name[i] = 0;
	return seccomp_arch_resolve_name(name);
}

static void
add_arch(struct oci *o, const char *path, const char *s, void *arg)
{
	struct sc_profile *p = arg;
	uint32_t a = arch_token(s), i;

	if (!a) {
		oci_err(o, path, "\"%s\": unknown architecture", s);
		return;
	}
	for (i = 0; i < p->narch && p->arch[i] != a; i++)
		;
	if (i < p->narch)
		return;
	if (p->narch == SC_MAX_ARCH) {
		oci_err(o, path, "more than %d architectures", SC_MAX_ARCH);
		return;
	}
	p->arch[p->narch++] = a;
}

static void
add_flag(struct oci *o, const char *path, const char *s, void *arg)
{
	struct sc_profile *p = arg;
	size_t i;

	for (i = 0; i < LEN(flags) && strcmp(flags[i].name, s); i++)
		;
	if (i == LEN(flags))
		oci_err(o, path, "\"%s\": not supported (SECCOMP_FILTER_FLAG_"
		    "TSYNC, _LOG, _SPEC_ALLOW)", s);
	else if (seccomp_api_get() < flags[i].api)
		oci_err(o, path, "\"%s\": not supported by this kernel", s);
	else
		p->flags |= flags[i].flag;
}

/* One args[] entry into c: 0, or -1 (error said). */
static int
arg_cmp(struct oci *o, const char *path, jobj *v, struct scmp_arg_cmp *c)
{
	char *wi, *wv, *w2, *wo;
	jobj *vi = NULL, *vv, *v2, *vo;
	const char *s = NULL;
	long long idx = -1;
	size_t i = LEN(operators);
	int rc = -1;

	memset(c, 0, sizeof(*c));
	oci_walk(o, path, v, arg_keys);
	if (!json_object_is_type(v, json_type_object))
		return -1;
	vi = required(o, v, path, "index", &wi);
	vv = required(o, v, path, "value", &wv);
	vo = required(o, v, path, "op", &wo);
	v2 = member(v, path, "valueTwo", &w2);
	if (vi)
		idx = oci_jnum(o, wi, vi, SC_MAX_ARGS - 1);
	if (vo && (s = oci_jstr(o, wo, vo)))
		for (i = 0; i < LEN(operators) && strcmp(operators[i].name, s);
		    i++)
			;
	if (s && i == LEN(operators))
		oci_err(o, wo, "\"%s\": unknown operator (SCMP_CMP_NE, _LT, "
		    "_LE, _EQ, _GE, _GT, _MASKED_EQ)", s);
	if (vv && !u64(o, wv, vv, &c->datum_a) && (!v2 ||
	    !u64(o, w2, v2, &c->datum_b)) && idx >= 0 &&
	    i < LEN(operators)) {
		c->arg = (unsigned)idx;
		c->op = operators[i].op;
		rc = 0;
	}
	free(wi);
	free(wv);
	free(w2);
	free(wo);
	return rc;
}

/* A rule's comparisons: ANDed, unless an index comes twice (*split). */
static int
rule_args(struct oci *o, const char *path, jobj *v, struct sc_rule *x)
{
	size_t i, j, n;
	char *where;
	int rc = 0;

	if (oci_want(o, path, v, json_type_array))
		return -1;
	n = json_object_array_length(v);
	if (n > SC_MAX_ARGS) {
		oci_err(o, path, "%zu comparisons: at most %d", n, SC_MAX_ARGS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		where = oci_idx(path, i);
		if (arg_cmp(o, where, json_object_array_get_idx(v, i),
		    &x->arg[i]))
			rc = -1;
		free(where);
	}
	x->nargs = (uint32_t)n;
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (x->arg[i].arg == x->arg[j].arg)
				x->split = 1;
	return rc;
}

/* Room for one more rule in *pp, zeroed. */
static struct sc_rule *
new_rule(struct sc_profile **pp)
{
	struct sc_profile *p = *pp;
	size_t n = p->nrules;

	p = realloc(p, sizeof(*p) + (n + 1) * sizeof(p->rule[0]));
	if (!p)
		nook_oom();
	*pp = p;
	memset(&p->rule[n], 0, sizeof(p->rule[0]));
	p->nrules++;
	return &p->rule[n];
}

/*
 * syscalls[k]: one rule per name libseccomp knows (on any of its
 * architectures: a call of another one has a pseudo-number).
 */
static void
syscall_rule(struct oci *o, const char *path, jobj *v, uint32_t k,
    struct sc_profile **pp)
{
	struct sc_rule tmpl, *x;
	char *wn, *wa, *we, *wg, *where;
	jobj *names, *act, *ret, *args;
	const char *s;
	size_t i, n;
	int nr, bad;

	memset(&tmpl, 0, sizeof(tmpl));
	oci_walk(o, path, v, rule_keys);
	if (!json_object_is_type(v, json_type_object))
		return;
	names = required(o, v, path, "names", &wn);
	act = required(o, v, path, "action", &wa);
	ret = member(v, path, "errnoRet", &we);
	args = member(v, path, "args", &wg);
	bad = act && action(o, wa, act, we, ret, &tmpl.act);
	bad |= args && rule_args(o, wg, args, &tmpl);	/* every error */
	if (bad || !names || oci_want(o, wn, names, json_type_array))
		goto out;
	if (!(n = json_object_array_length(names)))
		oci_err(o, wn, "empty: name at least one system call");
	for (i = 0; i < n; i++) {
		where = oci_idx(wn, i);
		s = oci_jstr(o, where, json_object_array_get_idx(names, i));
		nr = s ? seccomp_syscall_resolve_name(s) : __NR_SCMP_ERROR;
		if (s && nr == __NR_SCMP_ERROR)
			nook_info("%s: \"%s\": a system call libseccomp does "
			    "not know: ignored", where, s);
		free(where);
		if (nr == __NR_SCMP_ERROR)
			continue;
		if ((*pp)->nrules == SC_MAX_RULES) {
			oci_err(o, path, "more than %d rules", SC_MAX_RULES);
			break;
		}
		x = new_rule(pp);
		*x = tmpl;
		x->nr = nr;
		x->entry = k;
		x->name = (uint32_t)i;
	}
out:
	free(wn);
	free(wa);
	free(we);
	free(wg);
}

static void
syscall_rules(struct oci *o, const char *path, jobj *v, struct sc_profile **pp)
{
	size_t i, n;
	char *where;

	if (oci_want(o, path, v, json_type_array))
		return;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		where = oci_idx(path, i);
		syscall_rule(o, where, json_object_array_get_idx(v, i),
		    (uint32_t)i, pp);
		free(where);
	}
}

/* listenerPath and listenerMetadata serve SCMP_ACT_NOTIFY: refused. */
static void
no_listener(struct oci *o, jobj *v, const char *path, const char *name)
{
	char *where;

	if (member(v, path, name, &where))
		oci_err(o, where, "not supported (nook-oci has no seccomp "
		    "listener)");
	free(where);
}

/*
 * linux.seccomp: the profile, whole, in c->t (which cfg_validate()
 * keeps); none at all when any part of it is wrong.
 */
void
oci_seccomp(struct oci *o, const char *path, jobj *v)
{
	struct sc_profile *p;
	size_t before = o->c->nerrs;
	char *wd, *we, *wa, *wf, *ws;
	jobj *def, *ret, *x;

	oci_walk(o, path, v, top_keys);
	if (!json_object_is_type(v, json_type_object))
		return;
	p = xcalloc(1, sizeof(*p));
	p->arch[p->narch++] = seccomp_arch_native();
	no_listener(o, v, path, "listenerPath");
	no_listener(o, v, path, "listenerMetadata");
	def = required(o, v, path, "defaultAction", &wd);
	ret = member(v, path, "defaultErrnoRet", &we);
	if (def)
		action(o, wd, def, we, ret, &p->def_act);
	if ((x = member(v, path, "architectures", &wa)))
		oci_each_str(o, wa, x, add_arch, p);
	if ((x = member(v, path, "flags", &wf)))
		oci_each_str(o, wf, x, add_flag, p);
	if ((x = member(v, path, "syscalls", &ws)))
		syscall_rules(o, ws, x, &p);
	free(wd);
	free(we);
	free(wa);
	free(wf);
	free(ws);
	free(o->c->t.sc_profile);
	o->c->t.sc_profile = NULL;
	if (o->c->nerrs != before) {
		free(p);
		return;
	}
	o->c->t.sc_profile = p;
}

static void
add_name(jobj *a, const char *name)
{
	json_object_array_add(a, json_object_new_string(name));
}

/*
 * features' linux.seccomp (runtime-spec features-linux.md), from the
 * tables the loader checks against: what a profile may name here.
 */
jobj *
oci_seccomp_features(void)
{
	static const char *const archs[] = { "SCMP_ARCH_X86",
		"SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
		"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
		"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
		"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
		"SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
		"SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
		"SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH",
		"SCMP_ARCH_SHEB" };
	jobj *o = json_object_new_object(), *act = json_object_new_array(),
	    *op = json_object_new_array(), *arch = json_object_new_array(),
	    *known = json_object_new_array(), *works = json_object_new_array();
	size_t i;

	for (i = 0; i < LEN(actions); i++)
		if (actions[i].act != ACT_NOTIFY)
			add_name(act, actions[i].name);
	for (i = 0; i < LEN(operators); i++)
		add_name(op, operators[i].name);
	for (i = 0; i < LEN(archs); i++)
		if (arch_token(archs[i]))	/* libseccomp knows it */
			add_name(arch, archs[i]);
	for (i = 0; i < LEN(flags); i++) {
		add_name(known, flags[i].name);
		if (seccomp_api_get() >= flags[i].api)
			add_name(works, flags[i].name);
	}
	json_object_object_add(o, "enabled", json_object_new_boolean(1));
	json_object_object_add(o, "actions", act);
	json_object_object_add(o, "operators", op);
	json_object_object_add(o, "archs", arch);
	json_object_object_add(o, "knownFlags", known);
	json_object_object_add(o, "supportedFlags", works);
	return o;
}
