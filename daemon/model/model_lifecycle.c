/*
 * Device lifecycle (DESIGN §2): the states, the moves allowed between them
 * and the one function that makes a move.  The HTTPS API and the control
 * socket both go through model_set_lifecycle, so they refuse the same
 * moves with the same words.
 */
#include <stdio.h>
#include <string.h>

#include "model/model_int.h"

/*
 *   discovered → pending → commissioned → active ⇄ maintenance → retired
 *
 * A device is retired only out of maintenance, so that taking it out of
 * service is a step of its own before it is written off; retired is final.
 */
static const uint8_t lc_next[MODEL_LC_COUNT] = {
	[MODEL_LC_DISCOVERED]	= 1u << MODEL_LC_PENDING,
	[MODEL_LC_PENDING]	= 1u << MODEL_LC_COMMISSIONED,
	[MODEL_LC_COMMISSIONED]	= 1u << MODEL_LC_ACTIVE,
	[MODEL_LC_ACTIVE]	= 1u << MODEL_LC_MAINTENANCE,
	[MODEL_LC_MAINTENANCE]	= 1u << MODEL_LC_ACTIVE | 1u << MODEL_LC_RETIRED,
	[MODEL_LC_RETIRED]	= 0,
};

#define LC_CHAIN "discovered -> pending -> commissioned -> active <-> " \
		 "maintenance -> retired"

const char *model_lifecycle_name(unsigned int lc)
{
	static const char *const n[] = { "discovered", "pending",
		"commissioned", "active", "maintenance", "retired" };

	return lc < MODEL_LC_COUNT ? n[lc] : "?";
}

int model_lifecycle_parse(const char *name)
{
	unsigned int lc;

	for (lc = 0; lc < MODEL_LC_COUNT; lc++)
		if (!strcmp(name, model_lifecycle_name(lc)))
			return (int)lc;
	return -1;
}

bool model_lifecycle_allowed(unsigned int from, unsigned int to)
{
	if (from >= MODEL_LC_COUNT || to >= MODEL_LC_COUNT)
		return false;
	return from == to || (lc_next[from] >> to & 1u);
}

/* "maintenance" or "active or retired": where a device may go from lc. */
static void next_names(unsigned int lc, char *buf, size_t len)
{
	unsigned int to;
	size_t n = 0;

	buf[0] = '\0';
	for (to = 0; to < MODEL_LC_COUNT && n < len; to++)
		if (lc_next[lc] >> to & 1u)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? " or " : "",
					      model_lifecycle_name(to));
}

static int refuse(unsigned int from, unsigned int to, char *why,
		  size_t whylen)
{
	char next[64];

	next_names(from, next, sizeof(next));
	if (!next[0])
		snprintf(why, whylen, "%s -> %s not allowed: %s is final (%s)",
			 model_lifecycle_name(from), model_lifecycle_name(to),
			 model_lifecycle_name(from), LC_CHAIN);
	else
		snprintf(why, whylen, "%s -> %s not allowed: from %s only to "
			 "%s (%s)", model_lifecycle_name(from),
			 model_lifecycle_name(to), model_lifecycle_name(from),
			 next, LC_CHAIN);
	return MODEL_LC_REFUSED;
}

int model_set_lifecycle(struct model *m, uint32_t id, const char *state,
			const char *note, uint64_t now_ns, char *why,
			size_t whylen)
{
	const struct model_device *found = model_device_get(m, id);
	struct model_device *d;
	int lc = model_lifecycle_parse(state);
	unsigned int from;

	if (!found) {
		snprintf(why, whylen, "no such device");
		return MODEL_LC_NO_DEVICE;
	}
	if (lc < 0) {
		snprintf(why, whylen, "unknown state '%.20s'; states: "
			 "discovered, pending, commissioned, active, "
			 "maintenance, retired", state);
		return MODEL_LC_BAD_STATE;
	}
	/* a merged slave's id reaches the slave it turned out to be */
	d = &m->devs[found->id - 1];
	if (!model_lifecycle_allowed(d->lifecycle, (unsigned int)lc))
		return refuse(d->lifecycle, (unsigned int)lc, why, whylen);
	why[0] = '\0';
	if (d->lifecycle == lc)
		return MODEL_LC_OK;
	from = d->lifecycle;
	/* the event shows the device as it is now: the store's row and
	 * admission (device.new cleared) read its state from it */
	d->lifecycle = (uint8_t)lc;
	mdev_event(m, d, MODEL_EV_LIFECYCLE, now_ns, "%s -> %s%s%s",
		   model_lifecycle_name(from),
		   model_lifecycle_name((unsigned int)lc),
		   note && *note ? " " : "", note ? note : "");
	return MODEL_LC_OK;
}
