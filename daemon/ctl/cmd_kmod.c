/*
 * iiotctl kmod: manage captures of the iiot.ko kernel module through its
 * generic netlink family (include/iiot/genl_abi.h).
 *
 *   attach IFACE [--ring-size BYTES] [--snaplen N] [--filter T[,T...]]
 *   detach IFACE | list | stats IFACE | filter IFACE T[,T...]
 *   snaplen IFACE N | events [--count N] [--timeout SEC]
 *
 * The kernel explains refusals in the extended ack; they are printed with
 * the attribute they concern and, for range errors, the allowed range.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "iiot/capture_filter.h"
#include "iiot/genl_abi.h"
#include "libshm.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct kctx {
	const char *what;	/* subcommand, for messages */
	struct nl_msg *req;	/* to name the attribute an error points at */
	int done;
	int error;		/* -errno from the kernel */
	char msg[256];		/* extended ack message */
	char attr[64];
	int64_t min, max;
	int has_range;
	int (*on_msg)(struct nlattr **tb, void *arg);
	void *arg;
};

static const char *attr_name(int type)
{
	switch (type) {
	case IIOT_A_IFINDEX: return "interface index";
	case IIOT_A_IFNAME: return "interface name";
	case IIOT_A_RING_SIZE: return "ring size";
	case IIOT_A_SNAPLEN: return "snap length";
	case IIOT_A_FILTER: return "filter";
	default: return "attribute";
	}
}

/* Name the request attribute at byte offset off of the request. */
static void name_attr(struct kctx *c, uint32_t off)
{
	struct nlmsghdr *nlh = nlmsg_hdr(c->req);
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		uint32_t start = (uint32_t)((char *)a - (char *)nlh);

		if (off == start) {
			snprintf(c->attr, sizeof(c->attr), "%s",
				 attr_name(nla_type(a)));
			return;
		}
		if (off > start && off < start + nla_len(a) + NLA_HDRLEN &&
		    nla_type(a) == IIOT_A_FILTER) {
			snprintf(c->attr, sizeof(c->attr), "filter ethertype");
			return;
		}
	}
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	struct kctx *c = arg;
	int ack_len = sizeof(*e);

	(void)nla;
	c->error = e->error;
	c->done = 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += e->msg.nlmsg_len - (int)sizeof(struct nlmsghdr);
	if ((int)nlh->nlmsg_len <= NLMSG_HDRLEN + ack_len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)e + ack_len),
		      (int)nlh->nlmsg_len - NLMSG_HDRLEN - ack_len, NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(c->msg, sizeof(c->msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		name_attr(c, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
	if (tb[NLMSGERR_ATTR_POLICY]) {
		struct nlattr *p[NL_POLICY_TYPE_ATTR_MAX + 1] = { 0 };

		if (!nla_parse_nested(p, NL_POLICY_TYPE_ATTR_MAX,
				      tb[NLMSGERR_ATTR_POLICY], NULL) &&
		    p[NL_POLICY_TYPE_ATTR_MIN_VALUE_U] &&
		    p[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]) {
			c->min = (int64_t)nla_get_u64(p[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]);
			c->max = (int64_t)nla_get_u64(p[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]);
			c->has_range = 1;
		}
	}
	return NL_STOP;
}

/* Events are multicast with sequence number 0. */
static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	((struct kctx *)arg)->done = 1;
	return NL_STOP;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct kctx *c = arg;
	struct nlattr *tb[IIOT_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IIOT_A_MAX, NULL))
		return NL_SKIP;
	if (c->on_msg && c->on_msg(tb, c->arg))
		return NL_STOP;
	return NL_OK;
}

static void report(const struct kctx *c)
{
	int err = -c->error;

	fprintf(stderr, "iiotctl kmod %s: ", c->what);
	if (c->attr[0])
		fprintf(stderr, "%s: ", c->attr);
	if (c->msg[0])
		fprintf(stderr, "%s", c->msg);
	else if (err == EPERM)
		fprintf(stderr, "permission denied: needs CAP_NET_ADMIN "
			"(run as root)");
	else
		fprintf(stderr, "%s", strerror(err));
	if (c->has_range)
		fprintf(stderr, " (allowed %" PRId64 "..%" PRId64 ")",
			c->min, c->max);
	fputc('\n', stderr);
}

static struct nl_sock *kopen(const char *what, int *family)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "iiotctl kmod %s: cannot open a generic "
			"netlink socket\n", what);
		if (sk)
			nl_socket_free(sk);
		return NULL;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	*family = genl_ctrl_resolve(sk, IIOT_GENL_NAME);
	if (*family < 0) {
		fprintf(stderr, "iiotctl kmod %s: the iiot kernel module is "
			"not loaded (modprobe iiot)\n", what);
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/* Send req (consumed) and read replies until ack, done or error. */
static int transact(struct nl_sock *sk, struct nl_msg *req, struct kctx *c)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int rc;

	c->req = req;
	if (!cb) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, finish_cb, c);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, c);
	rc = nl_send_auto(sk, req);
	while (rc >= 0 && !c->done)
		rc = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	nlmsg_free(req);
	if (c->error) {
		report(c);
		return c->error;
	}
	if (rc < 0) {
		fprintf(stderr, "iiotctl kmod %s: netlink: %s\n", c->what,
			nl_geterror(rc));
		return -EIO;
	}
	return 0;
}

static struct nl_msg *new_req(int family, uint8_t cmd, int flags,
			      const char *ifname)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m)
		return NULL;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd,
			 IIOT_GENL_VERSION) ||
	    (ifname && nla_put_string(m, IIOT_A_IFNAME, ifname))) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

static int parse_u64(const char *s, uint64_t *v, int suffixes)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s || s[0] == '-')
		return -1;
	if (suffixes && (*end == 'k' || *end == 'K'))
		n <<= 10, end++;
	else if (suffixes && (*end == 'm' || *end == 'M'))
		n <<= 20, end++;
	else if (suffixes && (*end == 'g' || *end == 'G'))
		n <<= 30, end++;
	if (*end)
		return -1;
	*v = n;
	return 0;
}

static int put_filter(struct nl_msg *m, const char *list, const char *what)
{
	char *copy = strdup(list), *tok, *save = NULL;
	struct nlattr *nest;
	uint64_t v;
	int rc = 0;

	if (!copy)
		return -1;
	nest = nla_nest_start(m, IIOT_A_FILTER);
	for (tok = strtok_r(copy, ",", &save); tok && nest;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, IIOT_FILTER_PNIO_CM_NAME)) {
			nla_put_flag(m, IIOT_FA_PNIO_CM);
			continue;
		}
		if (parse_u64(tok, &v, 0) || v > 0xffff) {
			fprintf(stderr, "iiotctl kmod %s: '%s' is not an "
				"ethertype (e.g. 0x88a4) or "
				IIOT_FILTER_PNIO_CM_NAME "\n", what, tok);
			rc = -1;
			break;
		}
		nla_put_u16(m, IIOT_FA_ETHERTYPE, (uint16_t)v);
	}
	if (nest)
		nla_nest_end(m, nest);
	free(copy);
	return nest ? rc : -1;
}

static int simple(const char *what, uint8_t cmd, const char *ifname,
		  int (*add)(struct nl_msg *, void *), void *arg)
{
	struct kctx c = { .what = what };
	struct nl_sock *sk;
	struct nl_msg *m;
	int family, rc;

	sk = kopen(what, &family);
	if (!sk)
		return 1;
	m = new_req(family, cmd, 0, ifname);
	if (!m || (add && add(m, arg))) {
		if (m)
			nlmsg_free(m);
		nl_socket_free(sk);
		return 2;
	}
	rc = transact(sk, m, &c);
	nl_socket_free(sk);
	return rc ? 1 : 0;
}

static uint64_t u64a(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u64(tb[a]) : 0;
}

static uint32_t u32a(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u32(tb[a]) : 0;
}

static void filter_str(struct nlattr *nest, char *buf, size_t len)
{
	struct nlattr *a;
	size_t n = 0;
	int rem;

	buf[0] = '\0';
	if (!nest)
		return;
	nla_for_each_nested(a, nest, rem) {
		int w = nla_type(a) == IIOT_FA_PNIO_CM ?
			snprintf(buf + n, len - n, "%s" IIOT_FILTER_PNIO_CM_NAME,
				 n ? "," : "") :
			snprintf(buf + n, len - n, "%s0x%04x", n ? "," : "",
				 nla_get_u16(a));

		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
}

static const char *state_name(struct nlattr *a)
{
	if (!a)
		return "?";
	return nla_get_u8(a) == IIOT_STATE_OVERFLOW ? "overflow" : "capturing";
}

static int show_row(struct nlattr **tb, void *arg)
{
	char filter[128];

	(void)arg;
	filter_str(tb[IIOT_A_FILTER], filter, sizeof(filter));
	printf("%-15s %7u %-9s %12" PRIu64 " %14" PRIu64 " %10" PRIu64
	       " %10" PRIu64 " %10u %6u %s\n",
	       tb[IIOT_A_IFNAME] ? nla_get_string(tb[IIOT_A_IFNAME]) : "?",
	       u32a(tb, IIOT_A_IFINDEX), state_name(tb[IIOT_A_STATE]),
	       u64a(tb, IIOT_A_FRAMES), u64a(tb, IIOT_A_BYTES),
	       u64a(tb, IIOT_A_DROPS), u64a(tb, IIOT_A_FILL),
	       u32a(tb, IIOT_A_RING_SIZE), u32a(tb, IIOT_A_SNAPLEN), filter);
	return 0;
}

/* One "name value" line per counter: easy to compare with sysfs. */
static int show_stats(struct nlattr **tb, void *arg)
{
	char filter[128];

	(void)arg;
	filter_str(tb[IIOT_A_FILTER], filter, sizeof(filter));
	printf("ifname %s\n",
	       tb[IIOT_A_IFNAME] ? nla_get_string(tb[IIOT_A_IFNAME]) : "?");
	printf("ifindex %u\n", u32a(tb, IIOT_A_IFINDEX));
	printf("state %s\n", state_name(tb[IIOT_A_STATE]));
	printf("frames %" PRIu64 "\n", u64a(tb, IIOT_A_FRAMES));
	printf("bytes %" PRIu64 "\n", u64a(tb, IIOT_A_BYTES));
	printf("drops %" PRIu64 "\n", u64a(tb, IIOT_A_DROPS));
	printf("drop_bytes %" PRIu64 "\n", u64a(tb, IIOT_A_DROP_BYTES));
	printf("truncated %" PRIu64 "\n", u64a(tb, IIOT_A_TRUNCATED));
	printf("bad_cons %" PRIu64 "\n", u64a(tb, IIOT_A_BAD_CONS));
	printf("overflows %" PRIu64 "\n", u64a(tb, IIOT_A_OVERFLOWS));
	printf("fill %" PRIu64 "\n", u64a(tb, IIOT_A_FILL));
	printf("ring_size %u\n", u32a(tb, IIOT_A_RING_SIZE));
	printf("snaplen %u\n", u32a(tb, IIOT_A_SNAPLEN));
	printf("snap_max %u\n", u32a(tb, IIOT_A_SNAP_MAX));
	printf("filter %s\n", filter);
	printf("abi_version %u\n", u32a(tb, IIOT_A_ABI_VERSION));
	return 0;
}

static int query(const char *what, uint8_t cmd, int flags, const char *ifname,
		 int (*show)(struct nlattr **, void *))
{
	struct kctx c = { .what = what, .on_msg = show };
	struct nl_sock *sk;
	struct nl_msg *m;
	int family, rc;

	sk = kopen(what, &family);
	if (!sk)
		return 1;
	m = new_req(family, cmd, flags, ifname);
	if (!m) {
		nl_socket_free(sk);
		return 2;
	}
	if (cmd == IIOT_CMD_LIST)
		printf("%-15s %7s %-9s %12s %14s %10s %10s %10s %6s %s\n",
		       "IFACE", "IFINDEX", "STATE", "FRAMES", "BYTES", "DROPS",
		       "FILL", "RING", "SNAP", "FILTER");
	rc = transact(sk, m, &c);
	nl_socket_free(sk);
	return rc ? 1 : 0;
}

struct attach_opts {
	uint64_t ring_size;
	uint64_t snaplen;
	const char *filter;
};

static int add_attach(struct nl_msg *m, void *arg)
{
	struct attach_opts *o = arg;

	if (o->ring_size && nla_put_u32(m, IIOT_A_RING_SIZE,
					(uint32_t)o->ring_size))
		return -1;
	if (o->snaplen && nla_put_u32(m, IIOT_A_SNAPLEN,
				      (uint32_t)o->snaplen))
		return -1;
	return o->filter ? put_filter(m, o->filter, "attach") : 0;
}

static int add_filter(struct nl_msg *m, void *arg)
{
	return put_filter(m, arg, "filter");
}

static int add_snaplen(struct nl_msg *m, void *arg)
{
	return nla_put_u32(m, IIOT_A_SNAPLEN, *(uint32_t *)arg);
}

/*
 * The module makes /dev/iiot/IF root's with mode 0660; iiotd, which keeps
 * no capability, drains it through the ring group (udev does the same
 * with etc/udev/60-iiot.rules).  devtmpfs made the node before the attach
 * answered.
 */
static void give_ring_group(const char *ifname)
{
	struct group *g = getgrnam(SHM_GROUP);
	const char *why = NULL;
	char path[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", IIOT_DEV_DIR, ifname);
	if (!g) {
		fprintf(stderr, "iiotctl kmod attach: no group %s: only root "
			"can drain %s\n", SHM_GROUP, path);
		return;
	}
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		why = strerror(errno);
	else if (!S_ISCHR(st.st_mode))
		why = "not a device";
	else if (st.st_gid != g->gr_gid &&
		 fchownat(fd, "", (uid_t)-1, g->gr_gid, AT_EMPTY_PATH))
		why = strerror(errno);
	if (why)
		fprintf(stderr, "iiotctl kmod attach: %s: cannot give it to "
			"group %s: %s\n", path, SHM_GROUP, why);
	if (fd >= 0)
		close(fd);
}

static int do_attach(int argc, char **argv)
{
	struct attach_opts o = { 0 };
	const char *ifname = NULL;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--ring-size") && v) {
			if (parse_u64(v, &o.ring_size, 1) ||
			    o.ring_size > UINT32_MAX) {
				fprintf(stderr, "iiotctl kmod attach: bad ring "
					"size '%s' (bytes, k/M/G suffix)\n", v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--snaplen") && v) {
			if (parse_u64(v, &o.snaplen, 0) ||
			    o.snaplen > UINT32_MAX || !o.snaplen) {
				fprintf(stderr, "iiotctl kmod attach: bad snap "
					"length '%s'\n", v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--filter") && v) {
			o.filter = v;
			i++;
		} else if (a[0] != '-' && !ifname) {
			ifname = a;
		} else {
			fprintf(stderr, "iiotctl kmod attach: unexpected "
				"'%s'\n", a);
			return 2;
		}
	}
	if (!ifname) {
		fprintf(stderr, "iiotctl kmod attach: name an interface\n");
		return 2;
	}
	rc = simple("attach", IIOT_CMD_ATTACH, ifname, add_attach, &o);
	if (!rc) {
		printf("%s attached: ring %s/%s\n", ifname, IIOT_DEV_DIR,
		       ifname);
		give_ring_group(ifname);
	}
	return rc;
}

static const char *event_name(unsigned int e)
{
	switch (e) {
	case IIOT_EVENT_ATTACH: return "attach";
	case IIOT_EVENT_DETACH: return "detach";
	case IIOT_EVENT_OVERFLOW_BEGIN: return "overflow-begin";
	case IIOT_EVENT_OVERFLOW_END: return "overflow-end";
	default: return "unknown";
	}
}

struct ev_state {
	long seen;
};

static int show_event(struct nlattr **tb, void *arg)
{
	struct ev_state *st = arg;

	printf("%s %s ifindex %u drops %" PRIu64 "\n",
	       event_name(tb[IIOT_A_EVENT] ? nla_get_u8(tb[IIOT_A_EVENT]) : 0),
	       tb[IIOT_A_IFNAME] ? nla_get_string(tb[IIOT_A_IFNAME]) : "?",
	       u32a(tb, IIOT_A_IFINDEX), u64a(tb, IIOT_A_DROPS));
	fflush(stdout);
	st->seen++;
	return 0;
}

static int do_events(int argc, char **argv)
{
	struct ev_state st = { 0 };
	struct kctx c = { .what = "events", .on_msg = show_event, .arg = &st };
	uint64_t count = 0, timeout = 0;
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family, grp, i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc &&
		    !parse_u64(argv[i + 1], &count, 0)) {
			i++;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc &&
			   !parse_u64(argv[i + 1], &timeout, 0)) {
			i++;
		} else {
			fprintf(stderr, "usage: iiotctl kmod events "
				"[--count N] [--timeout SEC]\n");
			return 2;
		}
	}
	sk = kopen("events", &family);
	if (!sk)
		return 1;
	grp = genl_ctrl_resolve_grp(sk, IIOT_GENL_NAME,
				    IIOT_GENL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(sk, grp)) {
		fprintf(stderr, "iiotctl kmod events: cannot join the "
			"events group\n");
		nl_socket_free(sk);
		return 1;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nl_socket_free(sk);
		return 1;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &c);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	printf("listening\n");
	fflush(stdout);
	while (!count || st.seen < (long)count) {
		struct pollfd p = { .fd = nl_socket_get_fd(sk),
				    .events = POLLIN };
		int n = poll(&p, 1, timeout ? (int)timeout * 1000 : -1);

		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n >= 0)
			n = nl_recvmsgs(sk, cb);
		if (n < 0) {
			fprintf(stderr, "iiotctl kmod events: %s\n",
				n == -1 ? strerror(errno) : nl_geterror(n));
			rc = 1;
			break;
		}
	}
	nl_cb_put(cb);
	nl_socket_free(sk);
	return rc;
}

static void kusage(FILE *f)
{
	fprintf(f,
		"usage: iiotctl kmod attach IFACE [--ring-size BYTES] "
		"[--snaplen N] [--filter T[,T...]]\n"
		"       iiotctl kmod detach IFACE\n"
		"       iiotctl kmod list\n"
		"       iiotctl kmod stats IFACE\n"
		"       iiotctl kmod filter IFACE T[,T...]\n"
		"       iiotctl kmod snaplen IFACE N\n"
		"       iiotctl kmod events [--count N] [--timeout SEC]\n");
}

static int run_kmod(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	uint64_t v;
	uint32_t snap;

	if (!strcmp(sub, "attach"))
		return do_attach(argc - 1, argv + 1);
	if (!strcmp(sub, "detach") && argc == 3)
		return simple("detach", IIOT_CMD_DETACH, argv[2], NULL, NULL);
	if (!strcmp(sub, "list") && argc == 2)
		return query("list", IIOT_CMD_LIST, NLM_F_DUMP, NULL, show_row);
	if (!strcmp(sub, "stats") && argc == 3)
		return query("stats", IIOT_CMD_GET_STATS, 0, argv[2],
			     show_stats);
	if (!strcmp(sub, "filter") && argc == 4)
		return simple("filter", IIOT_CMD_SET_FILTER, argv[2],
			      add_filter, argv[3]);
	if (!strcmp(sub, "snaplen") && argc == 4) {
		if (parse_u64(argv[3], &v, 0) || v > UINT32_MAX) {
			fprintf(stderr, "iiotctl kmod snaplen: bad snap "
				"length '%s'\n", argv[3]);
			return 2;
		}
		snap = (uint32_t)v;
		return simple("snaplen", IIOT_CMD_SET_SNAPLEN, argv[2],
			      add_snaplen, &snap);
	}
	if (!strcmp(sub, "events"))
		return do_events(argc - 1, argv + 1);
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		kusage(stdout);
		return 0;
	}
	kusage(stderr);
	return 2;
}

const struct ctl_cmd cmd_kmod = {
	.name = "kmod",
	.args = "attach|detach|list|stats|filter|snaplen|events",
	.help = "kernel module captures (iiot.ko) over generic netlink",
	.run = run_kmod,
};
