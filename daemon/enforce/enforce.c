/*
 * The fail-open guards and the table of blocks iiotd placed; see
 * enforce.h.  No I/O: the subsystem and the unit tests share it.
 */
#include <stdio.h>
#include <string.h>

#include "enforce/enforce.h"
#include "model/model.h"

static const uint8_t zero_mac[6];

/* Cyclic traffic of kind to or from dev within ENFORCE_LIVE_NS of the
 * newest frame the model saw. */
static bool runs_cyclic(struct model *m, const struct model_device *dev,
			unsigned int kind)
{
	uint64_t last = model_last_ts(m);
	size_t i, n = model_link_count(m);

	for (i = 0; i < n; i++) {
		const struct model_link *l = model_link_at(m, i);

		if (!l || l->kind != kind ||
		    (l->src != dev->id && l->dst != dev->id))
			continue;
		if (l->last_ns + ENFORCE_LIVE_NS >= last)
			return true;
	}
	return false;
}

static int check_dev(struct model *m, const struct model_device *dev,
		     const char *ms, char *why, size_t len)
{
	char label[80];

	/* " plc-1", or nothing when the label is the MAC itself */
	label[0] = ' ';
	model_device_label(m, dev, label + 1, sizeof(label) - 1);
	if (!strcmp(label + 1, ms))
		label[0] = 0;
	switch (dev->lifecycle) {
	case MODEL_LC_COMMISSIONED:
	case MODEL_LC_ACTIVE:
	case MODEL_LC_MAINTENANCE:
		snprintf(why, len, "%s is the admitted device%s (lifecycle "
			 "%s): iiot never blocks it", ms, label,
			 model_lifecycle_name(dev->lifecycle));
		return ENFORCE_G_ADMITTED;
	}
	if (dev->kind == MODEL_DEV_ECAT_MASTER &&
	    runs_cyclic(m, dev, MODEL_LINK_ECAT)) {
		snprintf(why, len, "%s is the EtherCAT master%s running the "
			 "line: iiot never blocks it", ms, label);
		return ENFORCE_G_MASTER;
	}
	if ((dev->kind == MODEL_DEV_PN_CONTROLLER ||
	     dev->kind == MODEL_DEV_PN_DEVICE) &&
	    runs_cyclic(m, dev, MODEL_LINK_PN_RT)) {
		snprintf(why, len, "%s is the PROFINET %s%s with a running "
			 "AR: iiot never blocks it", ms,
			 dev->kind == MODEL_DEV_PN_CONTROLLER ? "controller" :
			 "device", label);
		return ENFORCE_G_AR;
	}
	return ENFORCE_OK;
}

int enforce_guard(struct model *m, const uint8_t mac[6], char *why,
		  size_t len)
{
	const struct model_device *dev;
	uint8_t alt[6];
	char ms[18];
	int g;

	snprintf(ms, sizeof(ms), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (!memcmp(mac, zero_mac, 6) || (mac[0] & 1)) {
		snprintf(why, len, "%s is not a station's address (zero, "
			 "broadcast or multicast)", ms);
		return ENFORCE_G_INVALID;
	}
	if (!m)
		return ENFORCE_OK;
	dev = model_device_by_mac(m, mac);
	if (dev && (g = check_dev(m, dev, ms, why, len)))
		return g;
	/* EtherCAT frames come back with the locally administered bit
	 * flipped by the first slave: a master is known by either form */
	memcpy(alt, mac, 6);
	alt[0] ^= 0x02;
	dev = model_device_by_mac(m, alt);
	if (dev && dev->kind == MODEL_DEV_ECAT_MASTER &&
	    (g = check_dev(m, dev, ms, why, len)))
		return g;
	return ENFORCE_OK;
}

struct enforce_block *enforce_tab_find(struct enforce_tab *t,
				       const uint8_t mac[6])
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!memcmp(t->b[i].mac, mac, 6))
			return &t->b[i];
	return NULL;
}

struct enforce_block *enforce_tab_add(struct enforce_tab *t,
				      const uint8_t mac[6])
{
	struct enforce_block *b = enforce_tab_find(t, mac);

	if (!b) {
		if (t->n == ENFORCE_MAX)
			return NULL;
		b = &t->b[t->n++];
	}
	memset(b, 0, sizeof(*b));
	memcpy(b->mac, mac, 6);
	b->rule = -1;
	return b;
}

void enforce_tab_del(struct enforce_tab *t, struct enforce_block *b)
{
	size_t i = (size_t)(b - t->b);

	if (i >= t->n)
		return;
	t->b[i] = t->b[--t->n];
}

struct enforce_block *enforce_tab_expired(struct enforce_tab *t,
					  uint64_t now_ns)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->b[i].expires_ns && t->b[i].expires_ns <= now_ns)
			return &t->b[i];
	return NULL;
}

void enforce_ttl_str(uint64_t s, char *buf, size_t len)
{
	if (s && s % 86400 == 0)
		snprintf(buf, len, "%llud", (unsigned long long)(s / 86400));
	else if (s && s % 3600 == 0)
		snprintf(buf, len, "%lluh", (unsigned long long)(s / 3600));
	else if (s && s % 60 == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(s / 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)s);
}
