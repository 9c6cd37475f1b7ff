/*
 * The devices of the signals, from the model, for rules on a group of
 * devices (group.c): iiotd calls it on every tick with the capture
 * snapshot, iiotctl analyse with its own model.  Only changes cost.
 */
#include "analytics/analytics.h"
#include "model/model.h"

void analytics_devices_from(struct analytics *an, const struct model *m)
{
	size_t i;

	for (i = 0; i < model_signal_count(m); i++) {
		struct model_signal tmp;
		const struct model_signal *s = model_signal_at(m, i, &tmp);
		const struct model_device *d = s->dev_id ?
			model_device_get(m, s->dev_id) : NULL;
		struct analytics_dev ad = { .spec = s->device, .seen = d };
		char label[MODEL_STATION_MAX + 32];

		if (d) {
			model_device_label(m, d, label, sizeof(label));
			ad.label = label;
			ad.kind = model_kind_name(d->kind);
			ad.has_vendor = d->has & MODEL_HAS_VENDOR;
			ad.vendor = d->vendor_id;
		}
		analytics_signal_device(an, s->id, &ad);
	}
}
