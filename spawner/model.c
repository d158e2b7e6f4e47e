// SPDX-License-Identifier: MIT
/*
 * The typed model: every key's values - given or default - parsed once
 * into struct nook_config, then the checks only the whole file can make
 * (id maps, required keys, conflicts).  Setup code reads only this.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nook.h"
#include "oci-hooks.h"

/* Does list key k name cap itself (or all), after its last none? */
static int
names_cap(const struct cfg *c, int k, int cap)
{
	char **names = cfg_list(c, k);
	int found = 0;
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], "none"))
			found = 0;
		else if (!strcmp(names[i], "all") || cap_number(names[i]) == cap)
			found = 1;
	free_strv(names);
	return found;
}

/* Where key k was given, or NULL for its default. */
const struct loc *
tloc(const struct cfg *c, int k)
{
	return c->e[k].n ? &c->e[k].v[0].loc : NULL;
}

int
ns_new(const struct nook_config *t, int k)
{
	return t->ns[k - NS_FIRST].mode == NS_NEW;
}

static void *
field(struct nook_config *t, int k)
{
	return (char *)t + cfg_keys[k].off;
}

static void
int_push(struct int_list *l, int v)
{
	int *n = realloc(l->v, (l->n + 1) * sizeof(int));

	if (!n)
		nook_oom();
	l->v = n;
	l->v[l->n++] = v;
}

static void
ip_push(struct ip_list *l, const struct ip_addr *ip)
{
	struct ip_addr *n = realloc(l->v, (l->n + 1) * sizeof(*n));

	if (!n)
		nook_oom();
	l->v = n;
	l->v[l->n++] = *ip;
}

/* One more [filesystem] device node. */
static void
node_push(struct dev_nodes *d, const struct dev_node *n, const struct loc *l)
{
	struct dev_node *v = realloc(d->v, (d->n + 1) * sizeof(*v));

	if (!v)
		nook_oom();
	d->v = v;
	d->v[d->n] = *n;
	d->v[d->n++].loc = *l;
}

/* An item of an id map: auto or identity, or one more range. */
static void
store_map(struct idmap_spec *m, const union tval *v, const struct loc *l)
{
	if (v->map.kind != MAP_RANGES) {
		m->kind = v->map.kind;
		m->specials++;
	} else if (m->n < sizeof(m->range) / sizeof(m->range[0])) {
		m->kind = MAP_RANGES;
		m->range[m->n] = v->map.r;
		m->range[m->n++].loc = *l;
	}
}

/* user or group, or one more of groups. */
static void
store_id(struct nook_config *t, int k, void *f, const union tval *v,
    const char *s)
{
	struct id_spec *ids;

	if (!(cfg_keys[k].flags & KF_LIST)) {
		*(struct id_spec *)f = v->id;
		((struct id_spec *)f)->name = s;
		return;
	}
	ids = realloc(t->groups, (t->ngroups + 1) * sizeof(*ids));
	if (!ids)
		nook_oom();
	t->groups = ids;
	ids[t->ngroups] = v->id;
	ids[t->ngroups++].name = s;
}

/* Store a parsed value of key k, given at l; its string s is owned by t. */
static void
store(struct cfg *c, int k, const union tval *v, const char *s,
    const struct loc *l)
{
	struct nook_config *t = &c->t;
	void *f = field(t, k);

	switch (cfg_keys[k].type) {
	case T_BOOL: case T_ENUM:
		*(int *)f = v->i;
		break;
	case T_OCTAL:
		*(unsigned *)f = v->u;
		break;
	case T_SIZE: case T_DUR: case T_SDUR:
		*(long long *)f = v->n;
		break;
	case T_NS:
		*(struct ns_spec *)f = v->ns;
		((struct ns_spec *)f)->path = s;
		break;
	case T_RLIMIT:
		*(struct rlimit_spec *)f = v->rl;
		break;
	case T_IDMAP:
		store_map(f, v, l);
		break;
	case T_ID:
		store_id(t, k, f, v, s);
		break;
	case T_FD: case T_SYSCALL:
		int_push(f, v->i);
		break;
	case T_NAME: case T_HOST: case T_ABSPATH: case T_CPUSET: case T_CGPATH:
	case T_IFNAME:
		if (!(cfg_keys[k].flags & KF_LIST))
			*(const char **)f = s;
		break;
	case T_COUNT: case T_OOMADJ:
		*(long long *)f = v->n;
		break;
	case T_TTYSIZE:
		((unsigned *)f)[0] = v->u >> 16;
		((unsigned *)f)[1] = v->u & 0xffff;
		break;
	case T_WEIGHT: case T_MTU:
		*(int *)f = v->i;
		break;
	case T_CPUMAX:
		((long long *)f)[0] = v->cpu.quota;	/* cg_cpu_quota, */
		((long long *)f)[1] = v->cpu.period;	/* cg_cpu_period */
		break;
	case T_CIDR: case T_IP:
		ip_push(f, &v->ip);
		break;
	case T_DEVRULE:		/* a value may hold several rules */
		cg_parse_devices(s, f);
		break;
	case T_DEVNODE:
		node_push(f, &v->node, l);
		break;
	default:
		break;
	}
}

/* A bad value, shown unless the reason already quotes it. */
static void
bad_value(struct cfg *c, const struct loc *l, int k, const char *v,
    const char *why)
{
	char *q = xasprintf("\"%s\"", v);

	if (strstr(why, q) || cfg_keys[k].type == T_WORDS)
		cfg_error(c, l, k, "%s", why);
	else
		cfg_error(c, l, k, "%s: %s", q, why);
	free(q);
}

/* A word list: each value given is checked; the words are kept. */
static void
type_words(struct cfg *c, int k)
{
	struct ent *e = &c->e[k];
	char buf[256], *v;
	const char *why;
	union tval tv;
	size_t i;

	for (i = 0; i < e->n; i++) {
		struct loc *l = &e->v[i].loc;

		v = joined_value(e, &i);
		if ((why = parse_value(k, v, &tv, buf, sizeof(buf))))
			bad_value(c, l, k, v, why);
		free_strv(tv.w);
		free(v);
	}
	*(char ***)field(&c->t, k) = cfg_words(c, k);
}

/* A list: every item, its default's included, parsed and stored. */
static void
type_list(struct cfg *c, int k)
{
	struct nook_config *t = &c->t;
	struct ent *e = &c->e[k];
	struct loc def = { c->file, 0 };
	char buf[256], **items = cfg_list(c, k);
	enum ktype type = cfg_keys[k].type;
	const char *why;
	union tval tv;
	size_t i;

	for (i = 0; items[i]; i++) {
		struct loc *l = e->set && i < e->n ? &e->v[i].loc : &def;

		if ((why = parse_value(k, items[i], &tv, buf, sizeof(buf))))
			bad_value(c, l, k, items[i], why);
		else
			store(c, k, &tv, items[i], l);
	}
	if (type == T_CAP) {	/* in order: none, all, default, names */
		sec_cap_names(items, field(t, k), &why);
		free_strv(items);
	} else if (type == T_NAME || type == T_ENV || type == T_ABSPATH ||
	    type == T_DOMAIN || type == T_HOSTS) {
		*(char ***)field(t, k) = items;
	} else {
		t->lists[t->nlists++] = items;	/* what the fields point into */
	}
}

/* A single value, given or the default (computed ones included). */
static void
type_scalar(struct cfg *c, int k)
{
	struct nook_config *t = &c->t;
	struct ent *e = &c->e[k];
	struct loc def = { c->file, 0 };
	const struct loc *l = e->n ? &e->v[0].loc : &def;
	const char *why;
	union tval tv;
	char buf[256], *v;

	if (!cfg_str(c, k))
		return;		/* none: "required" says so */
	v = xstrdup(cfg_str(c, k));
	t->strings[t->nstrings++] = v;
	if ((why = parse_value(k, v, &tv, buf, sizeof(buf))))
		bad_value(c, l, k, v, why);
	else
		store(c, k, &tv, v, l);
}

/*
 * Every key's values - given, or the default - parsed once into c->t,
 * each bad one reported at its file:line.  Strings of c->t are copies
 * that cfg_free() frees.
 */
static void
type_keys(struct cfg *c)
{
	int k;

	for (k = 0; k < K__COUNT; k++) {
		c->t.loc[k] = c->e[k].n ? c->e[k].v[0].loc :
		    (struct loc){ c->file, 0 };
		if (cfg_keys[k].type == T_WORDS)
			type_words(c, k);
		else if (cfg_keys[k].flags & KF_LIST &&
		    cfg_keys[k].type != T_MOUNT)
			type_list(c, k);
		else if (cfg_keys[k].type != T_MOUNT)
			type_scalar(c, k);
	}
}

static int
overlap(unsigned long long a, unsigned long long b, unsigned long long n,
    unsigned long long m)
{
	return a < b + m && b < a + n;
}

/* A map as a whole: ranges apart, container root mapped, auto alone. */
static void
validate_idmap(struct cfg *c, int k)
{
	struct idmap_spec *s = field(&c->t, k);
	struct idmap *m = s->range;
	size_t i, j, n = 0, given = s->n;

	for (i = 0; i < s->n; i++) {
		for (j = 0; j < n; j++)
			if (overlap(m[i].inside, m[j].inside, m[i].count,
			    m[j].count) || overlap(m[i].outside, m[j].outside,
			    m[i].count, m[j].count))
				break;
		if (j < n) {
			cfg_error(c, &m[i].loc, k, "range \"%llu %llu %llu\" "
			    "overlaps another range of the map", m[i].inside,
			    m[i].outside, m[i].count);
			continue;
		}
		m[n++] = m[i];
	}
	s->n = n;
	for (i = 0; i < n && m[i].inside != 0; i++)
		;
	if (n && i == n)
		cfg_error(c, &c->t.loc[k], k, "must map container id 0 (nook "
		    "sets the container up as its root)");
	if (s->specials && (s->specials > 1 || given))
		cfg_error(c, &c->t.loc[k], k, "auto and identity cannot be "
		    "combined with other ranges");
	if (n > MAX_RANGES)
		cfg_error(c, &c->t.loc[k], k, "at most %d ranges (got %zu)",
		    MAX_RANGES, n);
}

/* What the namespaces allow of the other keys. */
static void
check_ns_conflicts(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	const struct loc *l;

	if (t->ns[K_NS_MOUNT - NS_FIRST].mode != NS_NEW)
		cfg_error(c, tloc(c, K_NS_MOUNT), K_NS_MOUNT, "must be new: "
		    "nook builds the container's root in a mount namespace of "
		    "its own");
	if ((l = tloc(c, K_UID_MAP)) && t->ns[0].mode != NS_NEW &&
	    t->uid_map.kind != MAP_AUTO)
		cfg_error(c, l, K_UID_MAP, "needs [namespaces] user = new");
	if ((l = tloc(c, K_GID_MAP)) && t->ns[0].mode != NS_NEW &&
	    t->gid_map.kind != MAP_AUTO)
		cfg_error(c, l, K_GID_MAP, "needs [namespaces] user = new");
	if ((l = tloc(c, K_BOOTTIME_OFFSET)) && t->boottime_offset &&
	    !ns_new(t, K_NS_TIME))
		cfg_error(c, l, K_BOOTTIME_OFFSET, "needs [namespaces] time = new");
	if ((l = tloc(c, K_MONOTONIC_OFFSET)) && t->monotonic_offset &&
	    !ns_new(t, K_NS_TIME))
		cfg_error(c, l, K_MONOTONIC_OFFSET,
		    "needs [namespaces] time = new");
	if ((l = tloc(c, K_HOSTNAME)) && !ns_new(t, K_NS_UTS))
		cfg_error(c, l, K_HOSTNAME, "needs [namespaces] uts = new");
	if ((l = tloc(c, K_DOMAINNAME)) && !ns_new(t, K_NS_UTS))
		cfg_error(c, l, K_DOMAINNAME, "needs [namespaces] uts = new");
}

/* Keys that are each fine but cannot go together. */
static void
check_conflicts(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	const struct loc *l;

	check_ns_conflicts(c);
	check_service_conflicts(c);
	/* the defaults give way (the host's are bound: mount.c); only a
	 * value given asks for what cannot be */
	if ((l = tloc(c, K_FS_SYS)) && t->sys != SYS_NO &&
	    ns_new(t, K_NS_USER) && !ns_new(t, K_NS_NET))
		cfg_error(c, l, K_FS_SYS, "mounting sysfs in a new user "
		    "namespace needs [namespaces] net = new (or leave sys "
		    "out to get the host's /sys read-only, or set sys = no)");
	if ((l = tloc(c, K_FS_PROC)) && t->proc && ns_new(t, K_NS_USER) &&
	    !ns_new(t, K_NS_PID))
		cfg_error(c, l, K_FS_PROC, "mounting /proc in a new user "
		    "namespace needs [namespaces] pid = new (or leave proc "
		    "out to get the host's /proc bound, or set proc = no)");
	if ((l = tloc(c, K_TTY)) && t->tty == TTY_YES && !t->new_session)
		cfg_error(c, l, K_TTY, "needs [process] new_session = yes (the "
		    "terminal is the controlling terminal of a new session)");
	if ((l = tloc(c, K_TTY)) && t->tty == TTY_YES && t->dev == DEV_NONE)
		cfg_error(c, l, K_TTY, "needs [filesystem] dev = minimal or host "
		    "(the terminal is a pty of the container's /dev/pts)");
	if ((l = tloc(c, K_INIT_ARGS)) && t->init_mode == INIT_MODE_DIRECT)
		cfg_error(c, l, K_INIT_ARGS, "conflicts with [init] mode = "
		    "direct (no init runs)");
	if (t->pass_fd.n > 16)
		cfg_error(c, &c->e[K_PASS_FD].v[16].loc, K_PASS_FD, "at most 16 "
		    "descriptors");
	if (t->ngroups > 64)
		cfg_error(c, &c->e[K_GROUPS].v[64].loc, K_GROUPS, "at most 64 "
		    "groups");
	if (t->seccomp == SECCOMP_NONE && ((l = tloc(c, K_SEC_DENY)) ||
	    (l = tloc(c, K_SEC_ALLOW))))
		cfg_error(c, l, l == tloc(c, K_SEC_DENY) ? K_SEC_DENY :
		    K_SEC_ALLOW, "has no effect with [security] seccomp = none");
	if ((l = tloc(c, K_FS_SHM_SIZE)) && t->dev != DEV_MINIMAL)
		cfg_error(c, l, K_FS_SHM_SIZE, "applies only with [filesystem] "
		    "dev = minimal");
	if (t->caps_ambient & ~t->caps)
		cfg_error(c, tloc(c, K_CAP_AMBIENT), K_CAP_AMBIENT, "must be a "
		    "subset of the kept capabilities ([capabilities] keep "
		    "minus drop)");
}

/*
 * Type every value (type_keys), then check what only the whole file can
 * tell: the id maps, the mounts, the required keys, conflicts.  No host
 * I/O: that is cfg_check_host(), a step of its own.
 */
static int
validate(struct cfg *c)
{
	struct nook_config *t = &c->t;
	struct mnt_spec *m;
	const char *why;
	struct sc_profile *sc = t->sc_profile;	/* not from keys: kept */
	struct oci_hooks *hooks = t->hooks;	/* config.json's: kept too */
	size_t i, before = c->nerrs;

	t->sc_profile = NULL;
	t->hooks = NULL;
	free_typed(t);		/* again: after another --set, say */
	memset(t, 0, sizeof(*t));
	t->sc_profile = sc;
	t->hooks = hooks;
	type_keys(c);
	type_sysctls(c);
	validate_idmap(c, K_UID_MAP);
	validate_idmap(c, K_GID_MAP);
	t->mounts = xcalloc(c->nmounts + 1, sizeof(*t->mounts));
	for (i = 0; i < c->nmounts; i++) {
		m = &t->mounts[t->nmounts];
		if (cfg_mount_parse(&c->mounts[i], m, &why)) {
			cfg_error(c, &c->mounts[i].v.loc, c->mounts[i].kind,
			    "\"%s\": %s", c->mounts[i].v.s, why);
			mnt_spec_free(m);
		} else
			t->nmounts++;
	}
	/*
	 * Outside a new user namespace CAP_MKNOD is the host's: a block
	 * node of the host's disk.  "default" leaves it out there; only a
	 * name (or all) keeps it.
	 */
	t->caps = t->caps_keep & ~t->caps_drop;
	if (t->ns[0].mode != NS_NEW && !names_cap(c, K_CAP_KEEP, CAP_MKNOD))
		t->caps &= ~(1ULL << CAP_MKNOD);
	/* a line refused whole may have held them: no follow-on errors */
	if (!c->e[K_COMMAND].n && !c->dropped)
		cfg_error(c, c->e[K_COMMAND].given.line ? &c->e[K_COMMAND].given :
		    NULL, K_COMMAND, "required (in the file or after -- on the "
		    "command line)");
	if (!c->e[K_ROOT_PATH].n && !c->dropped)
		cfg_error(c, c->e[K_ROOT_PATH].given.line ?
		    &c->e[K_ROOT_PATH].given : NULL, K_ROOT_PATH, "required");
	check_conflicts(c);	/* with the others: one pass, every error */
	net_files(c);
	return c->nerrs == before && !c->dropped ? 0 : -1;
}

int
cfg_validate(struct cfg *c)
{
	volatile int r = -1;

	CFG_ENTRY(c, -1, r = validate(c));
	return r;
}

/* What type_keys() and cfg_validate() allocated. */
void
free_typed(struct nook_config *t)
{
	size_t i;

	for (i = 0; i < t->nstrings; i++)
		free(t->strings[i]);
	for (i = 0; i < t->nlists; i++)
		free_strv(t->lists[i]);
	free_strv(t->command);
	free_strv(t->init_args);
	free_strv(t->env);
	free_strv(t->env_keep);
	free_strv(t->mask);
	free_strv(t->readonly_paths);
	free(t->groups);
	free(t->pass_fd.v);
	free(t->seccomp_deny.v);
	free(t->seccomp_allow.v);
	free(t->sc_profile);
	oci_hooks_free(t->hooks);
	free(t->dev_nodes.v);
	free(t->cg_devices.v);
	free(t->net_address.v);
	free(t->net_gateway.v);
	free(t->net_host_address.v);
	free(t->net_dns.v);
	free_strv(t->net_dns_search);
	free_strv(t->net_hosts);
	free(t->sysctl);
	for (i = 0; i < t->nmounts; i++)
		mnt_spec_free(&t->mounts[i]);
	free(t->mounts);
}
