/*
 * The alert table: fixed slots, a chained hash on (rule, device, link,
 * key), per-rule and global flood windows, and a queue of state changes
 * for the event loop.  One mutex guards it all; every hold is O(1) on the
 * raise path and O(ALERTS_MAX) at most on the loop's tick and drain.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "core/pimutex.h"
#include "decode/decode.h"

#define NBUCKET		2048	/* power of two, > ALERTS_MAX */
#define NIL		0xFFFF
#define GLOBAL_KEY	0xFFFFFFFFULL	/* the all-rules flood summary */

struct slot {
	struct alert a;
	uint16_t next;		/* hash chain */
	uint16_t older, newer;	/* open alerts in opening order */
	bool used;
};

struct window {
	uint64_t start;
	uint32_t n;
};

struct alerts {
	pthread_mutex_t mu;
	struct alerts_opts o;
	uint64_t clock;
	uint64_t next_id;
	uint16_t bucket[NBUCKET];
	uint16_t free_head;
	uint16_t oldest, newest;
	size_t nopen, nregular;
	struct window rule_win[ALERT_RULE_COUNT];
	struct window total_win;
	struct alert_change q[ALERTS_CHANGES];
	size_t qhead, qlen;
	struct alerts_counters ctr;
	struct slot slot[ALERTS_MAX];
};

static void opts_fill(struct alerts_opts *o)
{
	if (!o->flood_window_ns)
		o->flood_window_ns = 600ULL * 1000000000ULL;
	if (!o->flood_rule)
		o->flood_rule = 10;
	if (!o->flood_total)
		o->flood_total = 100;
}

struct alerts *alerts_new(const struct alerts_opts *o)
{
	struct alerts *al = calloc(1, sizeof(*al));
	size_t i;

	if (!al)
		return NULL;
	pimutex_init(&al->mu);
	if (o)
		al->o = *o;
	opts_fill(&al->o);
	al->next_id = 1;
	for (i = 0; i < NBUCKET; i++)
		al->bucket[i] = NIL;
	for (i = 0; i < ALERTS_MAX; i++)
		al->slot[i].next = i + 1 < ALERTS_MAX ? (uint16_t)(i + 1) : NIL;
	al->free_head = 0;
	al->oldest = al->newest = NIL;
	return al;
}

void alerts_free(struct alerts *al)
{
	if (!al)
		return;
	pthread_mutex_destroy(&al->mu);
	free(al);
}

void alerts_set_opts(struct alerts *al, const struct alerts_opts *o)
{
	pthread_mutex_lock(&al->mu);
	al->o = *o;
	opts_fill(&al->o);
	pthread_mutex_unlock(&al->mu);
}

void alerts_set_next_id(struct alerts *al, uint64_t id)
{
	pthread_mutex_lock(&al->mu);
	if (id > al->next_id)
		al->next_id = id;
	pthread_mutex_unlock(&al->mu);
}

/* set by the capture thread, read under the mutex by others: atomic */
static uint64_t clock_of(const struct alerts *al)
{
	return __atomic_load_n(&al->clock, __ATOMIC_RELAXED);
}

void alerts_set_clock(struct alerts *al, uint64_t now_ns)
{
	/* a torn read on the loop thread only shifts a clear by one tick */
	__atomic_store_n(&al->clock, now_ns, __ATOMIC_RELAXED);
}

static unsigned int hash(unsigned int rule, uint32_t dev, uint32_t link,
			 uint64_t key)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL * (rule + 1);

	h ^= (uint64_t)dev * 0xC2B2AE3D27D4EB4FULL;
	h ^= (uint64_t)link * 0x165667B19E3779F9ULL;
	h ^= key * 0xFF51AFD7ED558CCDULL;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	return (unsigned int)(h >> 40) & (NBUCKET - 1);
}

static struct slot *find(struct alerts *al, unsigned int rule, uint32_t dev,
			 uint32_t link, uint64_t key)
{
	uint16_t i = al->bucket[hash(rule, dev, link, key)];

	while (i != NIL) {
		struct slot *s = &al->slot[i];

		if (s->a.rule == rule && s->a.device == dev &&
		    s->a.link == link && s->a.key == key)
			return s;
		i = s->next;
	}
	return NULL;
}

static struct slot *find_id(struct alerts *al, uint64_t id)
{
	uint16_t i;

	for (i = al->oldest; i != NIL; i = al->slot[i].newer)
		if (al->slot[i].a.id == id)
			return &al->slot[i];
	return NULL;
}

static void queue(struct alerts *al, struct slot *s, unsigned int kind,
		  const char *who, const char *comment)
{
	struct alert_change *c;

	s->a.dirty = false;
	if (al->qlen == ALERTS_CHANGES) {
		/* the row still reaches the database through the dirty pass */
		al->ctr.changes_lost++;
		s->a.dirty = kind != ALERT_CH_NORMAL;
		return;
	}
	c = &al->q[(al->qhead + al->qlen++) % ALERTS_CHANGES];
	c->kind = (uint8_t)kind;
	c->clock_ns = clock_of(al);
	snprintf(c->who, sizeof(c->who), "%s", who ? who : "");
	snprintf(c->comment, sizeof(c->comment), "%s", comment ? comment : "");
	c->a = s->a;
}

static struct slot *slot_open(struct alerts *al, bool summary)
{
	uint16_t i = al->free_head;
	struct slot *s;

	if (i == NIL ||
	    (!summary && al->nregular >= ALERTS_MAX - ALERTS_SUMMARY_SLOTS))
		return NULL;
	s = &al->slot[i];
	al->free_head = s->next;
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->older = al->newest;
	s->newer = NIL;
	if (al->newest != NIL)
		al->slot[al->newest].newer = i;
	else
		al->oldest = i;
	al->newest = i;
	al->nopen++;
	if (!summary)
		al->nregular++;
	return s;
}

static void slot_link(struct alerts *al, struct slot *s)
{
	unsigned int h = hash(s->a.rule, s->a.device, s->a.link, s->a.key);

	s->next = al->bucket[h];
	al->bucket[h] = (uint16_t)(s - al->slot);
}

static void slot_close(struct alerts *al, struct slot *s)
{
	uint16_t i = (uint16_t)(s - al->slot);
	unsigned int h = hash(s->a.rule, s->a.device, s->a.link, s->a.key);
	uint16_t *pp = &al->bucket[h];

	while (*pp != NIL && *pp != i)
		pp = &al->slot[*pp].next;
	if (*pp == i)
		*pp = s->next;
	if (s->older != NIL)
		al->slot[s->older].newer = s->newer;
	else
		al->oldest = s->newer;
	if (s->newer != NIL)
		al->slot[s->newer].older = s->older;
	else
		al->newest = s->older;
	al->nopen--;
	if (s->a.rule != ALERT_R_FLOOD)
		al->nregular--;
	s->used = false;
	s->next = al->free_head;
	al->free_head = i;
}

static void to_normal(struct alerts *al, struct slot *s)
{
	s->a.state = ALERT_ST_NORMAL;
	al->ctr.normal++;
	queue(al, s, ALERT_CH_NORMAL, NULL, NULL);
	slot_close(al, s);
}

/* true when one more new alert of rule would be a flood */
static bool flooded(struct alerts *al, unsigned int rule, uint64_t clock,
		    bool *global)
{
	struct window *w = &al->rule_win[rule], *t = &al->total_win;

	if (clock - w->start > al->o.flood_window_ns || clock < w->start) {
		w->start = clock;
		w->n = 0;
	}
	if (clock - t->start > al->o.flood_window_ns || clock < t->start) {
		t->start = clock;
		t->n = 0;
	}
	*global = t->n >= al->o.flood_total;
	if (*global || w->n >= al->o.flood_rule)
		return true;
	w->n++;
	t->n++;
	return false;
}

static void evidence(struct alert *a, const struct alert_ev *ev)
{
	a->last.ts_ns = ev->ts_ns;
	a->last.frame_no = ev->frame_no;
	a->last_ns = ev->ts_ns;
	if (a->nevidence < ALERT_EVIDENCE) {
		a->evidence[a->nevidence].ts_ns = ev->ts_ns;
		a->evidence[a->nevidence].frame_no = ev->frame_no;
		a->nevidence++;
	}
	/* a prediction is refitted as samples come: the latest line */
	if (ev->fit && ev->fit->has)
		a->fit = *ev->fit;
}

/*
 * Labels and details quote frames (station names, file names): kept as
 * printable UTF-8 cut between characters (wire_str), so an alert can
 * neither drive a terminal nor vanish from the JSON.
 */
static void set_text(char *dst, size_t len, const char *s)
{
	wire_str(dst, len, s ? s : "", s ? strlen(s) : 0);
}

static uint64_t repeat(struct alerts *al, struct slot *s,
		       const struct alert_ev *ev, uint64_t clock)
{
	struct alert *a = &s->a;

	al->ctr.repeats++;
	a->count += ev->count ? ev->count : 1;
	a->last_clock = clock;
	evidence(a, ev);
	a->dirty = true;
	if (a->state == ALERT_ST_CLEARED_UNACK) {
		a->state = ALERT_ST_ACTIVE_UNACK;
		queue(al, s, ALERT_CH_RETURNED, NULL, NULL);
	}
	if (ev->severity > a->severity) {
		a->severity = ev->severity;
		/* an escalated alert asks for a new acknowledgement */
		if (a->state == ALERT_ST_ACTIVE_ACK)
			a->state = ALERT_ST_ACTIVE_UNACK;
		if (ev->detail)
			set_text(a->detail, sizeof(a->detail), ev->detail);
		queue(al, s, ALERT_CH_ESCALATED, NULL, NULL);
	}
	return a->id;
}

static uint64_t open_new(struct alerts *al, const struct alert_ev *ev,
			 uint64_t clock, bool summary)
{
	const struct alert_rule *r = alert_rule(ev->rule);
	struct slot *s = slot_open(al, summary);
	struct alert *a;

	if (!s)
		return 0;
	a = &s->a;
	a->id = al->next_id++;
	a->rule = ev->rule;
	a->severity = ev->severity > r->severity ? ev->severity : r->severity;
	a->state = ALERT_ST_ACTIVE_UNACK;
	a->device = ev->device;
	a->link = ev->link;
	a->key = ev->key;
	if (ev->src)
		memcpy(a->src, ev->src, 6);
	if (ev->dst)
		memcpy(a->dst, ev->dst, 6);
	a->first_ns = ev->ts_ns;
	a->first_clock = a->last_clock = clock;
	a->count = ev->count ? ev->count : 1;
	a->first.ts_ns = ev->ts_ns;
	a->first.frame_no = ev->frame_no;
	evidence(a, ev);
	set_text(a->label, sizeof(a->label), ev->label);
	set_text(a->detail, sizeof(a->detail), ev->detail);
	slot_link(al, s);
	al->ctr.opened++;
	queue(al, s, ALERT_CH_RAISED, NULL, NULL);
	return a->id;
}

/* Fold ev into the flood summary of its rule (or of all rules). */
static uint64_t fold(struct alerts *al, const struct alert_ev *ev,
		     uint64_t clock, bool global)
{
	struct alert_ev f = *ev;
	char detail[ALERT_DETAIL_MAX];
	struct slot *s;

	al->ctr.flooded++;
	f.rule = ALERT_R_FLOOD;
	f.severity = 0;
	f.device = 0;
	f.link = 0;
	f.label = NULL;
	f.key = global ? GLOBAL_KEY : ev->rule;
	s = find(al, f.rule, 0, 0, f.key);
	if (s)
		return repeat(al, s, &f, clock);
	if (global)
		snprintf(detail, sizeof(detail), "more than %u new alerts "
			 "within %llu s; further ones are counted here",
			 al->o.flood_total,
			 (unsigned long long)(al->o.flood_window_ns /
					      1000000000ULL));
	else
		snprintf(detail, sizeof(detail), "more than %u new %s alerts "
			 "within %llu s; further ones are counted here",
			 al->o.flood_rule, alert_rule(ev->rule)->id,
			 (unsigned long long)(al->o.flood_window_ns /
					      1000000000ULL));
	f.detail = detail;
	return open_new(al, &f, clock, true);
}

uint64_t alerts_raise(struct alerts *al, const struct alert_ev *ev)
{
	uint64_t clock, id;
	struct slot *s;
	bool global;

	if (ev->rule >= ALERT_RULE_COUNT)
		return 0;
	pthread_mutex_lock(&al->mu);
	clock = clock_of(al);
	if (!clock)
		clock = ev->ts_ns;
	al->ctr.raised++;
	s = find(al, ev->rule, ev->device, ev->link, ev->key);
	if (s)
		id = repeat(al, s, ev, clock);
	else if (ev->rule != ALERT_R_FLOOD &&
		 flooded(al, ev->rule, clock, &global))
		id = fold(al, ev, clock, global);
	else {
		id = open_new(al, ev, clock, ev->rule == ALERT_R_FLOOD);
		if (!id)
			id = fold(al, ev, clock, true);
	}
	if (!id)
		al->ctr.full++;
	pthread_mutex_unlock(&al->mu);
	return id;
}

static void clear_slot(struct alerts *al, struct slot *s)
{
	al->ctr.cleared++;
	if (s->a.state == ALERT_ST_ACTIVE_ACK) {
		to_normal(al, s);
	} else if (s->a.state == ALERT_ST_ACTIVE_UNACK) {
		s->a.state = ALERT_ST_CLEARED_UNACK;
		queue(al, s, ALERT_CH_CLEARED, NULL, NULL);
	}
}

void alerts_clear(struct alerts *al, unsigned int rule, uint32_t device,
		  uint32_t link, uint64_t key)
{
	struct slot *s;

	pthread_mutex_lock(&al->mu);
	s = find(al, rule, device, link, key);
	if (s)
		clear_slot(al, s);
	pthread_mutex_unlock(&al->mu);
}

void alerts_note(struct alerts *al, uint64_t id, const char *note)
{
	struct slot *s;

	pthread_mutex_lock(&al->mu);
	s = id ? find_id(al, id) : NULL;
	if (s && strcmp(s->a.note, note)) {
		snprintf(s->a.note, sizeof(s->a.note), "%s", note);
		queue(al, s, ALERT_CH_NOTE, NULL, note);
	}
	pthread_mutex_unlock(&al->mu);
}

void alerts_tick(struct alerts *al, uint64_t now_ns, uint64_t wall_ns)
{
	uint16_t i, next;

	pthread_mutex_lock(&al->mu);
	if (!now_ns)
		now_ns = clock_of(al);
	for (i = al->oldest; i != NIL; i = next) {
		struct slot *s = &al->slot[i];
		const struct alert_rule *r = alert_rule(s->a.rule);

		next = s->newer;
		if (s->a.shelved_until_ns && wall_ns &&
		    wall_ns >= s->a.shelved_until_ns) {
			s->a.shelved_until_ns = 0;
			queue(al, s, ALERT_CH_UNSHELVED, "-", "shelf expired");
		}
		if (r->clear_s && now_ns > s->a.last_clock &&
		    now_ns - s->a.last_clock >= r->clear_s * 1000000000ULL &&
		    (s->a.state == ALERT_ST_ACTIVE_UNACK ||
		     s->a.state == ALERT_ST_ACTIVE_ACK))
			clear_slot(al, s);
	}
	pthread_mutex_unlock(&al->mu);
}

int alerts_ack(struct alerts *al, uint64_t id, const char *who,
	       const char *comment, uint64_t wall_ns)
{
	struct slot *s;
	int rc = ALERT_OP_OK;

	pthread_mutex_lock(&al->mu);
	s = find_id(al, id);
	if (!s) {
		rc = ALERT_OP_NO_ALERT;
	} else if (s->a.state == ALERT_ST_ACTIVE_ACK) {
		rc = ALERT_OP_REFUSED;
	} else {
		s->a.ack_ns = wall_ns;
		snprintf(s->a.ack_by, sizeof(s->a.ack_by), "%s", who);
		if (s->a.state == ALERT_ST_ACTIVE_UNACK) {
			s->a.state = ALERT_ST_ACTIVE_ACK;
			queue(al, s, ALERT_CH_ACKED, who, comment);
		} else {
			/* cleared-unack: the ack ends it */
			queue(al, s, ALERT_CH_ACKED, who, comment);
			to_normal(al, s);
		}
	}
	pthread_mutex_unlock(&al->mu);
	return rc;
}

/* shelve until until_ns, or unshelve (0); comment only (keep) */
static int annotate(struct alerts *al, uint64_t id, unsigned int kind,
		    uint64_t until_ns, const char *who, const char *comment)
{
	struct slot *s;
	int rc = ALERT_OP_OK;

	pthread_mutex_lock(&al->mu);
	s = find_id(al, id);
	if (!s) {
		rc = ALERT_OP_NO_ALERT;
	} else if (kind == ALERT_CH_UNSHELVED && !s->a.shelved_until_ns) {
		rc = ALERT_OP_REFUSED;
	} else {
		if (kind != ALERT_CH_COMMENT)
			s->a.shelved_until_ns = until_ns;
		queue(al, s, kind, who, comment);
	}
	pthread_mutex_unlock(&al->mu);
	return rc;
}

int alerts_shelve(struct alerts *al, uint64_t id, uint64_t until_ns,
		  const char *who, const char *comment)
{
	return annotate(al, id, ALERT_CH_SHELVED, until_ns, who, comment);
}

int alerts_unshelve(struct alerts *al, uint64_t id, const char *who,
		    const char *comment)
{
	return annotate(al, id, ALERT_CH_UNSHELVED, 0, who, comment);
}

int alerts_comment(struct alerts *al, uint64_t id, const char *who,
		   const char *comment)
{
	return annotate(al, id, ALERT_CH_COMMENT, 0, who, comment);
}

int alerts_restore(struct alerts *al, const struct alert *a)
{
	struct slot *s;
	int rc = -1;

	if (a->rule >= ALERT_RULE_COUNT || a->state == ALERT_ST_NORMAL)
		return -1;
	pthread_mutex_lock(&al->mu);
	if (!find(al, a->rule, a->device, a->link, a->key) &&
	    (s = slot_open(al, a->rule == ALERT_R_FLOOD))) {
		s->a = *a;
		s->a.dirty = false;
		slot_link(al, s);
		if (a->id >= al->next_id)
			al->next_id = a->id + 1;
		rc = 0;
	}
	pthread_mutex_unlock(&al->mu);
	return rc;
}

size_t alerts_snapshot(struct alerts *al, struct alert *out, size_t max)
{
	size_t n = 0;
	uint16_t i;

	pthread_mutex_lock(&al->mu);
	for (i = al->oldest; i != NIL && n < max; i = al->slot[i].newer)
		out[n++] = al->slot[i].a;
	pthread_mutex_unlock(&al->mu);
	return n;
}

int alerts_get(struct alerts *al, uint64_t id, struct alert *out)
{
	struct slot *s;

	pthread_mutex_lock(&al->mu);
	s = find_id(al, id);
	if (s)
		*out = s->a;
	pthread_mutex_unlock(&al->mu);
	return s ? 0 : -1;
}

size_t alerts_open_count(struct alerts *al)
{
	size_t n;

	pthread_mutex_lock(&al->mu);
	n = al->nopen;
	pthread_mutex_unlock(&al->mu);
	return n;
}

void alerts_active_counts(struct alerts *al, uint64_t counts[4])
{
	uint16_t i;

	memset(counts, 0, 4 * sizeof(counts[0]));
	pthread_mutex_lock(&al->mu);
	for (i = al->oldest; i != NIL; i = al->slot[i].newer) {
		const struct alert *a = &al->slot[i].a;

		if (a->shelved_until_ns || a->severity > ALERT_SEV_CRITICAL)
			continue;
		if (a->state == ALERT_ST_ACTIVE_UNACK ||
		    a->state == ALERT_ST_ACTIVE_ACK)
			counts[a->severity]++;
	}
	pthread_mutex_unlock(&al->mu);
}

size_t alerts_drain(struct alerts *al, struct alert_change *out, size_t max)
{
	size_t n = 0;
	uint16_t i;

	pthread_mutex_lock(&al->mu);
	while (al->qlen && n < max) {
		out[n++] = al->q[al->qhead];
		al->qhead = (al->qhead + 1) % ALERTS_CHANGES;
		al->qlen--;
	}
	for (i = al->oldest; i != NIL && n < max; i = al->slot[i].newer) {
		struct slot *s = &al->slot[i];

		if (!s->a.dirty)
			continue;
		s->a.dirty = false;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].kind = ALERT_CH_UPDATED;
		out[n].clock_ns = clock_of(al);
		out[n].a = s->a;
		n++;
	}
	pthread_mutex_unlock(&al->mu);
	return n;
}

void alerts_get_counters(struct alerts *al, struct alerts_counters *out)
{
	pthread_mutex_lock(&al->mu);
	*out = al->ctr;
	pthread_mutex_unlock(&al->mu);
}
