/*
 * Rules through the API and iiotctl: a rule is a JSON object whose keys
 * are those of a [rule.NAME] section (docs/analytics.md), e.g.
 *
 *	{"kind": "threshold", "signal": ["temp_1"], "above": 80,
 *	 "on_delay": "5s", "escalate": ["60s critical"]}
 *
 * Each one becomes that section's INI text, checked with the rules file
 * by the same parser (rulefile.c), so the file and the API can never
 * disagree on what a rule means.  A change is checked as part of the
 * whole set (file rules, then API rules) before it is stored as a new
 * version (ruledb.c) and loaded; a refused change leaves everything as
 * it was.  Names of the file's rules are the file's: the API refuses them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analytics/analytics_int.h"
#include "analytics/ruledb.h"
#include "core/conf.h"

#define INI_MAX		(64 * 1024)	/* one rule's section */
#define VALUE_MAX	1024

struct sbuf {
	char *p;
	size_t n, cap;
	int full;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->full || b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->n + n + 1)
			cap *= 2;
		if (b->full || cap > CONF_MAX_FILE ||
		    !(p = realloc(b->p, cap))) {
			b->full = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

int an_rule_name_ok(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (!n || n >= AN_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return 0;
	return 1;
}

static int value_text(const json_t *v, char *out, size_t len)
{
	int n;

	if (json_is_string(v))
		n = snprintf(out, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		n = snprintf(out, len, "%" JSON_INTEGER_FORMAT,
			     json_integer_value(v));
	else if (json_is_real(v))
		n = snprintf(out, len, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		n = snprintf(out, len, "%s", json_is_true(v) ? "true" : "false");
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* key = "value": quoted so that '#' and ';' stay in it */
static int line(struct sbuf *b, const char *key, const char *v,
		char *err, size_t errlen)
{
	const char *s;

	for (s = v; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '"' || *s == 0x7f) {
			snprintf(err, errlen, "rule.%s: a control character or "
				 "'\"' at position %d of the value", key,
				 (int)(s - v) + 1);
			return -1;
		}
	sb_str(b, key);
	sb_str(b, " = \"");
	sb_str(b, v);
	sb_str(b, "\"\n");
	return 0;
}

/*
 * The [rule.NAME] section of rule (an object); arrays repeat escalate
 * and join anything else with spaces (signal lists).  0, or -1 with err
 * naming the key in *key.
 */
static int to_ini(const char *name, const json_t *rule, struct sbuf *b,
		  char *err, size_t errlen, char *key, size_t keylen)
{
	const char *k;
	json_t *v;

	if (!json_is_object(rule)) {
		snprintf(err, errlen, "a rule is a JSON object");
		return -1;
	}
	sb_str(b, "[rule.");
	sb_str(b, name);
	sb_str(b, "]\n");
	json_object_foreach((json_t *)rule, k, v) {
		char val[VALUE_MAX], one[VALUE_MAX];
		const char *s;
		size_t i;
		json_t *x;

		snprintf(key, keylen, "%s", k);
		if (!strcmp(k, "name"))
			continue;
		for (s = k; *s; s++)
			if (!islower((unsigned char)*s) && *s != '_')
				break;
		if (!*k || *s || s - k > 32) {
			snprintf(err, errlen, "rule.%s: not a key of a rule",
				 k);
			return -1;
		}
		if (!json_is_array(v)) {
			if (value_text(v, val, sizeof(val))) {
				snprintf(err, errlen, "rule.%s: a string, a "
					 "number or a list of them, at most %d "
					 "bytes", k, VALUE_MAX - 1);
				return -1;
			}
			if (line(b, k, val, err, errlen))
				return -1;
			continue;
		}
		val[0] = '\0';
		json_array_foreach(v, i, x) {
			if (value_text(x, one, sizeof(one)) ||
			    strlen(val) + strlen(one) + 2 > sizeof(val)) {
				snprintf(err, errlen, "rule.%s: item %zu: a "
					 "string or a number, at most %d bytes "
					 "in all", k, i + 1, VALUE_MAX - 1);
				return -1;
			}
			if (!strcmp(k, "escalate")) {
				if (line(b, k, one, err, errlen))
					return -1;
				continue;
			}
			if (i)
				strcat(val, " ");
			strcat(val, one);
		}
		if (strcmp(k, "escalate") && line(b, k, val, err, errlen))
			return -1;
	}
	key[0] = '\0';
	if (b->full || b->n > INI_MAX) {
		snprintf(err, errlen, "rule larger than %d bytes", INI_MAX);
		return -1;
	}
	return 0;
}

/* The rules file's text ("" without one), at most CONF_MAX_FILE bytes. */
static int file_text(const char *path, struct sbuf *b, char *err,
		     size_t errlen)
{
	char buf[8192];
	size_t n;
	FILE *f;

	if (!path || !*path)
		return 0;
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(b, buf, n);
	fclose(f);
	if (b->full) {
		snprintf(err, errlen, "%s: larger than %u bytes", path,
			 CONF_MAX_FILE);
		return -1;
	}
	if (b->n && b->p[b->n - 1] != '\n')
		sb_str(b, "\n");
	return 0;
}

/*
 * The whole set as one INI text: the file, then every API rule but
 * skip, then name with rule (when rule is not NULL).  *file_lines: how
 * many lines are the file's.
 */
static struct conf *compose(struct analytics *an, const char *skip,
			    const char *name, const json_t *rule,
			    char *err, size_t errlen, char *key,
			    size_t keylen, int *file_lines)
{
	struct sbuf b = { 0 };
	struct conf *c = NULL;
	json_t *cur, *x;
	size_t i;

	key[0] = '\0';
	if (file_text(an->rules_path, &b, err, errlen))
		goto out;
	*file_lines = 0;
	for (i = 0; i < b.n; i++)
		*file_lines += b.p[i] == '\n';
	cur = an->rdb ? ruledb_current(an->rdb) : json_array();
	json_array_foreach(cur, i, x) {
		const char *n = json_string_value(json_object_get(x, "name"));

		if (!n || (skip && !strcmp(n, skip)))
			continue;
		if (to_ini(n, json_object_get(x, "rule"), &b, err, errlen, key,
			   keylen)) {
			json_decref(cur);
			goto out;
		}
	}
	json_decref(cur);
	key[0] = '\0';
	if (rule && to_ini(name, rule, &b, err, errlen, key, keylen))
		goto out;
	if (b.full) {
		snprintf(err, errlen, "the rules are larger than %u bytes",
			 CONF_MAX_FILE);
		goto out;
	}
	c = conf_parse(b.p ? b.p : "", b.n, "rules", err, errlen);
out:
	free(b.p);
	return c;
}

int analytics_reload(struct analytics *an, char *err, size_t errlen)
{
	char key[64];
	struct conf *c;
	int lines = 0, rc;

	c = compose(an, NULL, NULL, NULL, err, errlen, key, sizeof(key),
		    &lines);
	if (!c)
		return -1;
	rc = analytics_load_rules(an, c, err, errlen);
	if (!rc)
		an->file_lines = lines;
	conf_free(c);
	return rc;
}

/* {"error": why, "key": k, "column": n} from a parser message */
static json_t *refusal(const char *name, const char *msg, const char *key)
{
	char pre[AN_NAME_MAX + 8];
	const char *m = msg, *p;
	json_t *o;

	/* "rules:12: rule.NAME.key: why" -> "rule.NAME.key: why" */
	if (!strncmp(m, "rules:", 6) && (p = strstr(m + 6, ": ")))
		m = p + 2;
	o = json_pack("{s:s}", "error", m);
	snprintf(pre, sizeof(pre), "rule.%s.", name ? name : "");
	if (name && !strncmp(m, pre, strlen(pre))) {
		size_t n = strcspn(m + strlen(pre), ":");

		json_object_set_new(o, "key", json_stringn(m + strlen(pre), n));
	} else if (name && !strncmp(m, pre, strlen(pre) - 1) &&
		   m[strlen(pre) - 1] == ':' && (p = strchr(m, '\'')) &&
		   strchr(p + 1, '\'')) {
		/* "rule.NAME: 'signal' is required": the first key it quotes */
		json_object_set_new(o, "key", json_stringn(p + 1,
				    strcspn(p + 1, "'")));
	} else if (key && *key) {
		json_object_set_new(o, "key", json_string(key));
	}
	p = strstr(m, "column ");
	if (p)
		json_object_set_new(o, "column", json_integer(atoi(p + 7)));
	return o;
}

static json_t *fail(int *status, int code, const char *why)
{
	*status = code;
	return json_pack("{s:s}", "error", why);
}

static int in_file(struct analytics *an, const char *name)
{
	char err[256], sect[AN_NAME_MAX + 8];
	struct conf *c;
	int r;

	if (!an->rules_path[0])
		return 0;
	c = conf_load(an->rules_path, err, sizeof(err));
	if (!c)
		return 0;
	snprintf(sect, sizeof(sect), "rule.%s", name);
	r = conf_has_section(c, sect);
	conf_free(c);
	return r;
}

/* The rule as stored: the object without "name". */
static json_t *normal(const json_t *rule)
{
	json_t *o = json_deep_copy(rule);

	if (o)
		json_object_del(o, "name");
	return o;
}

/* Check (and with who, store and load) rule as name's next version. */
static json_t *change(struct analytics *an, const char *name,
		      const json_t *rule, const char *action, const char *who,
		      int64_t now_ms, int *status)
{
	char err[512], key[64];
	struct conf *c;
	json_t *body;
	int lines, v;

	c = compose(an, name, name, rule, err, sizeof(err), key, sizeof(key),
		    &lines);
	if (!c) {
		*status = 400;
		return refusal(name, err, key);
	}
	pthread_mutex_lock(&an->mu);
	{
		struct an_set set;

		if (an_parse(an, c, &set, err, sizeof(err))) {
			pthread_mutex_unlock(&an->mu);
			conf_free(c);
			*status = 400;
			return refusal(name, err, NULL);
		}
		an_set_free(&set);
	}
	pthread_mutex_unlock(&an->mu);
	if (!who) {
		conf_free(c);
		*status = 200;
		return json_pack("{s:b}", "ok", 1);
	}
	body = normal(rule);
	v = an->rdb ? ruledb_put(an->rdb, name, body, action, who, now_ms) :
	    -1;
	json_decref(body);
	if (v < 0) {
		conf_free(c);
		return fail(status, 500, "analytics.db: cannot store the rule");
	}
	/* checked above under the same signals: cannot fail but for memory */
	if (analytics_load_rules(an, c, err, sizeof(err))) {
		conf_free(c);
		return fail(status, 500, err);
	}
	an->file_lines = lines;
	conf_free(c);
	*status = !strcmp(action, "create") ? 201 : 200;
	return json_pack("{s:s, s:i}", "name", name, "version", v);
}

static json_t *remove_rule(struct analytics *an, const char *name,
			   const char *who, int64_t now_ms, int *status)
{
	char err[512], key[64];
	struct conf *c;
	int lines, v;

	c = compose(an, name, NULL, NULL, err, sizeof(err), key, sizeof(key),
		    &lines);
	if (!c)
		return fail(status, 500, err);
	v = ruledb_put(an->rdb, name, NULL, "delete", who, now_ms);
	if (v < 0 || analytics_load_rules(an, c, err, sizeof(err))) {
		conf_free(c);
		return fail(status, 500, v < 0 ? "analytics.db: cannot store"
			    " the change" : err);
	}
	an->file_lines = lines;
	conf_free(c);
	*status = 200;
	return json_pack("{s:s, s:i, s:b}", "name", name, "version", v,
			 "deleted", 1);
}

json_t *analytics_rule_op(struct analytics *an, enum an_rule_op op,
			  const char *name, const json_t *arg,
			  const char *who, int64_t now_ms, int *status)
{
	json_t *cur = NULL, *o;
	const char *nm;
	char act[32];
	int v = 0, exists;

	*status = 200;
	if (!an->rdb && op != AN_OP_CHECK)
		return fail(status, 503, "analytics.db is not open");
	if (op == AN_OP_LIST)
		return json_pack("{s:o}", "rules", ruledb_current(an->rdb));
	if (op == AN_OP_CHECK || op == AN_OP_CREATE) {
		const json_t *n = json_object_get(arg, "name");

		if (!json_is_object(arg))
			return fail(status, 400, "a rule is a JSON object");
		name = json_string_value(n);
	}
	if (!an_rule_name_ok(name)) {
		o = fail(status, 400, "a rule's name: 1 to 47 letters, "
			 "digits, '_', '-' or '.'");
		json_object_set_new(o, "key", json_string("name"));
		return o;
	}
	if (op == AN_OP_CHECK)
		return change(an, name, arg, NULL, NULL, now_ms, status);
	if (in_file(an, name))
		return fail(status, 409, "that rule is defined in the rules "
			    "file; edit it there");
	v = ruledb_latest(an->rdb, name, &cur);
	if (v < 0)
		return fail(status, 500, "analytics.db cannot be read");
	exists = cur != NULL;
	if (op != AN_OP_GET) {
		json_decref(cur);
		cur = NULL;
	}
	switch (op) {
	case AN_OP_GET:
		if (!cur)
			return fail(status, 404, "no such rule");
		return json_pack("{s:s, s:i, s:o}", "name", name, "version", v,
				 "rule", cur);
	case AN_OP_HISTORY:
		if (!v)
			return fail(status, 404, "no such rule");
		return json_pack("{s:s, s:o}", "name", name, "versions",
				 ruledb_history(an->rdb, name));
	case AN_OP_CREATE:
		if (exists)
			return fail(status, 409, "a rule of that name exists");
		return change(an, name, arg, "create", who, now_ms, status);
	case AN_OP_UPDATE:
		if (!exists)
			return fail(status, 404, "no such rule");
		if (!json_is_object(arg))
			return fail(status, 400, "a rule is a JSON object");
		nm = json_string_value(json_object_get(arg, "name"));
		if (json_object_get(arg, "name") && (!nm || strcmp(nm, name)))
			return fail(status, 400, "the name is the URL's: "
				    "delete and create to rename");
		return change(an, name, arg, "update", who, now_ms, status);
	case AN_OP_DELETE:
		if (!exists)
			return fail(status, 404, "no such rule");
		return remove_rule(an, name, who, now_ms, status);
	case AN_OP_ROLLBACK:
		v = (int)json_integer_value(json_object_get(arg, "version"));
		if (v <= 0)
			return fail(status, 400, "'version': the version to "
				    "go back to, a positive integer");
		if (ruledb_version(an->rdb, name, v, &cur))
			return fail(status, 404, "no such version of that "
				    "rule");
		if (!cur)
			return fail(status, 409, "that version is a delete: "
				    "delete the rule instead");
		snprintf(act, sizeof(act), "rollback %d", v);
		o = change(an, name, cur, act, who, now_ms, status);
		json_decref(cur);
		return o;
	default:
		return fail(status, 400, "unknown operation");
	}
}
