/*
 * Enforcement: the status and switch (PUT needs an admin whose session
 * passed MFA), the XDP blocklist, blocking a MAC by hand (refused with 409
 * and the reason when a fail-open guard protects it, when enforcement is
 * off or iiot is not inline) and unblocking.  The dispatcher writes the
 * audit row of each change, allowed or not (daemon/enforce/enforce.h).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/parse.h"
#include "enforce/enforce.h"
#include "model/model.h"

static int code(int rc)
{
	switch (rc) {
	case ENFORCE_R_OK:
		return 200;
	case ENFORCE_R_BAD:
		return 400;
	case ENFORCE_R_REFUSED:
		return 409;
	case ENFORCE_R_NOT_FOUND:
		return 404;
	default:
		return 500;
	}
}

void h_enforcement(struct rq *r)
{
	api_reply(r, 200, enforce_status_json(r->api->d));
}

void h_enforcement_put(struct rq *r)
{
	json_t *on = json_object_get(r->body, "enabled");
	char why[256];
	int rc;

	snprintf(r->target, sizeof(r->target), "enforcement");
	if (!json_is_boolean(on)) {
		api_error(r, 400, "enabled must be true or false");
		return;
	}
	r->detail = json_pack("{s:b}", "enabled", json_is_true(on));
	/* a block can stop a line: turning it on takes a second factor */
	if (json_is_true(on) && !r->sess->mfa_ok) {
		api_error(r, 403, "turning enforcement on needs a session that "
			  "passed MFA: enrol TOTP and sign in with a code");
		return;
	}
	rc = enforce_enable(r->api->d, json_is_true(on), r->who, why,
			    sizeof(why));
	if (rc) {
		api_error(r, code(rc), why);
		return;
	}
	api_reply(r, 200, enforce_status_json(r->api->d));
}

void h_blocks(struct rq *r)
{
	api_reply(r, 200, enforce_blocks_json(r->api->d));
}

void h_block_add(struct rq *r)
{
	const char *mac_s = body_str(r->body, "mac", 17);
	const char *reason = body_str(r->body, "reason",
				      ENFORCE_REASON_MAX - 1);
	json_t *ttl = json_object_get(r->body, "ttl_s");
	char why[256];
	uint8_t mac[6];
	int rc;

	if (!mac_s || model_parse_mac(mac_s, mac)) {
		api_error(r, 400, "mac must be a MAC address (aa:bb:cc:dd:ee:ff)");
		return;
	}
	snprintf(r->target, sizeof(r->target), "mac %s", mac_s);
	if (!reason) {
		api_error(r, 400, "reason must be a string of 1-127 characters");
		return;
	}
	if (ttl && (!json_is_integer(ttl) || json_integer_value(ttl) < 1 ||
		    (uint64_t)json_integer_value(ttl) > ENFORCE_TTL_MAX_S)) {
		api_error(r, 400, "ttl_s must be an integer of 1-2592000 (30 days)");
		return;
	}
	r->detail = json_pack("{s:s, s:I}", "reason", reason, "ttl_s",
			      ttl ? json_integer_value(ttl) : (json_int_t)0);
	rc = enforce_block(r->api->d, mac, ttl ? (uint64_t)json_integer_value(ttl)
			   : 0, reason, r->who, why, sizeof(why));
	if (rc) {
		json_object_set_new(r->detail, "error", json_string(why));
		api_error(r, code(rc), why);
		return;
	}
	api_reply(r, 201, enforce_blocks_json(r->api->d));
}

void h_block_del(struct rq *r)
{
	char why[256], ms[18], *p;
	uint8_t mac[6];
	int rc;

	/* a path cannot carry ':': aa-bb-cc-dd-ee-ff */
	snprintf(ms, sizeof(ms), "%s", r->param[0]);
	for (p = ms; *p; p++)
		if (*p == '-')
			*p = ':';
	if (strlen(r->param[0]) != 17 || model_parse_mac(ms, mac)) {
		api_error(r, 400, "give a MAC address as aa-bb-cc-dd-ee-ff");
		return;
	}
	snprintf(r->target, sizeof(r->target), "mac %s", ms);
	rc = enforce_unblock(r->api->d, mac, why, sizeof(why));
	if (rc) {
		r->detail = json_pack("{s:s}", "error", why);
		api_error(r, code(rc), why);
		return;
	}
	api_reply(r, 200, enforce_blocks_json(r->api->d));
}
