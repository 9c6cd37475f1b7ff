/*
 * Device admission: a device the model discovers is unknown until an
 * engineer moves it to commissioned or active (the lifecycle of
 * daemon/model/model_lifecycle.c, from the UI or "iiotctl device
 * lifecycle").  Its discovery raises device.new (info) naming the MAC's
 * vendor from the IEEE registry; admission clears it.
 */
#include <stdio.h>
#include <string.h>

#include "ids/ids_int.h"
#include "ids/oui.h"
#include "model/model.h"

void ids_set_oui(struct ids *ids, struct oui *o)
{
	ids->oui = o;
}

static bool has_mac(const struct model_device *dev)
{
	return dev->has & MODEL_HAS_MAC;
}

static uint64_t device_key(const struct model_device *dev)
{
	return has_mac(dev) ? ids_mac_key(dev->mac) : 0;
}

void ids_device_event(struct ids *ids, const struct model_device *dev,
		      unsigned int ev, uint64_t ts_ns)
{
	struct alert_ev a;
	char label[80], detail[ALERT_DETAIL_MAX];
	const char *vendor = NULL;

	if (!ids->al || ids->p.disabled[ALERT_R_DEVICE_NEW])
		return;
	/*
	 * An evicted device's id goes to the next new one (model.h): the
	 * MAC in the key keeps their alerts apart, and eviction ends the
	 * wait for admission.
	 */
	if ((ev == MODEL_EV_LIFECYCLE &&
	     (dev->lifecycle == MODEL_LC_COMMISSIONED ||
	      dev->lifecycle == MODEL_LC_ACTIVE)) || ev == MODEL_EV_EVICTED) {
		alerts_clear(ids->al, ALERT_R_DEVICE_NEW, dev->id, 0,
			     device_key(dev));
		/* raised before the key held the MAC (restored from
		 * alerts.db): keyed 0 */
		if (ev != MODEL_EV_EVICTED)
			alerts_clear(ids->al, ALERT_R_DEVICE_NEW, dev->id, 0, 0);
		return;
	}
	if (ev != MODEL_EV_DISCOVERED || dev->lifecycle >= MODEL_LC_COMMISSIONED)
		return;
	memset(&a, 0, sizeof(a));
	if (has_mac(dev))
		vendor = oui_vendor(ids->oui, dev->mac);
	if (ids->m)
		model_device_label(ids->m, dev, label, sizeof(label));
	else
		snprintf(label, sizeof(label), "device %u", dev->id);
	snprintf(detail, sizeof(detail), "%s, vendor %s",
		 model_kind_name(dev->kind),
		 vendor ? vendor : has_mac(dev) ? "unknown" : "from its SII");
	a.rule = ALERT_R_DEVICE_NEW;
	a.ts_ns = ts_ns;
	a.device = dev->id;
	a.key = device_key(dev);
	a.src = has_mac(dev) ? dev->mac : NULL;
	a.label = label;
	a.detail = detail;
	ids->ctr.raised++;
	alerts_raise(ids->al, &a);
}
