/*
 * The baseline's table (open addressing on the kind's key, linear probes,
 * deletion by re-inserting the rest of the cluster) and its JSON form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "ids/baseline.h"

#define BL_VERSION	1

static const char *const kind_names[BL_KIND_END] = {
	[BL_DEVICE] = "device", [BL_PAIR] = "pair", [BL_MASTER] = "master",
	[BL_WKC] = "wkc", [BL_AR] = "ar", [BL_RATE] = "rate",
};

/* the arrays of the JSON form, by kind */
static const char *const kind_arrays[BL_KIND_END] = {
	[BL_DEVICE] = "devices", [BL_PAIR] = "pairs", [BL_MASTER] = "masters",
	[BL_WKC] = "wkc", [BL_AR] = "ars", [BL_RATE] = "rates",
};

static const char *const rate_names[BL_RATE_END] = {
	[BL_RATE_FRAMES] = "frames", [BL_RATE_DCP] = "dcp",
	[BL_RATE_ARP] = "arp",
};

const char *baseline_kind_name(unsigned int kind)
{
	return kind > 0 && kind < BL_KIND_END ? kind_names[kind] : "?";
}

const char *baseline_state_name(unsigned int state)
{
	return state == BL_LEARNING ? "learning" : state == BL_PROTECTING ?
	       "protecting" : "none";
}

struct baseline *baseline_new(void)
{
	return calloc(1, sizeof(struct baseline));
}

void baseline_free(struct baseline *bl)
{
	if (bl)
		free(bl->tab);
	free(bl);
}

void baseline_clear(struct baseline *bl)
{
	if (bl->tab)
		memset(bl->tab, 0, BL_MAX * sizeof(*bl->tab));
	bl->n = 0;
	bl->full = 0;
	memset(bl->masters, 0, sizeof(bl->masters));
	bl->gen++;
}

int baseline_copy(struct baseline *dst, const struct baseline *src)
{
	struct bl_entry *tab = dst->tab;
	uint32_t gen = dst->gen;

	if (src->tab && !tab && !(tab = malloc(BL_MAX * sizeof(*tab))))
		return -1;
	*dst = *src;
	dst->tab = tab;
	dst->gen = gen + 1;
	if (tab && src->tab)
		memcpy(tab, src->tab, BL_MAX * sizeof(*tab));
	else if (tab)
		memset(tab, 0, BL_MAX * sizeof(*tab));
	return 0;
}

unsigned int baseline_line(struct baseline *bl, const char *name)
{
	unsigned int i;

	if (!name || !*name)
		name = "capture";
	for (i = 0; i < bl->nlines; i++)
		if (!strncmp(bl->lines[i], name, BL_LINE_LEN - 1))
			return i;
	if (bl->nlines == BL_LINES)
		return 0;
	snprintf(bl->lines[bl->nlines], BL_LINE_LEN, "%s", name);
	return bl->nlines++;
}

/* which fields make the key of each kind */
static bool key_a(unsigned int k)
{
	return k != BL_AR;
}

static bool key_b(unsigned int k)
{
	return k == BL_PAIR || k == BL_AR;
}

static bool key_id(unsigned int k)
{
	return k == BL_WKC || k == BL_AR || k == BL_RATE;
}

static uint64_t mac64(const uint8_t m[6])
{
	return (uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 |
	       (uint64_t)m[2] << 24 | (uint64_t)m[3] << 16 |
	       (uint64_t)m[4] << 8 | m[5];
}

static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xFF51AFD7ED558CCDULL;
	k ^= k >> 33;
	k *= 0xC4CEB9FE1A85EC53ULL;
	k ^= k >> 33;
	return k;
}

static size_t slot(const struct bl_entry *e)
{
	uint64_t h = (uint64_t)e->kind << 8 | e->line;

	if (key_a(e->kind))
		h = mix(h ^ mac64(e->a));
	if (key_b(e->kind))
		h = mix(h ^ mac64(e->b));
	if (key_id(e->kind))
		h = mix(h ^ e->id);
	if (e->kind == BL_PAIR)
		h ^= e->ethertype;
	return (size_t)mix(h) & (BL_MAX - 1);
}

static bool same(const struct bl_entry *x, const struct bl_entry *y)
{
	unsigned int k = x->kind;

	return k == y->kind && x->line == y->line &&
	       (!key_a(k) || !memcmp(x->a, y->a, 6)) &&
	       (!key_b(k) || !memcmp(x->b, y->b, 6)) &&
	       (!key_id(k) || x->id == y->id) &&
	       (k != BL_PAIR || x->ethertype == y->ethertype);
}

struct bl_entry *baseline_find(const struct baseline *bl,
			       const struct bl_entry *e)
{
	size_t i, n;

	if (!bl->tab)
		return NULL;
	for (i = slot(e), n = 0; n < BL_MAX; n++, i = (i + 1) & (BL_MAX - 1)) {
		if (!bl->tab[i].used)
			return NULL;
		if (same(&bl->tab[i], e))
			return &bl->tab[i];
	}
	return NULL;
}

static struct bl_entry *put(struct baseline *bl, const struct bl_entry *e)
{
	size_t i = slot(e);

	while (bl->tab[i].used)
		i = (i + 1) & (BL_MAX - 1);
	bl->tab[i] = *e;
	bl->tab[i].used = true;
	return &bl->tab[i];
}

struct bl_entry *baseline_add(struct baseline *bl, const struct bl_entry *e)
{
	struct bl_entry *f = baseline_find(bl, e);

	if (f)
		return f;
	if (e->kind < BL_DEVICE || e->kind >= BL_KIND_END ||
	    e->line >= BL_LINES)
		return NULL;
	/* keep a quarter free so probes stay short */
	if (bl->n >= BL_MAX * 3 / 4) {
		bl->full++;
		return NULL;
	}
	if (!bl->tab && !(bl->tab = calloc(BL_MAX, sizeof(*bl->tab)))) {
		bl->full++;
		return NULL;
	}
	bl->n++;
	bl->gen++;
	if (e->kind == BL_MASTER)
		bl->masters[e->line]++;
	return put(bl, e);
}

int baseline_remove(struct baseline *bl, const struct bl_entry *e)
{
	struct bl_entry *f = baseline_find(bl, e), moved;
	size_t i, j;

	if (!f)
		return -1;
	if (f->kind == BL_MASTER && bl->masters[f->line])
		bl->masters[f->line]--;
	i = (size_t)(f - bl->tab);
	memset(f, 0, sizeof(*f));
	bl->n--;
	bl->gen++;
	/* the rest of the cluster may have probed past i: place it again */
	for (j = (i + 1) & (BL_MAX - 1); bl->tab[j].used;
	     j = (j + 1) & (BL_MAX - 1)) {
		moved = bl->tab[j];
		memset(&bl->tab[j], 0, sizeof(moved));
		put(bl, &moved);
	}
	return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *mac_json(const uint8_t m[6])
{
	char s[18];

	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	return json_string(s);
}

static json_t *hex_json(uint64_t v, int digits)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%0*llx", digits, (unsigned long long)v);
	return json_string(s);
}

json_t *baseline_entry_json(const struct baseline *bl,
			    const struct bl_entry *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(baseline_kind_name(e->kind)));
	json_object_set_new(o, "line", json_string(e->line < bl->nlines ?
						   bl->lines[e->line] : "?"));
	switch (e->kind) {
	case BL_DEVICE:
	case BL_MASTER:
		json_object_set_new(o, "mac", mac_json(e->a));
		break;
	case BL_PAIR:
		json_object_set_new(o, "src", mac_json(e->a));
		json_object_set_new(o, "dst", mac_json(e->b));
		json_object_set_new(o, "ethertype", hex_json(e->ethertype, 4));
		break;
	case BL_WKC:
		json_object_set_new(o, "master", mac_json(e->a));
		json_object_set_new(o, "cmd", json_string(
			ecat_cmd_name((unsigned int)(e->id >> 32))));
		json_object_set_new(o, "address", hex_json(e->id & 0xFFFFFFFFU,
							   8));
		json_object_set_new(o, "wkc", json_integer(e->value));
		break;
	case BL_AR:
		json_object_set_new(o, "src", mac_json(e->a));
		json_object_set_new(o, "dst", mac_json(e->b));
		json_object_set_new(o, "frame_id", hex_json(e->id, 4));
		json_object_set_new(o, "cycle_us", json_integer(e->value));
		break;
	case BL_RATE:
		json_object_set_new(o, "rate", json_string(
			e->id < BL_RATE_END ? rate_names[e->id] : "?"));
		if (e->id != BL_RATE_FRAMES)
			json_object_set_new(o, "src", mac_json(e->a));
		json_object_set_new(o, "per_10s", json_integer(e->value));
		break;
	}
	return o;
}

json_t *baseline_json(const struct baseline *bl)
{
	json_t *o = json_object(), *arr[BL_KIND_END] = { NULL }, *lines;
	unsigned int k;
	size_t i;

	json_object_set_new(o, "version", json_integer(BL_VERSION));
	json_object_set_new(o, "state", json_string(
		baseline_state_name(bl->state)));
	json_object_set_new(o, "learned_from_ns", json_integer(
		(json_int_t)bl->from_ns));
	json_object_set_new(o, "learned_until_ns", json_integer(
		(json_int_t)bl->until_ns));
	json_object_set_new(o, "entries", json_integer((json_int_t)bl->n));
	json_object_set_new(o, "not_stored", json_integer((json_int_t)bl->full));
	lines = json_array();
	for (k = 0; k < bl->nlines; k++)
		json_array_append_new(lines, json_string(bl->lines[k]));
	json_object_set_new(o, "lines", lines);
	for (k = BL_DEVICE; k < BL_KIND_END; k++) {
		arr[k] = json_array();
		json_object_set_new(o, kind_arrays[k], arr[k]);
	}
	for (i = 0; bl->tab && i < BL_MAX; i++) {
		const struct bl_entry *e = &bl->tab[i];
		json_t *j;

		if (!e->used)
			continue;
		j = baseline_entry_json(bl, e);
		json_object_del(j, "kind");
		json_array_append_new(arr[e->kind], j);
	}
	return o;
}

static int parse_mac(const char *s, uint8_t m[6])
{
	unsigned int v[6];
	char end;
	int i;

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2],
			 &v[3], &v[4], &v[5], &end) != 6 || strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return 0;
}

struct where {
	char *err;
	size_t errlen;
	const char *at;		/* "pairs[3]" or "entry" */
};

static int bad(const struct where *w, const char *key, const char *why)
{
	snprintf(w->err, w->errlen, "%s%s%s: %s", w->at, key ? "." : "",
		 key ? key : "", why);
	return -1;
}

static int get_mac(const struct where *w, const json_t *o, const char *key,
		   uint8_t m[6])
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return bad(w, key, "missing");
	if (!json_is_string(v) || parse_mac(json_string_value(v), m))
		return bad(w, key, "not a MAC address (aa:bb:cc:dd:ee:ff)");
	return 0;
}

/* an integer or a "0x.." string within [0, max] */
static int get_num(const struct where *w, const json_t *o, const char *key,
		   uint64_t max, bool need, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	unsigned long long n;
	const char *s;
	char *end;

	if (!v) {
		*out = 0;
		return need ? bad(w, key, "missing") : 0;
	}
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 ||
		    (uint64_t)json_integer_value(v) > max)
			return bad(w, key, "out of range");
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	s = json_string_value(v);
	if (!s || !*s || *s == '-')
		return bad(w, key, "not a number");
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || *end)
		return bad(w, key, "not a number");
	if (n > max)
		return bad(w, key, "out of range");
	*out = n;
	return 0;
}

static int get_cmd(const struct where *w, const json_t *o, uint8_t *cmd)
{
	const char *s = json_string_value(json_object_get(o, "cmd"));
	unsigned int c;

	if (!s)
		return bad(w, "cmd", "missing or not a string (LRW, LRD, LWR)");
	for (c = ECAT_LRD; c <= ECAT_LRW; c++)
		if (!strcmp(s, ecat_cmd_name(c))) {
			*cmd = (uint8_t)c;
			return 0;
		}
	return bad(w, "cmd", "not a logical command (LRW, LRD, LWR)");
}

static int get_rate(const struct where *w, const json_t *o, uint64_t *id)
{
	const char *s = json_string_value(json_object_get(o, "rate"));
	unsigned int r;

	if (!s)
		return bad(w, "rate", "missing (frames, dcp or arp)");
	for (r = 0; r < BL_RATE_END; r++)
		if (!strcmp(s, rate_names[r])) {
			*id = r;
			return 0;
		}
	return bad(w, "rate", "not frames, dcp or arp");
}

/* the keys each kind may carry, "kind" and "line" aside */
static const char *const kind_keys[BL_KIND_END][5] = {
	[BL_DEVICE] = { "mac" },
	[BL_MASTER] = { "mac" },
	[BL_PAIR] = { "src", "dst", "ethertype" },
	[BL_WKC] = { "master", "cmd", "address", "wkc" },
	[BL_AR] = { "src", "dst", "frame_id", "cycle_us" },
	[BL_RATE] = { "rate", "src", "per_10s" },
};

static int check_keys(const struct where *w, const json_t *o,
		      unsigned int kind)
{
	const char *key;
	json_t *v;
	int i;

	json_object_foreach((json_t *)o, key, v) {
		bool ok = !strcmp(key, "kind") || !strcmp(key, "line");

		for (i = 0; !ok && i < 5 && kind_keys[kind][i]; i++)
			ok = !strcmp(key, kind_keys[kind][i]);
		if (!ok)
			return bad(w, key, "unknown key");
	}
	return 0;
}

static int entry_fields(struct baseline *bl, const struct where *w,
			const json_t *o, unsigned int kind, struct bl_entry *e)
{
	const json_t *line = json_object_get(o, "line");
	uint64_t v = 0, x = 0;
	uint8_t cmd = 0;

	if (!json_is_object(o))
		return bad(w, NULL, "not an object");
	if (check_keys(w, o, kind))
		return -1;
	if (line && (!json_is_string(line) || !json_string_length(line) ||
		     json_string_length(line) >= BL_LINE_LEN))
		return bad(w, "line", "not a line name (1 to 31 bytes)");
	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t)kind;
	switch (kind) {
	case BL_DEVICE:
	case BL_MASTER:
		if (get_mac(w, o, "mac", e->a))
			return -1;
		if (kind == BL_MASTER)
			e->a[0] &= (uint8_t)~0x02;
		break;
	case BL_PAIR:
		if (get_mac(w, o, "src", e->a) || get_mac(w, o, "dst", e->b) ||
		    get_num(w, o, "ethertype", 0xFFFF, true, &v))
			return -1;
		e->ethertype = (uint16_t)v;
		break;
	case BL_WKC:
		if (get_mac(w, o, "master", e->a) || get_cmd(w, o, &cmd) ||
		    get_num(w, o, "address", 0xFFFFFFFFU, true, &x) ||
		    get_num(w, o, "wkc", 0xFFFF, true, &v))
			return -1;
		e->a[0] &= (uint8_t)~0x02;
		e->id = (uint64_t)cmd << 32 | x;
		e->value = (uint32_t)v;
		break;
	case BL_AR:
		if (get_mac(w, o, "src", e->a) || get_mac(w, o, "dst", e->b) ||
		    get_num(w, o, "frame_id", 0xFFFF, true, &e->id) ||
		    get_num(w, o, "cycle_us", 100000000, false, &v))
			return -1;
		e->value = (uint32_t)v;
		break;
	case BL_RATE:
		if (get_rate(w, o, &e->id) ||
		    get_num(w, o, "per_10s", 100000000, true, &v))
			return -1;
		if (e->id != BL_RATE_FRAMES && get_mac(w, o, "src", e->a))
			return -1;
		if (e->id == BL_RATE_FRAMES && json_object_get(o, "src"))
			return bad(w, "src", "a line's frame rate has no source");
		e->value = (uint32_t)v;
		break;
	}
	e->line = (uint8_t)baseline_line(bl, line ? json_string_value(line) :
					 NULL);
	return 0;
}

int baseline_entry_from_json(struct baseline *bl, const json_t *j,
			     struct bl_entry *e, char *err, size_t errlen)
{
	struct where w = { err, errlen, "entry" };
	const char *k = json_string_value(json_object_get(j, "kind"));
	unsigned int kind;

	if (!json_is_object(j))
		return bad(&w, NULL, "not an object");
	for (kind = BL_DEVICE; k && kind < BL_KIND_END; kind++)
		if (!strcmp(k, kind_names[kind]))
			return entry_fields(bl, &w, j, kind, e);
	return bad(&w, "kind", "missing or not one of device, pair, master, "
		   "wkc, ar, rate");
}

static bool top_key(const char *key)
{
	static const char *const meta[] = {
		"version", "state", "learned_from_ns", "learned_until_ns",
		"entries", "not_stored", "lines", NULL
	};
	unsigned int i;

	for (i = 0; meta[i]; i++)
		if (!strcmp(key, meta[i]))
			return true;
	for (i = BL_DEVICE; i < BL_KIND_END; i++)
		if (!strcmp(key, kind_arrays[i]))
			return true;
	return false;
}

static int read_arrays(struct baseline *bl, const json_t *j, char *err,
		       size_t errlen)
{
	struct bl_entry e;
	char at[48];
	struct where w = { err, errlen, at };
	unsigned int k;
	size_t i;
	json_t *a, *v;

	for (k = BL_DEVICE; k < BL_KIND_END; k++) {
		a = json_object_get(j, kind_arrays[k]);
		if (!a)
			continue;
		if (!json_is_array(a)) {
			snprintf(err, errlen, "%s: not an array",
				 kind_arrays[k]);
			return -1;
		}
		json_array_foreach(a, i, v) {
			snprintf(at, sizeof(at), "%s[%zu]", kind_arrays[k], i);
			if (entry_fields(bl, &w, v, k, &e))
				return -1;
			if (baseline_find(bl, &e))
				return bad(&w, NULL, "a duplicate entry");
			if (!baseline_add(bl, &e)) {
				snprintf(err, errlen, "%s: more than %d entries",
					 at, BL_MAX * 3 / 4);
				return -1;
			}
		}
	}
	return 0;
}

int baseline_from_json(struct baseline *bl, const json_t *j, char *err,
		       size_t errlen)
{
	const char *key;
	json_t *v;
	uint64_t ver;
	struct where w = { err, errlen, "baseline" };

	if (!json_is_object(j)) {
		snprintf(err, errlen, "the baseline is not a JSON object");
		return -1;
	}
	json_object_foreach((json_t *)j, key, v)
		if (!top_key(key)) {
			snprintf(err, errlen, "%s: unknown key", key);
			return -1;
		}
	if (get_num(&w, j, "version", 1000, true, &ver))
		return -1;
	if (ver != BL_VERSION) {
		snprintf(err, errlen, "version: %llu is not %d",
			 (unsigned long long)ver, BL_VERSION);
		return -1;
	}
	baseline_clear(bl);
	bl->nlines = 0;
	if (get_num(&w, j, "learned_from_ns", INT64_MAX, false, &bl->from_ns) ||
	    get_num(&w, j, "learned_until_ns", INT64_MAX, false, &bl->until_ns))
		return -1;
	if (read_arrays(bl, j, err, errlen)) {
		baseline_clear(bl);
		return -1;
	}
	bl->state = BL_PROTECTING;
	bl->gen++;
	return 0;
}
