// SPDX-License-Identifier: MIT
/*
 * The model's part for the services a container gets from the host:
 * [sysctl] names checked to be namespaced, [network] and [cgroup] keys
 * that need one another, and the files [network] brings (resolv.conf,
 * hosts) as [mounts] file entries.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nook.h"

/* An IPv4 or IPv6 address, with "/PREFIX" when prefixed. */
static int
parse_ip(const char *s, int prefixed, struct ip_addr *ip)
{
	char addr[64], *slash;
	unsigned long long p;

	if (strlen(s) >= sizeof(addr))
		return -1;
	strcpy(addr, s);
	slash = strchr(addr, '/');
	if (!prefixed != !slash)
		return -1;
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, addr, ip->a) == 1)
		ip->family = AF_INET, ip->prefix = 32;
	else if (inet_pton(AF_INET6, addr, ip->a) == 1)
		ip->family = AF_INET6, ip->prefix = 128;
	else
		return -1;
	if (slash && (parse_uint(slash, (unsigned long long)ip->prefix, &p) ||
	    p == 0))
		return -1;
	if (slash)
		ip->prefix = (int)p;
	return 0;
}

/* cpu_max: "max", "QUOTA PERIOD" in microseconds, or CPUs like 0.5. */
static const char *
parse_cpu_max(const char *s, union tval *out)
{
	unsigned long long q, p, whole = 0, frac = 0, scale = 1;
	const char *why = "expected max, QUOTA PERIOD in microseconds (period "
	    "1000-1000000, quota at least 1000) or a number of CPUs such as "
	    "0.5";
	char a[32], b[32], extra;
	const char *dot;

	out->cpu.period = 100000;
	if (!strcmp(s, "max"))
		return out->cpu.quota = -1, NULL;
	if (sscanf(s, "%31s %31s %c", a, b, &extra) == 2) {
		if (parse_uint(a, 1ULL << 50, &q) || parse_uint(b, 1000000, &p) ||
		    p < 1000 || q < 1000)
			return why;
		out->cpu.quota = (long long)q, out->cpu.period = (long long)p;
		return NULL;
	}
	if (!*s || strspn(s, "0123456789.") != strlen(s) ||
	    ((dot = strchr(s, '.')) && strchr(dot + 1, '.')))
		return why;
	for (; *s && *s != '.'; s++)
		if ((whole = whole * 10 + (unsigned)(*s - '0')) > 4096)
			return "out of range (at most 4096 CPUs)";
	for (s += *s == '.'; *s && scale < 100000; s++, scale *= 10)
		frac = frac * 10 + (unsigned)(*s - '0');
	q = whole * 100000 + frac * (100000 / scale);
	if (q < 1000)
		return "too small (at least 0.01 CPUs)";
	out->cpu.quota = (long long)q;
	return NULL;
}

/* A cpuset list: 0-3,8,10-11. */
static int
is_cpuset(const char *s)
{
	unsigned long a, b;
	char *end;

	if (!*s || strlen(s) > 255)
		return 0;
	for (;;) {
		if (*s < '0' || *s > '9')
			return 0;
		a = b = strtoul(s, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return 0;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > b || b > 65535)
			return 0;
		if (!*end)
			return 1;
		if (*end != ',')
			return 0;
		s = end + 1;
	}
}

/* A host or domain name: labels of A-Z a-z 0-9 - joined by dots. */
static int
is_domain(const char *s)
{
	return is_name(s, 253, "-.") && *s != '-' && *s != '.' &&
	    !strstr(s, "..");
}

/* A kernel parameter: words of a-z 0-9 _ - joined by . or /. */
int
is_sysctl_name(const char *s)
{
	return is_name(s, 255, "_-./") && !strstr(s, "..") &&
	    !strstr(s, "//") && !strchr("./", *s) &&
	    !strchr("./", s[strlen(s) - 1]);
}

/* A line of /etc/hosts: IP NAME [NAME...]. */
static const char *
parse_hosts_line(const char *s, union tval *out)
{
	char ip[64], name[256];
	int n, m;

	if (sscanf(s, "%63s%n", ip, &n) != 1 || parse_ip(ip, 0, &out->ip) ||
	    !s[n])
		return "expected IP NAME [NAME...]";
	for (s += n; *s; s += m) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if (sscanf(s, "%255s%n", name, &m) != 1 || !is_domain(name))
			return "expected IP NAME [NAME...] with host names";
	}
	return NULL;
}

/* The keys of [cgroup] and [network]. */
const char *
parse_service(int k, const char *s, union tval *out)
{
	unsigned long long u;

	switch (cfg_keys[k].type) {
	case T_COUNT:
		if (!strcmp(s, "max"))
			return out->n = -1, NULL;
		if (parse_uint(s, 4194304, &u) || u == 0)
			return "expected a number from 1 to 4194304, or max";
		return out->n = (long long)u, NULL;
	case T_WEIGHT:
		if (parse_uint(s, 10000, &u) || u == 0)
			return "expected a weight from 1 to 10000";
		return out->i = (int)u, NULL;
	case T_MTU:
		if (parse_uint(s, 65535, &u) || u < 68)
			return "expected an MTU from 68 to 65535";
		return out->i = (int)u, NULL;
	case T_CPUMAX:
		return parse_cpu_max(s, out);
	case T_CPUSET:
		return is_cpuset(s) ? NULL : "expected CPUs or memory nodes "
		    "such as 0-3,8";
	case T_CGPATH:
		return *s && strlen(s) < 1024 && !strstr(s, "..") &&
		    is_name(s, 1023, "-_./@:") ? NULL : "expected a cgroup path "
		    "of A-Z a-z 0-9 - _ . / @ : (no \"..\")";
	case T_IFNAME:
		return is_name(s, 15, "-_.") && strcmp(s, ".") &&
		    strcmp(s, "..") ? NULL : "expected an interface name: 1-15 "
		    "characters of A-Z a-z 0-9 - _ .";
	case T_CIDR:
		return parse_ip(s, 1, &out->ip) ? "expected ADDRESS/PREFIX, "
		    "IPv4 or IPv6, such as 10.0.0.2/24" : NULL;
	case T_IP:
		return parse_ip(s, 0, &out->ip) ? "expected an IPv4 or IPv6 "
		    "address without a prefix" : NULL;
	case T_DOMAIN:
		return is_domain(s) ? NULL : "expected a domain name";
	default:	/* T_HOSTS */
		return parse_hosts_line(s, out);
	}
}

/*
 * The namespace a kernel parameter belongs to, so that setting it in the
 * container cannot change the host: -1 when it is not namespaced.
 */
static int
sysctl_ns(const char *name)
{
	static const struct { const char *prefix; int k; } known[] = {
		{ "net.", K_NS_NET }, { "net/", K_NS_NET },
		{ "kernel.shm", K_NS_IPC }, { "kernel/shm", K_NS_IPC },
		{ "kernel.msg", K_NS_IPC }, { "kernel/msg", K_NS_IPC },
		{ "kernel.sem", K_NS_IPC }, { "kernel/sem", K_NS_IPC },
		{ "fs.mqueue.", K_NS_IPC }, { "fs/mqueue/", K_NS_IPC },
		{ "user.", K_NS_USER }, { "user/", K_NS_USER },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strncmp(name, known[i].prefix, strlen(known[i].prefix)))
			return known[i].k;
	return -1;
}

/* [sysctl]: each name namespaced, in a namespace the container owns. */
void
type_sysctls(struct cfg *c)
{
	struct nook_config *t = &c->t;
	const struct sysctl_raw *r;
	size_t i;
	int k;

	t->sysctl = xcalloc(c->nsysctls + 1, sizeof(*t->sysctl));
	for (i = 0; i < c->nsysctls; i++) {
		r = &c->sysctls[i];
		k = sysctl_ns(r->name);
		if (!is_sysctl_name(r->name))
			cfg_error(c, &r->v.loc, -1, "[sysctl] \"%s\": expected a "
			    "kernel parameter such as net.ipv4.ip_forward",
			    r->name);
		else if (k < 0)
			cfg_error(c, &r->v.loc, -1, "[sysctl] %s: not namespaced: "
			    "would change the host (only net.*, kernel.shm*, "
			    "kernel.msg*, kernel.sem, fs.mqueue.* and user.*)",
			    r->name);
		else if (!ns_new(t, k))
			cfg_error(c, &r->v.loc, -1, "[sysctl] %s: needs %s = new "
			    "(it would change a namespace the container does "
			    "not own)", r->name, key_label(k));
		else if (!t->proc)
			cfg_error(c, &r->v.loc, -1, "[sysctl] %s: needs "
			    "[filesystem] proc = yes (it is written through the "
			    "container's /proc)", r->name);
		else if (!*r->v.s || strlen(r->v.s) > 4096)
			cfg_error(c, &r->v.loc, -1, "[sysctl] %s: expected a "
			    "value of 1 to 4096 characters", r->name);
		else
			t->sysctl[t->nsysctl++] = (struct sysctl_ent){ r->name,
			    r->v.s, r->v.loc };
	}
}

/* One default route per family, through an address of that family. */
static void
check_net_lists(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	const struct ip_list *g = &t->net_gateway;
	size_t i, j, has;

	for (i = 0; i < g->n; i++) {
		for (j = 0; j < i && g->v[j].family != g->v[i].family; j++)
			;
		for (has = 0; has < t->net_address.n &&
		    t->net_address.v[has].family != g->v[i].family; has++)
			;
		if (j < i)
			cfg_error(c, tloc(c, K_NET_GATEWAY), K_NET_GATEWAY,
			    "at most one %s gateway (one default route per "
			    "family)", g->v[i].family == AF_INET ? "IPv4" :
			    "IPv6");
		else if (has == t->net_address.n)
			cfg_error(c, tloc(c, K_NET_GATEWAY), K_NET_GATEWAY,
			    "an %s gateway needs an %s [network] address",
			    g->v[i].family == AF_INET ? "IPv4" : "IPv6",
			    g->v[i].family == AF_INET ? "IPv4" : "IPv6");
	}
	if (tloc(c, K_NET_INTERFACE) && t->net_interface &&
	    !strcmp(t->net_interface, "lo"))
		cfg_error(c, tloc(c, K_NET_INTERFACE), K_NET_INTERFACE,
		    "\"lo\" is the loopback's name");
}

/* [network] and [cgroup] keys that need one another. */
void
check_service_conflicts(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	static const int veth_only[] = { K_NET_INTERFACE, K_NET_ADDRESS,
		K_NET_GATEWAY, K_NET_MTU, K_NET_BRIDGE, K_NET_HOST_ADDRESS };
	const struct loc *l;
	size_t i;

	if (t->net_mode == NET_HOST && t->ns[K_NS_NET - NS_FIRST].mode !=
	    NS_HOST)
		cfg_error(c, tloc(c, K_NET_MODE), K_NET_MODE, "host needs "
		    "[namespaces] net = host");
	if (t->net_mode != NET_HOST && tloc(c, K_NET_MODE) &&
	    !ns_new(t, K_NS_NET))
		cfg_error(c, tloc(c, K_NET_MODE), K_NET_MODE, "%s needs "
		    "[namespaces] net = new", t->net_mode == NET_VETH ? "veth" :
		    "none");
	for (i = 0; i < sizeof(veth_only) / sizeof(veth_only[0]); i++)
		if ((l = tloc(c, veth_only[i])) && t->net_mode != NET_VETH)
			cfg_error(c, l, veth_only[i], "applies only with "
			    "[network] mode = veth");
	if ((l = tloc(c, K_NET_HOST_ADDRESS)) && t->net_bridge)
		cfg_error(c, l, K_NET_HOST_ADDRESS, "conflicts with [network] "
		    "bridge (the host's end is the bridge's then)");
	if (t->net_mode == NET_VETH && nook_euid() != 0)
		cfg_error(c, tloc(c, K_NET_MODE), K_NET_MODE, "veth needs root "
		    "(a veth pair is made in the host's network namespace)");
	check_net_lists(c);
	if ((l = tloc(c, K_CG_DELEGATE)) && t->cg_delegate &&
	    !ns_new(t, K_NS_CGROUP))
		cfg_error(c, l, K_CG_DELEGATE, "needs [namespaces] cgroup = new");
	if ((l = tloc(c, K_FS_DEVICE)) && t->dev_nodes.n &&
	    t->dev != DEV_MINIMAL)
		cfg_error(c, l, K_FS_DEVICE, "needs [filesystem] dev = minimal "
		    "(the nodes are made in nook's /dev)");
	if ((l = tloc(c, K_CG_MEMORY_HIGH)) && t->cg_version == CG_V1)
		cfg_error(c, l, K_CG_MEMORY_HIGH, "exists only with cgroup v2 "
		    "(version = v1 is set)");
}

/* s with more appended; s is freed. */
static char *
str_add(char *s, const char *a, const char *b, const char *d)
{
	char *n = xasprintf("%s%s%s%s", s, a, b, d);

	free(s);
	return n;
}

/* /etc/resolv.conf of [network] dns and dns_search. */
static char *
resolv_text(const struct nook_config *t)
{
	char ip[INET6_ADDRSTRLEN];
	char *s = xstrdup("# [network] dns and dns_search (nook)\n");
	size_t i;

	for (i = 0; i < t->net_dns.n; i++)
		s = str_add(s, "nameserver ", inet_ntop(t->net_dns.v[i].family,
		    t->net_dns.v[i].a, ip, sizeof(ip)), "\n");
	for (i = 0; t->net_dns_search && t->net_dns_search[i]; i++)
		s = str_add(s, i ? " " : "search ", t->net_dns_search[i],
		    t->net_dns_search[i + 1] ? "" : "\n");
	return s;
}

/* /etc/hosts: localhost, the container's own name, then [network] hosts. */
static char *
hosts_text(const struct nook_config *t)
{
	char ip[INET6_ADDRSTRLEN];
	char *s = xstrdup("# [network] hosts (nook)\n127.0.0.1\tlocalhost\n"
	    "::1\tlocalhost ip6-localhost ip6-loopback\n");
	size_t i;

	if (ns_new(t, K_NS_UTS) && t->hostname && *t->hostname) {
		for (i = 0; i < t->net_address.n; i++) {
			s = str_add(s, inet_ntop(t->net_address.v[i].family,
			    t->net_address.v[i].a, ip, sizeof(ip)), "\t",
			    t->hostname);
			s = str_add(s, "\n", "", "");
		}
		if (!t->net_address.n)
			s = str_add(s, "127.0.1.1\t", t->hostname, "\n");
	}
	for (i = 0; t->net_hosts && t->net_hosts[i]; i++)
		s = str_add(s, t->net_hosts[i], "\n", "");
	return s;
}

/* A [mounts] file entry that [network] k asks for, after the others. */
static void
add_file(struct cfg *c, int k, const char *dst, char *text)
{
	struct nook_config *t = &c->t;
	struct mnt_spec *m;
	size_t i;

	for (i = 0; i < t->nmounts; i++) {
		const struct mnt_spec *o = &t->mounts[i];

		if (o->dst && !strcmp(o->dst, dst))
			cfg_error(c, tloc(c, k), k, "writes %s, which %s:%d "
			    "mounts too (%s)", dst, o->loc.file, o->loc.line,
			    key_label(o->kind));
	}
	m = xcalloc(t->nmounts + 2, sizeof(*m));
	memcpy(m, t->mounts, t->nmounts * sizeof(*m));
	free(t->mounts);
	t->mounts = m;
	m += t->nmounts++;
	m->kind = K_M_FILE;
	m->dst = xstrdup(dst);
	m->text = text;
	m->loc = *tloc(c, k);
}

/*
 * dns, dns_search and hosts become files bound over the image's (which
 * may be read-only, and is never written): [mounts] file entries that
 * --print-config does not show, as it prints only what was given.
 */
void
net_files(struct cfg *c)
{
	const struct nook_config *t = &c->t;
	int k = t->net_dns.n ? K_NET_DNS : K_NET_DNS_SEARCH;

	if (t->net_dns.n || (t->net_dns_search && *t->net_dns_search))
		add_file(c, k, "/etc/resolv.conf", resolv_text(t));
	if (t->net_hosts && *t->net_hosts)
		add_file(c, K_NET_HOSTS, "/etc/hosts", hosts_text(t));
}
