/* A description as JSON for the API and iiotctl (docs/openapi.yaml). */
#include "desc/desc_db.h"

static const char *const roles[] = { "?", "access_point", "module",
				     "submodule", "device", "slave" };

static json_t *entries_json(const struct desc *d, const struct desc_group *g)
{
	json_t *a = json_array();
	uint32_t k;

	for (k = g->first; a && k < g->first + g->n; k++) {
		const struct desc_entry *e = &d->ents[k];
		json_t *o = json_pack("{s:s, s:s, s:I}", "name", e->name,
				      "type", e->type, "bits",
				      (json_int_t)e->bitlen);

		if (!o)
			continue;
		json_object_set_new(o, "bit", e->bitoff < 0 ? json_null() :
				    json_integer(e->bitoff));
		if (e->index)
			json_object_set_new(o, "index", json_integer(
				(json_int_t)e->index << 8 | e->subindex));
		if (e->unit[0])
			json_object_set_new(o, "unit", json_string(e->unit));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *dev_json(const struct desc *d, const struct desc_device *v)
{
	json_t *g = json_array(), *o;
	uint32_t i;

	for (i = v->first; g && i < v->first + v->n; i++) {
		const struct desc_group *gr = &d->groups[i];

		json_array_append_new(g, json_pack("{s:s, s:s, s:I, s:b, s:o}",
			"name", gr->name, "dir", gr->dir == DESC_IN ? "in" :
			"out", "index", (json_int_t)gr->index, "assigned",
			gr->assigned, "entries", entries_json(d, gr)));
	}
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:i, s:o}",
		      "name", v->name, "type", v->type, "role",
		      roles[v->role <= DESC_ROLE_SLAVE ? v->role : 0],
		      "vendor_id", (json_int_t)v->vendor_id,
		      "product", (json_int_t)v->product,
		      "revision", (json_int_t)v->revision, "line", v->line,
		      "groups", g ? g : json_array());
	if (o && v->role == DESC_ROLE_SLAVE) {
		json_object_set_new(o, "phys_addr", json_integer(v->phys_addr));
		if (v->in_bitstart >= 0)
			json_object_set_new(o, "in", json_pack("{s:I, s:I}",
				"bit_start", (json_int_t)v->in_bitstart,
				"bits", (json_int_t)v->in_bitlen));
		if (v->out_bitstart >= 0)
			json_object_set_new(o, "out", json_pack("{s:I, s:I}",
				"bit_start", (json_int_t)v->out_bitstart,
				"bits", (json_int_t)v->out_bitlen));
	}
	return o;
}

json_t *desc_json(const struct desc *d)
{
	json_t *devs = json_array(), *o;
	size_t i;

	for (i = 0; devs && i < d->ndevs; i++)
		json_array_append_new(devs, dev_json(d, &d->devs[i]));
	o = json_pack("{s:s, s:s, s:s, s:I, s:o}", "kind",
		      desc_kind_name(d->kind), "name", d->name, "vendor",
		      d->vendor, "vendor_id", (json_int_t)d->vendor_id,
		      "devices", devs ? devs : json_array());
	if (o && d->master[0])
		json_object_set_new(o, "master", json_string(d->master));
	return o;
}
