/*
 * [dcp]: PROFINET DCP control from iiotd (docs/devices.md "Control").
 *
 *   interface = eth1     the interface requests go out on and answers
 *                        come in; absent: DCP control is off
 *   timeout = 1s         a Set's answer
 *   identify_wait = 1500ms  how long Identify collects answers
 *   per_device = 6       control requests a minute to one device
 *   per_user = 20        control requests a minute by one user
 *
 * The raw socket is opened here at start, while iiotd still has the
 * privilege to (DESIGN §6); a changed interface applies at restart.
 */
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "south/dcp.h"

static struct {
	pthread_mutex_t lock;
	struct dcp_settings s;
} sys = { PTHREAD_MUTEX_INITIALIZER,
	  { "", 1000, 1500, 6, 20 } };

static const char *const keys[] = {
	"interface", "timeout", "identify_wait", "per_device", "per_user", NULL
};

int dcp_conf(const struct conf *c, struct dcp_settings *s, char *err,
	     size_t errlen)
{
	const char *ifname = conf_get(c, "dcp", "interface");
	uint64_t to, idw, pd, pu;

	if (conf_check_keys(c, "dcp", keys, err, errlen) ||
	    conf_get_ms(c, "dcp", "timeout", 1000, 10, 10000, &to, err,
			errlen) ||
	    conf_get_ms(c, "dcp", "identify_wait", 1500, 10, 10000, &idw, err,
			errlen) ||
	    conf_get_u64(c, "dcp", "per_device", 6, 1, 1000, &pd, err,
			 errlen) ||
	    conf_get_u64(c, "dcp", "per_user", 20, 1, 1000, &pu, err, errlen))
		return -1;
	if (ifname && (!*ifname || strlen(ifname) >= IFNAMSIZ ||
		       strpbrk(ifname, " /\t"))) {
		conf_errf(c, conf_find(c, "dcp", "interface"), err, errlen,
			  "dcp.interface: '%s' is no interface name", ifname);
		return -1;
	}
	memset(s, 0, sizeof(*s));
	snprintf(s->interface, sizeof(s->interface), "%s", ifname ? ifname : "");
	s->timeout_ms = (int)to;
	s->identify_ms = (int)idw;
	s->per_device = (unsigned int)pd;
	s->per_user = (unsigned int)pu;
	return 0;
}

bool dcp_conf_mac(const struct conf *c, uint8_t mac[6])
{
	const char *ifname = conf_get(c, "dcp", "interface");
	struct ifreq ifr;
	bool ok;
	int fd;

	if (!ifname || strlen(ifname) >= IFNAMSIZ)
		return false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ok = !ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (ok)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ok;
}

void dcp_settings(struct dcp_settings *s)
{
	pthread_mutex_lock(&sys.lock);
	*s = sys.s;
	pthread_mutex_unlock(&sys.lock);
}

static int check_conf(const struct conf *c, char *err, size_t errlen)
{
	struct dcp_settings s;

	return dcp_conf(c, &s, err, errlen);
}

static int read_conf(const struct iiotd *d, struct dcp_settings *s)
{
	char err[256];

	if (dcp_conf(d->conf, s, err, sizeof(err))) {
		log_warnx("dcp: %s", err);
		return -1;
	}
	return 0;
}

static int start(struct iiotd *d)
{
	struct dcp_settings s;
	char err[256];

	if (read_conf(d, &s))
		return -1;
	pthread_mutex_lock(&sys.lock);
	sys.s = s;
	pthread_mutex_unlock(&sys.lock);
	if (!s.interface[0])
		return 0;
	/* control off is no reason not to watch the line */
	if (dcp_io_open(s.interface, err, sizeof(err)))
		log_warnx("dcp: %s: DCP control is off", err);
	else
		log_info("dcp: control on %s", s.interface);
	return 0;
}

static int reload(struct iiotd *d)
{
	struct dcp_settings s;

	if (read_conf(d, &s))
		return -1;
	pthread_mutex_lock(&sys.lock);
	if (strcmp(s.interface, sys.s.interface))
		log_warnx("dcp: a changed interface applies when iiotd "
			  "restarts");
	snprintf(s.interface, sizeof(s.interface), "%s", sys.s.interface);
	sys.s = s;
	pthread_mutex_unlock(&sys.lock);
	return 0;
}

static void stop(struct iiotd *d)
{
	(void)d;
	dcp_io_close();
}

static json_t *stats(struct iiotd *d)
{
	struct dcp_counters n;
	json_t *o, *an;
	int i;

	(void)d;
	dcp_io_counters(&n);
	o = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I}", "on", dcp_io_ready(),
		      "sent", (json_int_t)n.sent, "answers",
		      (json_int_t)n.answers, "refused", (json_int_t)n.refused,
		      "timeouts", (json_int_t)n.timeouts, "bad_answers",
		      (json_int_t)n.bad);
	an = json_object();
	for (i = 0; an && i < DCP_AN_COUNT; i++)
		json_object_set_new(an, dcp_anomaly_name(i),
				    json_integer((json_int_t)n.anomaly[i]));
	if (o && an)
		json_object_set_new(o, "anomalies", an);
	else
		json_decref(an);
	return o;
}

const struct iiotd_subsys subsys_dcp = {
	.name = "dcp",
	.check_conf = check_conf,
	.start = start,
	.reload = reload,
	.stop = stop,
	.stats = stats,
};
