// SPDX-License-Identifier: MIT
/*
 * Value parsers: one value of one key to its typed form - capabilities,
 * rlimits, id maps, mount specs and the rest - or the reason it is not
 * valid.  Pure: no I/O, no exit, unit-tested alone.
 */
#define _GNU_SOURCE
#include <cap-ng.h>
#include <ctype.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "nook.h"

/* CAP_NET_RAW, net_raw, NET_RAW: the number, or -1. */
int
cap_number(const char *name)
{
	char low[64];
	size_t i;

	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	if (strlen(name) >= sizeof(low))
		return -1;
	for (i = 0; name[i]; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = 0;
	return capng_name_to_capability(low);
}

static const char *
cap_hint(const char *name)
{
	static char buf[64];
	const char *cands[64];
	int i, k;

	for (i = 0; i < 64; i++)
		cands[i] = capng_capability_to_name(i);
	if (!strncasecmp(name, "CAP_", 4))
		name += 4;
	k = suggest(name, cands, 64);
	if (k < 0)
		return NULL;
	snprintf(buf, sizeof(buf), "CAP_%s", cands[k]);
	for (i = 4; buf[i]; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	return buf;
}

/* Docker's default set. */
static const int default_caps[] = { CAP_CHOWN, CAP_DAC_OVERRIDE,
	CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
	CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
	CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE };

/* Union of names (and none/all/default) into a bit mask. */
int
sec_cap_names(char **names, unsigned long long *mask, const char **bad)
{
	size_t i, j;
	int n;

	*mask = 0;
	for (i = 0; names[i]; i++) {	/* in order: none resets */
		if (!strcmp(names[i], "none")) {
			*mask = 0;
		} else if (!strcmp(names[i], "all")) {
			*mask = ~0ULL;
		} else if (!strcmp(names[i], "default")) {
			for (j = 0; j < sizeof(default_caps) / sizeof(int); j++)
				*mask |= 1ULL << default_caps[j];
		} else if ((n = cap_number(names[i])) >= 0 && n < 64) {
			*mask |= 1ULL << n;
		} else {
			*bad = names[i];
			return -1;
		}
	}
	return 0;
}

int
rlimit_resource(int k)
{
	static const int res[16] = { RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU,
		RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK,
		RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC,
		RLIMIT_RSS, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING,
		RLIMIT_STACK };

	return res[k - K_RL_FIRST];
}

/*
 * One side of SOFT:HARD in the unit that fits the resource; -1 with errno
 * ERANGE when it is too large (parse_duration() caps durations so that
 * RLIMIT_RTTIME's microseconds fit), else EINVAL.
 */
static int
rlimit_value(int res, const char *s, unsigned long long *out)
{
	long long v;

	if (!strcmp(s, "unlimited") || !strcmp(s, "infinity"))
		return *out = RLIM_INFINITY, 0;
	switch (res) {
	case RLIMIT_CPU:
		if (parse_duration(s, &v, 0))
			return -1;
		if (v % 1000)
			return errno = EINVAL, -1;
		return *out = (unsigned long long)v / 1000, 0;
	case RLIMIT_RTTIME:
		if (parse_duration(s, &v, 0))
			return -1;
		if ((unsigned long long)v > (RLIM_INFINITY - 1) / 1000)
			return errno = ERANGE, -1;
		return *out = (unsigned long long)v * 1000, 0;
	case RLIMIT_NICE:
		return parse_uint(s, 40, out);
	case RLIMIT_RTPRIO:
		return parse_uint(s, 99, out);
	case RLIMIT_NOFILE: case RLIMIT_NPROC: case RLIMIT_LOCKS:
	case RLIMIT_SIGPENDING:
		return parse_uint(s, 1ULL << 40, out);
	default:
		if (parse_size(s, &v))
			return -1;
		if (v < 0)
			return errno = EINVAL, -1;
		return *out = (unsigned long long)v, 0;
	}
}

/* Why a value of resource res is out of range. */
static const char *
rlimit_range(int res)
{
	switch (res) {
	case RLIMIT_CPU: case RLIMIT_RTTIME:
		return "out of range (at most 3650 days)";
	case RLIMIT_NICE:
		return "out of range (at most 40)";
	case RLIMIT_RTPRIO:
		return "out of range (at most 99)";
	case RLIMIT_NOFILE: case RLIMIT_NPROC: case RLIMIT_LOCKS:
	case RLIMIT_SIGPENDING:
		return "out of range (at most 1099511627776)";
	default:
		return "out of range (at most 8E, 2^63 - 1 bytes)";
	}
}

int
rlimit_parse(int k, const char *s, struct rlimit_spec *out, const char **why)
{
	char *a = xstrdup(s), *b = strchr(a, ':');
	int r = -1, bad;

	memset(out, 0, sizeof(*out));
	out->resource = rlimit_resource(k);
	if (!strcmp(s, "inherit")) {
		out->inherit = 1;
		free(a);
		return 0;
	}
	if (b)
		*b++ = 0;
	bad = rlimit_value(out->resource, a, &out->soft) ||
	    rlimit_value(out->resource, b ? b : a, &out->hard);
	if (bad && errno == ERANGE)
		*why = rlimit_range(out->resource);
	else if (bad)
		*why = out->resource == RLIMIT_CPU ? "expected SOFT[:HARD] "
		    "in whole seconds (10s, 2m), unlimited or inherit" :
		    out->resource == RLIMIT_NICE ? "expected SOFT[:HARD] from 0 "
		    "to 40, unlimited or inherit" : out->resource ==
		    RLIMIT_RTPRIO ? "expected SOFT[:HARD] from 0 to 99, "
		    "unlimited or inherit" : "expected SOFT[:HARD], each a "
		    "number (with a unit where it fits), unlimited, or inherit";
	else if (out->soft > out->hard)
		*why = "the soft limit is above the hard limit";
	else
		r = 0;
	free(a);
	return r;
}

int
is_name(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return 0;
	return 1;
}

static int
check_idmap(const char *s, struct idmap *m)
{
	unsigned long long v[3];
	char buf[96], *tok, *save;
	int i = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, " \t", &save); tok;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (i == 3 || parse_uint(tok, 4294967295ULL, &v[i]))
			return -1;
		i++;
	}
	if (i != 3 || v[2] == 0 || v[0] + v[2] > 4294967296ULL ||
	    v[1] + v[2] > 4294967296ULL)
		return -1;
	m->inside = v[0], m->outside = v[1], m->count = v[2];
	return 0;
}

/* An enumerated key: the index of its choice, or a hint. */
static const char *
parse_choice(const struct key *key, const char *s, union tval *out,
    char *buf, size_t len)
{
	size_t i;
	int b;

	for (i = 0; key->choices[i]; i++)
		if (!strcmp(s, key->choices[i]))
			return out->i = (int)i, NULL;
	b = suggest(s, key->choices, i);
	snprintf(buf, len, "\"%s\" is not one of", s);
	for (i = 0; key->choices[i]; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s %s",
		    i ? "," : "", key->choices[i]);
	if (b >= 0)
		snprintf(buf + strlen(buf), len - strlen(buf),
		    " (did you mean %s?)", key->choices[b]);
	return buf;
}

/* Names, host names, NAME=VALUE, paths, users and groups. */
static const char *
parse_text(int k, const char *s, union tval *out, char *buf, size_t len)
{
	const char *eq;

	switch (cfg_keys[k].type) {
	case T_NAME:
		if (k == K_ENV_KEEP)
			return is_name(s, 255, "_") && !(*s >= '0' && *s <= '9') ?
			    NULL : "expected an environment variable name";
		if (k == K_CG_NAME)	/* runc's libpod-ID is 71 long */
			return is_name(s, 255, "-_.@") && strcmp(s, ".") &&
			    strcmp(s, "..") ? NULL : "expected 1-255 "
			    "characters of A-Z a-z 0-9 - _ . @";
		return is_name(s, 64, "-_.") ? NULL :
		    "expected 1-64 characters of A-Z a-z 0-9 - _ .";
	case T_HOST:
		return !*s || (is_name(s, 64, "-.") && *s != '-' && *s != '.') ?
		    NULL : "expected a host name: 1-64 characters of "
		    "A-Z a-z 0-9 - . (not starting with - or .)";
	case T_ENV:
		eq = strchr(s, '=');
		if (!eq || eq == s)
			return "expected NAME=VALUE";
		snprintf(buf, len, "%.*s", (int)(eq - s), s);
		return is_name(buf, 255, "_") && !(*s >= '0' && *s <= '9') ?
		    NULL : "expected NAME=VALUE with a valid variable name";
	case T_ABSPATH:
		return *s == '/' ? NULL : "expected an absolute path";
	default:	/* T_ID: digits are an id, never a name */
		out->id.name = s;
		if (!*s || parse_uint(s, 4294967294ULL, &out->id.id) == 0)
			return out->id.numeric = *s != 0, NULL;
		if (*s >= '0' && *s <= '9')
			return "expected an id from 0 to 4294967294 or a name";
		return is_name(s, 32, "-_.") && !strchr("-.", *s) ? NULL :
		    "expected a numeric id or a user/group name";
	}
}

/* Booleans, sizes, durations, modes, descriptors. */
static const char *
parse_number(int k, const char *s, union tval *out)
{
	unsigned long long u;

	switch (cfg_keys[k].type) {
	case T_BOOL:
		return parse_bool(s, &out->i) ? "expected yes, no, true, false, "
		    "on, off, 1 or 0" : NULL;
	case T_SIZE:
		if (!strcmp(s, "max"))
			return out->n = -1, NULL;
		if (parse_size(s, &out->n))
			return errno == ERANGE ? "out of range (at most 8E, "
			    "2^63 - 1 bytes)" : "expected a size such as 64M, "
			    "1G, 4096 or max";
		return out->n == 0 ? "must not be 0" : NULL;
	case T_DUR:
	case T_SDUR:
		if (parse_duration(s, &out->n, cfg_keys[k].type == T_SDUR))
			return errno == ERANGE ? "out of range (at most 3650 "
			    "days)" : "expected a duration such as 500ms, 10s, "
			    "2m or 1h";
		return NULL;
	case T_OCTAL:
		if (!*s || strspn(s, "01234567") != strlen(s) || strlen(s) > 4 ||
		    strtol(s, NULL, 8) > 0777)
			return "expected an octal mode from 0000 to 0777";
		out->u = (unsigned)strtol(s, NULL, 8);
		return NULL;
	default:	/* T_FD */
		if (parse_uint(s, 65535, &u) || u < 3)
			return "expected a descriptor number from 3 to 65535 "
			    "(0-2 are always passed)";
		out->i = (int)u;
		return NULL;
	}
}

/* Namespaces, id maps, capabilities, system calls, limits, words. */
static const char *
parse_kernel(int k, const char *s, union tval *out, char *buf, size_t len)
{
	const char *why;
	size_t n = 0;

	switch (cfg_keys[k].type) {
	case T_NS:
		out->ns.mode = !strcmp(s, "new") ? NS_NEW : !strcmp(s, "host") ?
		    NS_HOST : NS_JOIN;
		out->ns.path = s;
		if (out->ns.mode != NS_JOIN || *s == '/')
			return NULL;
		return "expected new, host or the path of a namespace file";
	case T_IDMAP:
		out->map.kind = !strcmp(s, "auto") ? MAP_AUTO :
		    !strcmp(s, "identity") ? MAP_IDENTITY : MAP_RANGES;
		if (out->map.kind != MAP_RANGES || !check_idmap(s, &out->map.r))
			return NULL;
		return "expected \"INSIDE OUTSIDE COUNT\" (COUNT > 0, ids "
		    "below 2^32), auto or identity";
	case T_CAP:
		if (!strcmp(s, "none") || !strcmp(s, "all") ||
		    !strcmp(s, "default") || cap_number(s) >= 0)
			return NULL;
		why = cap_hint(s);
		snprintf(buf, len, "unknown capability \"%s\"%s%s%s", s,
		    why ? " (did you mean " : "", why ? why : "", why ? "?)" : "");
		return buf;
	case T_SYSCALL:
		if ((out->i = seccomp_syscall_resolve_name(s)) != __NR_SCMP_ERROR)
			return NULL;
		snprintf(buf, len, "unknown system call \"%s\"", s);
		return buf;
	case T_RLIMIT:
		return rlimit_parse(k, s, &out->rl, &why) ? why : NULL;
	default:	/* T_WORDS */
		return parse_words(s, &out->w, &n, &why) ? why : NULL;
	}
}

/*
 * Parse value s of key k into *out: NULL, or why it is not valid (buf
 * may hold the text).  The only place a value is read; strings stay
 * pointers to s.
 */
/* A whole decimal number from lo to hi, a sign allowed: 0, or -1. */
static int
parse_int_range(const char *s, long long lo, long long hi, long long *out)
{
	unsigned long long u;
	int neg = *s == '-';

	if (parse_uint(s + neg, (unsigned long long)(neg ? -lo : hi), &u))
		return -1;
	*out = neg ? -(long long)u : (long long)u;
	return 0;
}

const char *
parse_value(int k, const char *s, union tval *out, char *buf, size_t len)
{
	memset(out, 0, sizeof(*out));
	switch (cfg_keys[k].type) {
	case T_ENUM:
		return parse_choice(&cfg_keys[k], s, out, buf, len);
	case T_NAME: case T_HOST: case T_ENV: case T_ABSPATH: case T_ID:
		return parse_text(k, s, out, buf, len);
	case T_BOOL: case T_SIZE: case T_DUR: case T_SDUR: case T_OCTAL:
	case T_FD:
		return parse_number(k, s, out);
	case T_MOUNT:
		return NULL;	/* cfg_mount_parse() */
	case T_COUNT: case T_WEIGHT: case T_MTU: case T_CPUMAX: case T_CPUSET:
	case T_CGPATH: case T_IFNAME: case T_CIDR: case T_IP: case T_DOMAIN:
	case T_HOSTS:
		return parse_service(k, s, out);
	case T_TTYSIZE: {	/* ROWSxCOLUMNS; "": as nook's own terminal */
		unsigned long long r, c;
		const char *x = strchr(s, 'x');
		char rows[16];

		if (!*s)
			return NULL;
		if (!x || x - s >= (long)sizeof(rows))
			return "expected ROWSxCOLUMNS, such as 24x80";
		snprintf(rows, sizeof(rows), "%.*s", (int)(x - s), s);
		if (parse_uint(rows, 65535, &r) || parse_uint(x + 1, 65535, &c) ||
		    !r || !c)
			return "expected ROWSxCOLUMNS, each from 1 to 65535";
		out->u = (unsigned)(r << 16 | c);
		return NULL;
	}
	case T_OOMADJ:	/* "": the caller's, as it is */
		if (!*s)
			return out->n = OOM_ADJ_NONE, NULL;
		if (parse_int_range(s, -1000, 1000, &out->n))
			return "expected a number from -1000 to 1000";
		return NULL;
	case T_DEVRULE:		/* cglimits.c */
		return cg_parse_devices(s, NULL);
	case T_DEVNODE:		/* kernelfs.c */
		return dev_parse_node(s, &out->node);
	default:
		return parse_kernel(k, s, out, buf, len);
	}
}

void
mnt_spec_free(struct mnt_spec *m)
{
	free(m->src);
	free(m->dst);
	free(m->text);
	free(m->data);
	memset(m, 0, sizeof(*m));
}

static int
bind_options(char *opts, struct mnt_spec *out, const char **why)
{
	char *tok, *save;

	for (tok = strtok_r(opts, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "ro")) out->attrs |= M_RO;
		else if (!strcmp(tok, "rw") && out->kind == K_M_BIND_RO) {
			*why = "rw contradicts bind_ro (use bind)";
			return -1;
		} else if (!strcmp(tok, "rw")) out->attrs &= ~M_RO;
		else if (!strcmp(tok, "nosuid")) out->attrs |= M_NOSUID;
		else if (!strcmp(tok, "nodev")) out->attrs |= M_NODEV;
		else if (!strcmp(tok, "noexec")) out->attrs |= M_NOEXEC;
		else if (!strcmp(tok, "optional")) out->optional = 1;
		else if (!strcmp(tok, "idmap=no")) out->idmap = 0;
		else if (!strcmp(tok, "idmap=yes")) out->idmap = 1;
		else if (!strcmp(tok, "create=dir")) out->create = CREATE_DIR;
		else if (!strcmp(tok, "create=file")) out->create = CREATE_FILE;
		else {
			*why = "unknown option (expected ro, rw, nosuid, nodev, "
			    "noexec, optional, create=dir, create=file, "
			    "idmap=yes or idmap=no)";
			return -1;
		}
	}
	return 0;
}

static int
tmpfs_options(char *opts, struct mnt_spec *out, const char **why)
{
	char *tok, *save, *data = xstrdup("");
	unsigned long long u;
	long long sz;
	char *n;

	for (tok = strtok_r(opts, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "size=", 5) && !parse_size(tok + 5, &sz) &&
		    sz > 0)
			n = xasprintf("%s,size=%lld", data, sz);
		else if (!strncmp(tok, "mode=", 5) && tok[5] &&
		    strspn(tok + 5, "01234567") == strlen(tok + 5) &&
		    strtol(tok + 5, NULL, 8) <= 07777)
			n = xasprintf("%s,mode=%s", data, tok + 5);
		else if ((!strncmp(tok, "uid=", 4) || !strncmp(tok, "gid=", 4)) &&
		    !parse_uint(tok + 4, 4294967294ULL, &u))
			n = xasprintf("%s,%.4s%llu", data, tok, u);
		else {
			free(data);
			*why = "bad option (expected size=SIZE, mode=OCTAL, "
			    "uid=N or gid=N)";
			return -1;
		}
		free(data);
		data = n;
	}
	out->data = xstrdup(*data ? data + 1 : "");
	free(data);
	return 0;
}

/* SRC[:DST[:OPTIONS]] of bind and bind_ro, in s (which it cuts). */
static int
bind_spec(char *s, struct mnt_spec *out, const char **why)
{
	char *a = strchr(s, ':'), *b;

	out->attrs = out->kind == K_M_BIND_RO ? M_RO : 0;
	out->idmap = 1;
	b = a ? strchr(a + 1, ':') : NULL;
	if (a)
		*a++ = 0;
	if (b)
		*b++ = 0;
	out->src = xstrdup(s);
	out->dst = xstrdup(a && *a ? a : s);
	if (*out->src != '/' || *out->dst != '/') {
		*why = "expected SRC[:DST[:OPTIONS]] with absolute paths";
		return -1;
	}
	return b ? bind_options(b, out, why) : 0;
}

/* Split one [mounts] value into its parts; *why says what is wrong. */
int
cfg_mount_parse(const struct mount_ent *m, struct mnt_spec *out,
    const char **why)
{
	char *s = xstrdup(m->v.s), *a, *b;
	int r = -1;

	memset(out, 0, sizeof(*out));
	out->kind = m->kind;
	out->loc = m->v.loc;
	a = strchr(s, ':');
	switch ((int)m->kind) {
	case K_M_BIND:
	case K_M_BIND_RO:
		r = bind_spec(s, out, why);
		break;
	case K_M_TMPFS:
		if (a)
			*a++ = 0;
		out->dst = xstrdup(s);
		if (*s != '/')
			*why = "expected DST[:OPTIONS] with an absolute DST";
		else
			r = tmpfs_options(a ? a : (char *)"", out, why);
		break;
	case K_M_MKDIR:
		out->dst = xstrdup(s);
		r = *s == '/' ? 0 : (*why = "expected an absolute path", -1);
		break;
	case K_M_SYMLINK:
		if (a)
			*a++ = 0;
		if (!a || !*s || *a != '/') {
			*why = "expected TARGET:LINK with an absolute LINK";
			break;
		}
		out->text = xstrdup(s);
		out->dst = xstrdup(a);
		r = 0;
		break;
	case K_M_FILE:
		b = strstr(s, ":=");
		if (!b || *s != '/') {
			*why = "expected DST:=TEXT with an absolute DST";
			break;
		}
		*b = 0;
		out->dst = xstrdup(s);
		out->text = xasprintf("%s\n", b + 2);
		r = 0;
		break;
	}
	free(s);
	if (r == 0 && out->dst && (strstr(out->dst, "/../") ||
	    (strlen(out->dst) >= 3 && !strcmp(out->dst + strlen(out->dst) - 3,
	    "/..")))) {
		*why = "the destination must not contain \"..\"";
		r = -1;
	}
	return r;
}
