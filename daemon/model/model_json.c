/* The model as JSON for iiotctl, the control socket and the API. */
#include <stdio.h>

#include <jansson.h>

#include "model/model_int.h"

static json_t *mac_json(const uint8_t mac[6])
{
	return json_sprintf("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
			    mac[2], mac[3], mac[4], mac[5]);
}

static json_t *ip_json(uint32_t ip)
{
	return json_sprintf("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
			    (ip >> 8) & 0xff, ip & 0xff);
}

json_t *model_device_json(struct model *m, const struct model_device *d)
{
	char label[MODEL_LABEL_MAX];
	json_t *o = json_object();
	const char *alias;
	unsigned int i;

	if (!o)
		return NULL;
	model_device_label(m, d, label, sizeof(label));
	json_object_set_new(o, "id", json_integer(d->id));
	json_object_set_new(o, "label", json_string(label));
	if ((alias = model_alias_get(m, label)))
		json_object_set_new(o, "alias", json_string(alias));
	json_object_set_new(o, "kind", json_string(model_kind_name(d->kind)));
	json_object_set_new(o, "lifecycle",
			    json_string(model_lifecycle_name(d->lifecycle)));
	json_object_set_new(o, "online", json_boolean(d->online));
	if (d->has & MODEL_HAS_MAC)
		json_object_set_new(o, "mac", mac_json(d->mac));
	if (d->parent)
		json_object_set_new(o, "parent", json_integer(d->parent));
	json_object_set_new(o, "first_seen_ns",
			    json_integer((json_int_t)d->first_seen_ns));
	json_object_set_new(o, "last_seen_ns",
			    json_integer((json_int_t)d->last_seen_ns));
	json_object_set_new(o, "frames", json_integer((json_int_t)d->frames));
	json_object_set_new(o, "errors", json_integer((json_int_t)d->errors));
	if (d->kind == MODEL_DEV_ECAT_SLAVE) {
		if (d->ring_pos != 0xffff)
			json_object_set_new(o, "ring_pos",
					    json_integer(d->ring_pos));
		if (d->has & MODEL_HAS_STATION)
			json_object_set_new(o, "station_addr",
					    json_integer(d->station_addr));
		if (d->has & MODEL_HAS_ALIAS)
			json_object_set_new(o, "station_alias",
					    json_integer(d->alias));
		if (d->has & MODEL_HAS_AL) {
			json_object_set_new(o, "al_state", json_string(
				model_al_state_name(d->al_state)));
			json_object_set_new(o, "al_error",
					    json_boolean(d->al_state & 0x10));
			json_object_set_new(o, "al_status_code",
					    json_integer(d->al_status_code));
		}
		if (d->has & MODEL_HAS_REVISION)
			json_object_set_new(o, "revision",
					    json_integer(d->revision));
		if (d->has & MODEL_HAS_SERIAL)
			json_object_set_new(o, "serial",
					    json_integer(d->serial));
	}
	if (d->has & MODEL_HAS_VENDOR)
		json_object_set_new(o, "vendor_id", json_integer(d->vendor_id));
	if (d->has & MODEL_HAS_PRODUCT)
		json_object_set_new(o, d->kind == MODEL_DEV_ECAT_SLAVE ?
				    "product_code" : "device_id",
				    json_integer(d->product_code));
	{
		char name[MODEL_NAME_MAX];

		if (model_ecat_product_name(d, name, sizeof(name)))
			json_object_set_new(o, "product", json_string(name));
	}
	if (d->has & MODEL_HAS_PD) {
		json_object_set_new(o, "pd_inputs", json_integer(d->pd_in));
		json_object_set_new(o, "pd_outputs", json_integer(d->pd_out));
	}
	if (d->has & MODEL_HAS_PD_IN_LAD)
		json_object_set_new(o, "pd_in_lad", json_integer(d->pd_in_lad));
	if (d->has & MODEL_HAS_PD_OUT_LAD)
		json_object_set_new(o, "pd_out_lad",
				    json_integer(d->pd_out_lad));
	if (d->kind == MODEL_DEV_ECAT_MASTER) {
		const struct mdev_priv *p = mdev_priv(m, d);

		json_object_set_new(o, "slaves", json_integer(d->nslaves));
		/* what broadcasts' working counters say the ring holds */
		if (p->mslot && m->mst[p->mslot - 1].len_votes >= MECAT_SURE)
			json_object_set_new(o, "ring_slaves", json_integer(
				m->mst[p->mslot - 1].ring_len));
	}
	if (d->has & MODEL_HAS_NAME)
		json_object_set_new(o, "station_name",
				    json_string(d->station_name));
	if (d->has & MODEL_HAS_IP) {
		json_object_set_new(o, "ip", ip_json(d->ip));
		json_object_set_new(o, "netmask", ip_json(d->netmask));
		json_object_set_new(o, "gateway", ip_json(d->gateway));
	}
	if (d->has & MODEL_HAS_ROLE)
		json_object_set_new(o, "role", json_integer(d->role));
	if (d->nframe_ids) {
		json_t *a = json_array();

		for (i = 0; i < d->nframe_ids; i++)
			json_array_append_new(a, json_integer(d->frame_ids[i]));
		json_object_set_new(o, "frame_ids", a);
	}
	return o;
}

json_t *model_devices_json(struct model *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < m->nvis; i++)
		json_array_append_new(a, model_device_json(m,
						&m->devs[m->vis[i]]));
	return a;
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

json_t *model_links_json(struct model *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < m->nlinks; i++) {
		const struct model_link *l = model_link_at(m, i);
		json_t *o = json_object();

		json_object_set_new(o, "id", json_integer(l->id));
		json_object_set_new(o, "kind", json_string(
			l->kind == MODEL_LINK_ECAT ? "ecat" : "pn_rt"));
		json_object_set_new(o, "src", json_integer(l->src));
		if (l->dst)
			json_object_set_new(o, "dst", json_integer(l->dst));
		if (l->kind == MODEL_LINK_ECAT)
			json_object_set_new(o, "lad", json_integer(l->lad));
		else
			json_object_set_new(o, "frame_id",
					    json_integer(l->frame_id));
		json_object_set_new(o, "frames",
				    json_integer((json_int_t)l->frames));
		json_object_set_new(o, "clock", json_string(
			l->clock_hw ? "hw" : "sw"));
		json_object_set_new(o, "period_us", json_real(us(l->period_ns)));
		json_object_set_new(o, "jitter_p50_us",
				    json_real(us(l->jitter_p50_ns)));
		json_object_set_new(o, "jitter_p99_us",
				    json_real(us(l->jitter_p99_ns)));
		json_object_set_new(o, "jitter_max_us",
				    json_real(us(l->jitter_max_ns)));
		json_object_set_new(o, "jitter_max_all_us",
				    json_real(us(l->jitter_max_all_ns)));
		if (l->kind == MODEL_LINK_ECAT) {
			json_object_set_new(o, "wkc_expected",
					    json_integer(l->wkc_expected));
			json_object_set_new(o, "wkc_last",
					    json_integer(l->wkc_last));
			json_object_set_new(o, "wkc_errors", json_integer(
				(json_int_t)l->wkc_errors));
		} else {
			json_object_set_new(o, "data_status",
					    json_integer(l->data_status));
			json_object_set_new(o, "data_status_changes",
				json_integer((json_int_t)l->data_status_changes));
			json_object_set_new(o, "cycle_counter",
					    json_integer(l->cycle_counter));
		}
		json_object_set_new(o, "lost", json_integer((json_int_t)l->lost));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *model_signals_json(const struct model *m)
{
	json_t *a = json_array();
	struct model_signal tmp;
	size_t i;

	for (i = 0; a && i < m->nsigs; i++) {
		const struct model_signal *s = model_signal_at(m, i, &tmp);

		json_array_append_new(a, json_pack(
			"{s:i, s:s, s:s, s:I, s:s, s:f, s:s, s:i, s:I, s:I, s:f}",
			"id", (int)s->id, "name", s->name, "device", s->device,
			"offset", (json_int_t)s->offset, "type",
			sig_type_name(s->type), "scale", s->scale, "unit",
			s->unit, "device_id", (int)s->dev_id, "samples",
			(json_int_t)s->samples, "last_ns",
			(json_int_t)s->last_ns, "last", s->last));
	}
	return a;
}

json_t *model_counters_json(const struct model *m)
{
	json_t *o = json_object();

#define MODEL_X_JSON(n, d) \
	json_object_set_new(o, #n, json_integer((json_int_t)m->ctr.n));
	MODEL_COUNTERS(MODEL_X_JSON)
#undef MODEL_X_JSON
	json_object_set_new(o, "devices", json_integer((json_int_t)m->nvis));
	json_object_set_new(o, "devices_online",
			    json_integer((json_int_t)model_devices_online(m)));
	json_object_set_new(o, "links", json_integer((json_int_t)m->nlinks));
	json_object_set_new(o, "signals", json_integer((json_int_t)m->nsigs));
	return o;
}
