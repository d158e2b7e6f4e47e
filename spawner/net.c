// SPDX-License-Identifier: MIT
/*
 * [network]: a new network namespace gets its loopback up; mode = veth
 * adds a veth pair.  The parent makes the pair in the host's namespace
 * with the container's end created straight inside the child's (so its
 * name never meets the host's interfaces) and sets up the host's end;
 * the child, root of its own network namespace, addresses and routes its
 * end.  rtnetlink by hand: a few small requests, each one acknowledged.
 *
 * A new namespace (but for veth and nook-oci) is made, and its lo
 * brought up, by a helper beside the child: net_async_* below.  Where
 * clone3 makes it, lo is brought up by the parent when it may enter the
 * container's network namespace (CAP_SYS_ADMIN of its own, which a
 * rootless nook lacks): the request costs 0.1-0.25 ms (the kernel adds
 * 127.0.0.1, ::1 and their routes), and the parent does it while the
 * child builds the container, instead of waiting.  Otherwise the child
 * does it first.
 */
#define _GNU_SOURCE
#include <net/if.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/capability.h>
#include <linux/veth.h>

#include "nook.h"

/* a new namespace's loopback is always index 1 (LOOPBACK_IFINDEX) */
#define LO_INDEX 1

/* A route socket of the namespace it was opened in. */
struct nl {
	int fd;
	uint32_t seq;
	char why[160];		/* the kernel's extended ack: " (TEXT)", "" */
};

/* One request; the largest (a veth pair) needs about 150 bytes. */
struct msg {
	union {
		struct nlmsghdr h;
		char b[512];
	} u;
	int over;		/* did not fit: refused by nl_talk */
};

static int
nl_open(struct nl *nl)
{
	int one = 1;

	nl->seq = 0;
	nl->why[0] = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -1;
	/* best effort: acks without our request echoed, errors with text */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return 0;
}

static void *
msg_init(struct msg *m, int type, int flags, size_t body)
{
	memset(m, 0, sizeof(*m));
	m->u.h.nlmsg_len = NLMSG_LENGTH(body);
	m->u.h.nlmsg_type = type;
	m->u.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return NLMSG_DATA(&m->u.h);
}

/* len more bytes, zeroed and aligned, at the end of the request. */
static void *
msg_grow(struct msg *m, size_t len)
{
	size_t off = NLMSG_ALIGN(m->u.h.nlmsg_len);
	static char spill[64];

	if (m->over || off + NLMSG_ALIGN(len) > sizeof(m->u.b)) {
		m->over = 1;
		return spill;	/* written, never sent */
	}
	m->u.h.nlmsg_len = off + NLMSG_ALIGN(len);
	return memset(m->u.b + off, 0, NLMSG_ALIGN(len));
}

static void
msg_put(struct msg *m, int type, const void *data, size_t len)
{
	struct rtattr *a = msg_grow(m, RTA_LENGTH(len));

	if (m->over)
		return;
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
}

static void
msg_u32(struct msg *m, int type, uint32_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

/* An attribute holding attributes: msg_end() closes it at its offset. */
static size_t
msg_nest(struct msg *m, int type)
{
	size_t off = NLMSG_ALIGN(m->u.h.nlmsg_len);

	msg_put(m, type, NULL, 0);
	return off;
}

static void
msg_end(struct msg *m, size_t off)
{
	if (!m->over)
		((struct rtattr *)(m->u.b + off))->rta_len =
		    m->u.h.nlmsg_len - off;
}

/* The text of an extended ack, if the kernel sent one. */
static void
nl_ext_ack(struct nl *nl, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const char *p = (const char *)e + sizeof(*e);
	const char *end = (const char *)h + h->nlmsg_len;
	const struct nlattr *a;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		p += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	for (; p + NLA_HDRLEN <= end; p += NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			return;
		if (a->nla_type == NLMSGERR_ATTR_MSG && a->nla_len > NLA_HDRLEN)
			snprintf(nl->why, sizeof(nl->why), " (%.*s)",
			    (int)strnlen(p + NLA_HDRLEN, a->nla_len -
			    NLA_HDRLEN), p + NLA_HDRLEN);
	}
}

/*
 * Send a request and wait for its ack: 0, or -1 with errno set (the
 * kernel's error, and its text in nl->why).  Only the kernel is heard.
 */
static int
nl_talk(struct nl *nl, struct msg *m)
{
	union { struct nlmsghdr h; char b[4096]; } ans;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl;
	struct nlmsghdr *h;
	ssize_t n;

	nl->why[0] = 0;
	if (m->over)
		return errno = EMSGSIZE, -1;
	m->u.h.nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, m->u.b, m->u.h.nlmsg_len, 0,
	    (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	for (;;) {
		sl = sizeof(sa);
		n = recvfrom(nl->fd, ans.b, sizeof(ans.b), 0,
		    (struct sockaddr *)&sa, &sl);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (sa.nl_pid != 0)
			continue;
		for (h = &ans.h; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_seq != nl->seq ||
			    h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return errno = EPROTO, -1;
			if (!e->error)
				return 0;
			nl_ext_ack(nl, h);
			return errno = -e->error, -1;
		}
	}
}

/*
 * The pair: host on this side, peer created in the network namespace of
 * process pid (our child, not yet reaped: the pid cannot be reused).
 */
static int
veth_create(struct nl *nl, const char *host, const char *peer, pid_t pid,
    int mtu)
{
	struct msg m;
	struct ifinfomsg *i;
	size_t info, data, end;

	i = msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*i));
	i->ifi_family = AF_UNSPEC;
	msg_put(&m, IFLA_IFNAME, host, strlen(host) + 1);
	if (mtu)
		msg_u32(&m, IFLA_MTU, mtu);
	info = msg_nest(&m, IFLA_LINKINFO);
	msg_put(&m, IFLA_INFO_KIND, "veth", 5);
	data = msg_nest(&m, IFLA_INFO_DATA);
	end = msg_nest(&m, VETH_INFO_PEER);
	i = msg_grow(&m, sizeof(*i));
	i->ifi_family = AF_UNSPEC;
	msg_put(&m, IFLA_IFNAME, peer, strlen(peer) + 1);
	if (mtu)
		msg_u32(&m, IFLA_MTU, mtu);
	msg_u32(&m, IFLA_NET_NS_PID, pid);
	msg_end(&m, end);
	msg_end(&m, data);
	msg_end(&m, info);
	return nl_talk(nl, &m);
}

/* RTM_NEWLINK on an existing link: up, or a master (0: none). */
static int
link_set(struct nl *nl, int index, int up, int master)
{
	struct msg m;
	struct ifinfomsg *i = msg_init(&m, RTM_NEWLINK, 0, sizeof(*i));

	i->ifi_family = AF_UNSPEC;
	i->ifi_index = index;
	i->ifi_flags = up ? IFF_UP : 0;
	i->ifi_change = up ? IFF_UP : 0;
	if (master)
		msg_u32(&m, IFLA_MASTER, master);
	return nl_talk(nl, &m);
}

static int
link_del(struct nl *nl, int index)
{
	struct msg m;
	struct ifinfomsg *i = msg_init(&m, RTM_DELLINK, 0, sizeof(*i));

	i->ifi_family = AF_UNSPEC;
	i->ifi_index = index;
	return nl_talk(nl, &m);
}

static size_t
ip_len(const struct ip_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

/*
 * An address without duplicate address detection: a veth link is ours
 * alone, and a tentative IPv6 address would not answer for a second.
 */
static int
addr_add(struct nl *nl, int index, const struct ip_addr *a)
{
	struct msg m;
	struct ifaddrmsg *i;

	i = msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*i));
	i->ifa_family = a->family;
	i->ifa_prefixlen = a->prefix;
	i->ifa_index = index;
	if (a->family == AF_INET6) {
		i->ifa_flags = IFA_F_NODAD;
		msg_u32(&m, IFA_FLAGS, IFA_F_NODAD);
	}
	msg_put(&m, IFA_LOCAL, a->a, ip_len(a));
	msg_put(&m, IFA_ADDRESS, a->a, ip_len(a));
	return nl_talk(nl, &m);
}

static int
route_default(struct nl *nl, int index, const struct ip_addr *gw)
{
	struct msg m;
	struct rtmsg *rt;

	rt = msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
	    sizeof(*rt));
	rt->rtm_family = gw->family;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	msg_put(&m, RTA_GATEWAY, gw->a, ip_len(gw));
	msg_u32(&m, RTA_OIF, index);
	return nl_talk(nl, &m);
}

/* "10.0.0.2/24", or the address alone with prefix < 0. */
static const char *
ip_text(const struct ip_addr *a, int prefix, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->a, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	if (prefix)
		snprintf(buf, len, "%s/%d", ip, a->prefix);
	else
		snprintf(buf, len, "%s", ip);
	return buf;
}

/*
 * The host's end: "nk-NAME", so a firewall rule or a look at `ip link`
 * can tell whose it is.  A name too long keeps 7 characters and a hash
 * of the whole; two running containers of one name would clash anyway.
 */
static void
host_ifname(const char *name, char *out, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	const char *p;

	if (!name || !*name)
		name = "nook";
	if (strlen(name) <= IFNAMSIZ - 1 - 3) {
		snprintf(out, len, "nk-%s", name);
		return;
	}
	for (p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, len, "nk-%.7s-%04x", name, (unsigned)(h & 0xffff));
}

/* Is CAP_SYS_ADMIN in our effective set (may we enter a namespace)? */
static int
has_sys_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	return !syscall(SYS_capget, &h, d) &&
	    d[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
}

static void net_async_pick(struct run *r);

/* Before the clone: who makes the namespace and brings lo up; what the
 * host must have for the pair. */
int
net_prepare(struct run *r)
{
	const struct nook_config *t = r->t;
	struct net_run *n = &r->net;

	memset(n, 0, sizeof(*n));
	net_async_pick(r);
	n->lo_parent = t->ns[K_NS_NET - NS_FIRST].mode == NS_NEW &&
	    !n->async && has_sys_admin();
	if (t->net_mode != NET_VETH)
		return 0;
	host_ifname(t->name, n->host, sizeof(n->host));
	if (t->net_bridge && !(n->bridge_index =
	    (int)if_nametoindex(t->net_bridge))) {
		key_error(tloc(r->c, K_NET_BRIDGE), K_NET_BRIDGE, "\"%s\": %s",
		    t->net_bridge, errno == ENODEV ? "no such interface on "
		    "the host" : strerror(errno));
		return -1;
	}
	if (if_nametoindex(n->host)) {
		key_error(tloc(r->c, K_NET_MODE), K_NET_MODE, "the host's "
		    "interface %s exists already (another container named "
		    "\"%s\" running?)", n->host, t->name);
		return -1;
	}
	return 0;
}

static int
host_fail(struct run *r, const struct nl *nl, int k, const char *what)
{
	int err = errno;

	key_error(tloc(r->c, k), k, "%s%s: %s", what, nl->why, strerror(err));
	return -1;
}

/* The pair, and the host's end: bridge or addresses, then up. */
static int
host_side(struct run *r, struct nl *nl)
{
	const struct nook_config *t = r->t;
	struct net_run *n = &r->net;
	char what[128], ip[64];
	size_t i;

	snprintf(what, sizeof(what), "create the veth pair %s (host) - %s "
	    "(container)", n->host, t->net_interface);
	if (veth_create(nl, n->host, t->net_interface, r->pid, t->net_mtu))
		return host_fail(r, nl, t->net_mtu ? K_NET_MTU : K_NET_MODE,
		    what);
	n->made = 1;
	if (!(n->host_index = (int)if_nametoindex(n->host)))
		return host_fail(r, nl, K_NET_MODE, n->host);
	snprintf(what, sizeof(what), "attach %s to the bridge %s", n->host,
	    t->net_bridge ? t->net_bridge : "");
	if (n->bridge_index && link_set(nl, n->host_index, 0, n->bridge_index))
		return host_fail(r, nl, K_NET_BRIDGE, what);
	for (i = 0; i < t->net_host_address.n; i++) {
		snprintf(what, sizeof(what), "add %s to %s", ip_text(
		    &t->net_host_address.v[i], 1, ip, sizeof(ip)), n->host);
		if (addr_add(nl, n->host_index, &t->net_host_address.v[i]))
			return host_fail(r, nl, K_NET_HOST_ADDRESS, what);
	}
	snprintf(what, sizeof(what), "set %s up", n->host);
	if (link_set(nl, n->host_index, 1, 0))
		return host_fail(r, nl, K_NET_MODE, what);
	return 0;
}

/* After the clone, before the child is released: the host's side. */
int
net_parent(struct run *r)
{
	struct nl nl;
	int rc;

	if (r->t->net_mode != NET_VETH)
		return 0;
	if (nl_open(&nl)) {
		key_error(tloc(r->c, K_NET_MODE), K_NET_MODE, "netlink "
		    "socket: %s", strerror(errno));
		return -1;
	}
	rc = host_side(r, &nl);
	close(nl.fd);
	return rc;
}

/* The container's end, made by the parent: addresses, up, routes. */
static void
child_side(struct run *r, struct nl *nl)
{
	const struct nook_config *t = r->t;
	const char *ifn = t->net_interface;
	char ip[64];
	size_t i;
	int index = (int)if_nametoindex(ifn);

	if (!index)
		child_fail(r, tloc(r->c, K_NET_MODE), K_NET_MODE, errno,
		    "the container's end %s is missing", ifn);
	for (i = 0; i < t->net_address.n; i++)
		if (addr_add(nl, index, &t->net_address.v[i]))
			child_fail(r, tloc(r->c, K_NET_ADDRESS), K_NET_ADDRESS,
			    errno, "add %s to %s%s",
			    ip_text(&t->net_address.v[i], 1, ip, sizeof(ip)),
			    ifn, nl->why);
	if (link_set(nl, index, 1, 0))
		child_fail(r, tloc(r->c, K_NET_MODE), K_NET_MODE, errno,
		    "set %s up%s", ifn, nl->why);
	/* after up: a gateway must be on a link that is up */
	for (i = 0; i < t->net_gateway.n; i++)
		if (route_default(nl, index, &t->net_gateway.v[i]))
			child_fail(r, tloc(r->c, K_NET_GATEWAY), K_NET_GATEWAY,
			    errno, "add the default route via %s%s",
			    ip_text(&t->net_gateway.v[i], 0, ip, sizeof(ip)),
			    nl->why);
}

/*
 * In the child, released, root of its user namespace: a new network
 * namespace starts with lo down, where even 127.0.0.1 fails; bring it up
 * in every mode, as other runtimes do.  A joined or the host's namespace
 * is not ours to change.
 */
void
net_child(struct run *r)
{
	const struct nook_config *t = r->t;
	struct nl nl;

	if (t->ns[K_NS_NET - NS_FIRST].mode != NS_NEW || r->net.async ||
	    (r->net.lo_parent && t->net_mode != NET_VETH))
		return;
	if (nl_open(&nl))
		child_fail(r, tloc(r->c, K_NET_MODE), K_NET_MODE, errno,
		    "netlink socket");
	if (!r->net.lo_parent && link_set(&nl, LO_INDEX, 1, 0))
		child_fail(r, tloc(r->c, K_NET_MODE), K_NET_MODE, errno,
		    "set lo up%s", nl.why);
	if (t->net_mode == NET_VETH)
		child_side(r, &nl);
	close(nl.fd);
}

/*
 * The parent, once the child is released: lo up in the container's
 * network namespace, entered just long enough to open a route socket
 * there.  1 when done or not ours to do, 0 when the namespace could not
 * be entered (an LSM, an old kernel): the child must do it; -1 after
 * saying why.
 */
int
net_parent_lo(struct run *r)
{
	struct nl nl = { .fd = -1 };
	int self, e = 0;

	if (!r->net.lo_parent)
		return 1;
	/* entered only when we may come back: re-entering our own namespace
	 * takes the same rights (a joined user namespace lacks them) */
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self >= 0 && !setns(self, CLONE_NEWNET) &&
	    !setns(r->pidfd, CLONE_NEWNET)) {
		e = nl_open(&nl) ? errno : 0;
		if (setns(self, CLONE_NEWNET)) {
			key_error(tloc(r->c, K_NET_MODE), K_NET_MODE, "return "
			    "to nook's network namespace: %s", strerror(errno));
			close(self);
			if (nl.fd >= 0)
				close(nl.fd);
			return -1;
		}
	}
	if (self >= 0)
		close(self);
	if (nl.fd < 0) {
		nook_info("[network] lo: left to the container (%s)",
		    strerror(e ? e : errno));
		return 0;
	}
	e = link_set(&nl, LO_INDEX, 1, 0) ? errno : 0;
	close(nl.fd);
	if (e)
		key_error(tloc(r->c, K_NET_MODE), K_NET_MODE, "set lo up%s: %s",
		    nl.why, strerror(e));
	return e ? -1 : 1;
}

/* The child, when the parent could not: lo up. */
void
net_child_lo(struct run *r)
{
	struct nl nl;

	if (nl_open(&nl))
		child_fail(r, tloc(r->c, K_NET_MODE), K_NET_MODE, errno,
		    "netlink socket");
	if (link_set(&nl, LO_INDEX, 1, 0))
		child_fail(r, tloc(r->c, K_NET_MODE), K_NET_MODE, errno,
		    "set lo up%s", nl.why);
	close(nl.fd);
}

/*
 * At the end, whatever happened.  The pair would go with the container's
 * network namespace, but only once the kernel gets to it (and never while
 * something else holds that namespace): delete it now.
 */
void
net_cleanup(struct run *r)
{
	struct net_run *n = &r->net;
	struct nl nl;

	net_async_abort(r);
	if (!n->made)
		return;
	n->made = 0;
	if (!n->host_index && !(n->host_index = (int)if_nametoindex(n->host)))
		return;		/* gone already */
	if (nl_open(&nl)) {
		fprintf(stderr, "nook: [network] mode: netlink socket: %s "
		    "(%s is left)\n", strerror(errno), n->host);
		return;
	}
	if (link_del(&nl, n->host_index) && errno != ENODEV)
		fprintf(stderr, "nook: [network] mode: delete %s%s: %s\n",
		    n->host, nl.why, strerror(errno));
	close(nl.fd);
}

/*
 * The network namespace beside the child, not in its clone: creating one
 * is the largest single cost of a start (0.4-0.5 ms: the kernel sets up
 * every protocol's per-namespace state), and clone3 makes it before the
 * child exists.  A helper makes it instead, on the other CPU, while the
 * child builds its root, /proc, /dev and /tmp (started once the parent
 * has released the child and claimed the record, so that its clone does
 * not hold that up); the child joins it before mounting /sys (which
 * shows the network namespace of its mounter) and anything else that
 * needs it.
 *
 * The helper is a CLONE_VM process of the parent that joins the child's
 * user namespace (setns takes a process that shares no thread group and
 * no fs_struct; sharing memory is allowed), so the namespace it makes is
 * owned by the container's user namespace, as clone3 would have made it.
 * It shares the parent's file table: once the parent has sent the child
 * its go (a futex word says so), it sends the namespace over the
 * parent's end of their socket, then brings lo up while the child goes
 * on; the parent waits for it before its word to go on.  It runs on a
 * stack of its own with the parent's thread pointer, so it makes its
 * system calls by hand and touches no libc state (errno included).
 * Where that is not written for the architecture, for nook-oci (whose
 * hooks see the namespaces at creation) and for veth (the pair is made
 * into the child's namespace), clone3 makes the namespace as before.
 */
#if defined(__x86_64__) || defined(__aarch64__)
#define NET_ASYNC 1
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <linux/sockios.h>

static long __attribute__((no_sanitize_address))
raw4(long n, long a, long b, long c, long d)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b),
	    "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return ret;
#else
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
	    "r"(x3) : "memory", "cc");
	return x0;
#endif
}

enum { GO_WAIT, GO_SENT, GO_NEVER };

static struct helper {
	int pidfd;		/* the child's, for its user namespace */
	long parent;		/* nook's pid: gone, the helper goes too */
	int userns;		/* join it first */
	int sock;		/* the parent's end of the child's socket */
	int go;			/* futex: GO_SENT once the child has its go */
	int sent;		/* out: the child has its message */
	int err;		/* out: errno of the failed step, or 0 */
	const char *step;	/* out: which */
	char stack[16384] __attribute__((aligned(16)));
} helper;

/* "N" with the namespace, or "n" without: the child makes its own. */
static void __attribute__((no_sanitize_address))
helper_send(struct helper *h, int ns)
{
	char w = ns >= 0 ? 'N' : 'n';
	struct iovec iov = { .iov_base = &w, .iov_len = 1 };
	union {
		struct cmsghdr c;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	while (__atomic_load_n(&h->go, __ATOMIC_ACQUIRE) == GO_WAIT)
		raw4(SYS_futex, (long)&h->go, FUTEX_WAIT, GO_WAIT, 0);
	if (h->go != GO_SENT)
		return;
	if (ns >= 0) {
		mh.msg_control = u.b;
		mh.msg_controllen = sizeof(u.b);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		*(int *)CMSG_DATA(cm) = ns;
	}
	/* a child gone meanwhile: the parent reads its report */
	h->sent = raw4(SYS_sendmsg, h->sock, (long)&mh, MSG_NOSIGNAL, 0) == 1;
}

static int __attribute__((no_sanitize_address))
helper_main(void *arg)
{
	struct helper *h = arg;
	struct ifreq ifr;
	volatile char *z = (volatile char *)&ifr;
	long s = -1, ns = -1, rc;
	size_t i;

	for (i = 0; i < sizeof(ifr); i++)
		z[i] = 0;
	ifr.ifr_name[0] = 'l';
	ifr.ifr_name[1] = 'o';
	/* never left waiting for a go from a nook that was killed */
	raw4(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0);
	if (raw4(SYS_getppid, 0, 0, 0, 0) != h->parent)
		raw4(SYS_exit, 1, 0, 0, 0);
	h->step = "join the container's user namespace";
	if (h->userns && (rc = raw4(SYS_setns, h->pidfd, CLONE_NEWUSER, 0, 0)))
		goto fail;
	h->step = "create the network namespace";
	if ((rc = raw4(SYS_unshare, CLONE_NEWNET, 0, 0, 0)))
		goto fail;
	h->step = "open a socket in it";
	if ((rc = s = raw4(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
	    0)) < 0)
		goto fail;
	if ((rc = ns = raw4(SYS_ioctl, s, SIOCGSKNS, 0, 0)) < 0)
		goto fail;
	helper_send(h, (int)ns);
	raw4(SYS_close, ns, 0, 0, 0);
	h->step = "set lo up";
	if (!(rc = raw4(SYS_ioctl, s, SIOCGIFFLAGS, (long)&ifr, 0))) {
		ifr.ifr_flags |= IFF_UP;
		rc = raw4(SYS_ioctl, s, SIOCSIFFLAGS, (long)&ifr, 0);
	}
	raw4(SYS_close, s, 0, 0, 0);
	if (rc)
		goto lo;
	raw4(SYS_exit, 0, 0, 0, 0);
fail:
	if (s >= 0)
		raw4(SYS_close, s, 0, 0, 0);
	helper_send(h, -1);
lo:
	h->err = (int)-rc;
	raw4(SYS_exit, 1, 0, 0, 0);
	return 1;
}
#endif

/* Before the clone: may a helper make the namespace? */
static void
net_async_pick(struct run *r)
{
#ifdef NET_ASYNC
	const struct nook_config *t = r->t;

	r->net.async = t->ns[K_NS_NET - NS_FIRST].mode == NS_NEW &&
	    t->net_mode != NET_VETH && !r->oci;
#else
	(void)r;
#endif
}

/* The parent, once the child has its go and the record is claimed:
 * start the helper. */
void
net_async_start(struct run *r)
{
#ifdef NET_ASYNC
	struct helper *h = &helper;
	long p;

	if (!r->net.async)
		return;
	h->pidfd = r->pidfd;
	h->parent = getpid();
	h->userns = !!(r->clone_flags & CLONE_NEWUSER);
	h->sock = r->sock;
	h->go = GO_WAIT;
	h->sent = h->err = 0;
	p = clone(helper_main, h->stack + sizeof(h->stack), CLONE_VM |
	    CLONE_FILES, h);
	r->net.helper = p > 0 ? (pid_t)p : 0;
	if (p <= 0)	/* the child makes its own: net_async_go */
		nook_info("[namespaces] net: left to the container: start a "
		    "helper: %s", strerror(errno));
#else
	(void)r;
#endif
}

/* The parent: the child has its go (or never will): the helper may send. */
void
net_async_go(struct run *r, int sent)
{
#ifdef NET_ASYNC
	if (!r->net.helper) {
		if (sent && r->net.async)
			send(r->sock, "n", 1, MSG_NOSIGNAL);
		return;
	}
	__atomic_store_n(&helper.go, sent ? GO_SENT : GO_NEVER,
	    __ATOMIC_RELEASE);
	syscall(SYS_futex, &helper.go, FUTEX_WAKE, 1, NULL);
#else
	(void)r;
	(void)sent;
#endif
}

/*
 * The parent, before its word to go on: the helper done.  0, or -1
 * after saying why (lo could not be brought up).
 */
int
net_async_wait(struct run *r)
{
#ifdef NET_ASYNC
	struct helper *h = &helper;
	int st = 0;
	pid_t p = r->net.helper;

	if (!p)
		return 0;
	r->net.helper = 0;
	while (waitpid(p, &st, __WCLONE) < 0 && errno == EINTR)
		;
	if (!h->sent)	/* the child waits for a message all the same */
		send(r->sock, "n", 1, MSG_NOSIGNAL);
	if (!h->err)
		return 0;
	if (strcmp(h->step, "set lo up")) {	/* the child made its own */
		nook_info("[namespaces] net: left to the container: %s: %s",
		    h->step, strerror(h->err));
		return 0;
	}
	key_error(tloc(r->c, K_NET_MODE), K_NET_MODE, "set lo up: %s",
	    strerror(h->err));
	return -1;
#else
	(void)r;
	return 0;
#endif
}

/* The parent, when the start fails: the helper sends nothing, and goes. */
void
net_async_abort(struct run *r)
{
#ifdef NET_ASYNC
	pid_t p = r->net.helper;

	if (!p)
		return;
	net_async_go(r, 0);
	r->net.helper = 0;
	while (waitpid(p, NULL, __WCLONE) < 0 && errno == EINTR)
		;
#else
	(void)r;
#endif
}

/*
 * The child: the network namespace to join, or "n": make one.  Once,
 * before /sys or, without it, before the exec.
 */
void
net_join(struct run *r)
{
	char w = 0;
	struct iovec iov = { .iov_base = &w, .iov_len = 1 };
	union {
		struct cmsghdr c;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm;
	int fd = -1;

	if (!r->net.async || r->net.joined)
		return;
	r->net.joined = 1;
	if (recvmsg(r->sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		_exit(EXIT_NOOK);	/* the parent is gone */
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (w == 'N' && fd >= 0) {
		if (setns(fd, CLONE_NEWNET))
			child_fail(r, tloc(r->c, K_NS_NET), K_NS_NET, errno,
			    "join the new network namespace");
		close(fd);
		return;
	}
	if (fd >= 0)
		close(fd);
	if (w != 'n')
		child_fail(r, NULL, K_NS_NET, EPROTO, "the parent's word");
	if (unshare(CLONE_NEWNET))
		child_fail(r, tloc(r->c, K_NS_NET), K_NS_NET, errno,
		    "create the network namespace");
	net_child_lo(r);
}
