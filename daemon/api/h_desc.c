/*
 * Device descriptions (docs/descriptions.md): list and show them
 * (device.read), import and remove (device.control; audited by dispatch
 * with the file, its kind and name, or why it was refused).  An import
 * is {"file": NAME, "xml": TEXT}; a bad file gets 400 with its line and
 * nothing is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/parse.h"
#include "desc/desc.h"
#include "desc/descsys.h"

#define DESC_FILE_MAX	200

/* "{id}" as a row id, or -1 */
static int64_t id_of(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	return *s && !*end && v > 0 ? (int64_t)v : -1;
}

void h_descriptions(struct rq *r)
{
	json_t *a = descsys_list(r->api->d);

	if (!a) {
		api_error(r, 503, "descriptions are not running");
		return;
	}
	api_reply(r, 200, json_pack("{s:o}", "descriptions", a));
}

void h_description(struct rq *r)
{
	int64_t id = id_of(r->param[0]);
	json_t *o = id > 0 ? descsys_show(r->api->d, id) : NULL;

	if (!o) {
		api_error(r, 404, "no such description");
		return;
	}
	api_reply(r, 200, o);
}

void h_description_add(struct rq *r)
{
	const char *file = body_str(r->body, "file", DESC_FILE_MAX);
	json_t *x = json_object_get(r->body, "xml");
	char why[512];
	json_t *row;
	int code;

	snprintf(r->target, sizeof(r->target), "description %s",
		 file ? file : "?");
	if (!file || !*file || !json_is_string(x)) {
		api_error(r, 400, "expected {\"file\": NAME (1..200 bytes), "
			  "\"xml\": the file's text}");
		return;
	}
	row = descsys_import(r->api->d, file, r->who, json_string_value(x),
			     json_string_length(x), &code, why, sizeof(why));
	if (!row) {
		r->detail = json_pack("{s:s, s:s}", "file", file, "error", why);
		api_error(r, code, why);
		return;
	}
	r->detail = json_pack("{s:s, s:O, s:O, s:O}", "file", file, "id",
			      json_object_get(row, "id"), "kind",
			      json_object_get(row, "kind"), "name",
			      json_object_get(row, "name"));
	api_reply(r, 201, row);
}

void h_description_del(struct rq *r)
{
	int64_t id = id_of(r->param[0]);
	int rc = id > 0 ? descsys_remove(r->api->d, id) : 0;

	snprintf(r->target, sizeof(r->target), "description %s",
		 r->param[0]);
	if (rc < 0) {
		api_error(r, 503, "descriptions are not running");
		return;
	}
	if (!rc) {
		api_error(r, 404, "no such description");
		return;
	}
	api_reply(r, 200, json_pack("{s:I}", "removed", (json_int_t)id));
}
