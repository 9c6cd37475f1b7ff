/*
 * Devices and signals from outside the capture (model.h, "external"):
 * devices iiotd polls itself, such as Modbus TCP devices (daemon/south).
 * Their signals are one more block after the mapping file's, so that
 * everything downstream (sink, store, analytics, charts) takes them as it
 * takes captured ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"

uint32_t model_ext_device(struct model *m, unsigned int kind,
			  const char *name, uint32_t ip, uint64_t now_ns)
{
	struct model_device *d;
	size_t i;

	for (i = 0; i < m->ndevs; i++) {
		d = &m->devs[i];
		if (d->kind == kind && (d->has & MODEL_HAS_NAME) &&
		    !strcmp(d->station_name, name))
			return d->id;
	}
	d = mdev_new(m, kind, now_ns);
	if (!d)
		return 0;
	snprintf(d->station_name, sizeof(d->station_name), "%s", name);
	d->has |= MODEL_HAS_NAME;
	if (ip) {
		d->ip = ip;
		d->has |= MODEL_HAS_IP;
	}
	/* configured by an engineer: admitted, and kept */
	d->lifecycle = MODEL_LC_COMMISSIONED;
	d->online = false;
	m->dpriv[d->id - 1].linked = 1;
	mdev_event(m, d, MODEL_EV_DISCOVERED, now_ns, "%s %s (configured)",
		   model_kind_name(kind), name);
	return d->id;
}

void model_ext_device_state(struct model *m, uint32_t id, bool online,
			    uint64_t errors, const char *why,
			    uint64_t now_ns)
{
	struct model_device *d;

	if (!id || id > m->ndevs)
		return;
	d = &m->devs[id - 1];
	d->errors = errors;
	if (online) {
		d->last_seen_ns = now_ns;
		if (!d->first_seen_ns)
			d->first_seen_ns = now_ns;
		m->dpriv[id - 1].last_rx_ns = m->rx_now ? m->rx_now : now_ns;
	}
	if (online == d->online)
		return;
	d->online = online;
	mdev_event(m, d, online ? MODEL_EV_ONLINE : MODEL_EV_OFFLINE, now_ns,
		   "%s", why ? why : "");
}

int msig_add_ext(struct model *m)
{
	size_t n = m->nfile + m->next, i;
	struct model_sigdefs *d;
	void *a;

	if (!m->next)
		return 0;
	/* a new table: snapshots still read the one they hold */
	if (!(d = msig_block(n)))
		return -1;
	if (m->nfile)
		memcpy(d->sig, m->sigs, m->nfile * sizeof(d->sig[0]));
	a = realloc(m->spriv, n * sizeof(*m->spriv));
	if (!a) {
		model_sigdefs_drop(d);
		return -1;
	}
	m->spriv = a;
	msig_install(m, d);
	for (i = 0; i < m->next; i++) {
		struct model_signal *s = &m->sigs[m->nfile + i];

		*s = m->ext[i];
		s->id = (uint32_t)(m->nfile + i + 1);
		memset(&m->spriv[m->nfile + i], 0, sizeof(m->spriv[0]));
	}
	m->nsigs = n;
	m->sig_gen++;
	return 0;
}

/* defs' names against the mapping file's and the first next external
 * signals; too many signals: -1 with err */
static int ext_check(const struct model *m, const struct model_signal *defs,
		     size_t n, size_t next, char *err, size_t errlen)
{
	size_t i, j;

	if (m->nfile + next + n > MODEL_MAX_SIGNALS) {
		snprintf(err, errlen, "more than %d signals", MODEL_MAX_SIGNALS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < m->nfile; j++)
			if (!strcmp(defs[i].name, m->sigs[j].name)) {
				snprintf(err, errlen, "signal '%s' is already "
					 "the mapping file's (line %d)",
					 defs[i].name, m->sigs[j].line);
				return -1;
			}
		for (j = 0; j < next; j++)
			if (!strcmp(defs[i].name, m->ext[j].name)) {
				snprintf(err, errlen, "signal '%s' is already "
					 "another device's", defs[i].name);
				return -1;
			}
	}
	return 0;
}

/* m->ext's first n as the signals after the mapping file's */
static int ext_install(struct model *m, size_t n, char *err, size_t errlen)
{
	m->next = n;
	m->nsigs = m->nfile;
	m->sig_gen++;
	if (msig_add_ext(m)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int model_ext_signals(struct model *m, const struct model_signal *defs,
		      size_t n, char *err, size_t errlen)
{
	struct model_signal *ext = NULL;
	size_t i;

	if (ext_check(m, defs, n, 0, err, errlen))
		return -1;
	if (n) {
		ext = calloc(n, sizeof(*ext));
		if (!ext) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memcpy(ext, defs, n * sizeof(*ext));
	}
	for (i = 0; i < n; i++) {
		ext[i].samples = 0;
		ext[i].last_ns = 0;
		ext[i].last = 0;
	}
	free(m->ext);
	m->ext = ext;
	return ext_install(m, n, err, errlen);
}

int model_ext_signals_add(struct model *m, const struct model_signal *defs,
			  size_t n, size_t *base, char *err, size_t errlen)
{
	struct model_signal *ext;
	size_t i, old = m->next;

	*base = old;
	if (ext_check(m, defs, n, old, err, errlen))
		return -1;
	if (!n)
		return 0;
	ext = realloc(m->ext, (old + n) * sizeof(*ext));
	if (!ext) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->ext = ext;
	/* the signals there are keep their values and counts */
	for (i = 0; i < old && m->nfile + i < m->nsigs; i++)
		ext[i] = m->sigs[m->nfile + i];
	memcpy(ext + old, defs, n * sizeof(*ext));
	for (i = old; i < old + n; i++) {
		ext[i].samples = 0;
		ext[i].last_ns = 0;
		ext[i].last = 0;
	}
	return ext_install(m, old + n, err, errlen);
}

uint32_t model_ext_signal_id(const struct model *m, size_t idx)
{
	return idx < m->next && m->nfile + idx < m->nsigs ?
	       (uint32_t)(m->nfile + idx + 1) : 0;
}

void model_ext_sample(struct model *m, size_t idx, uint64_t ts_ns,
		      double v)
{
	struct model_signal *s;
	struct model_sample smp;

	if (idx >= m->next || m->nfile + idx >= m->nsigs)
		return;
	s = &m->sigs[m->nfile + idx];
	msig_sample(m, m->nfile + idx, v, ts_ns);
	if (!m->sink.sample)
		return;
	smp.signal = s->id;
	smp.ts_ns = ts_ns;
	smp.value = v;
	if (!m->sink.sample(m->sink.arg, &smp))
		m->ctr.samples_dropped++;
}
