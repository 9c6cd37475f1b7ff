/*
 * Signal mapping file: one signal a line, whitespace separated,
 *
 *	NAME  DEVICE  OFFSET  TYPE  [SCALE [UNIT]]
 *
 * DEVICE is "pn:STATION-NAME", "pn:MAC" (optionally "@FRAMEID", e.g.
 * pn:et200sp-1@0x8001): the cyclic data a PROFINET device sends, OFFSET
 * counted from the first byte after the FrameID; or "ecat" / "ecat:MAC":
 * EtherCAT process data as it returns to a master (any master for "ecat"),
 * OFFSET being the logical address.  TYPE: u8 i8 u16 i16 u32 i32 f32 with
 * an optional "be"/"le" suffix (default le), or bitN (N = 0..7).
 * '#' starts a comment.  Errors name the line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/conf.h"
#include "model/model_int.h"

#define SIGMAP_MAX_LINE		1024
#define SIGMAP_MAX_FILE		(16U << 20)
/*
 * Where a signal can lie at all: PROFINET cyclic data fits an Ethernet
 * payload (1500 bytes) after the FrameID (2) and before the APDU status
 * (4); EtherCAT logical addresses are 32 bits.
 */
#define SIGMAP_PN_MAX_END	1494ULL
#define SIGMAP_ECAT_MAX_END	(1ULL << 32)

static const struct {
	const char *name;
	uint8_t type;
} sig_types[] = {
	{ "u8", SIG_U8 }, { "i8", SIG_I8 },
	{ "u16", SIG_U16LE }, { "u16le", SIG_U16LE }, { "u16be", SIG_U16BE },
	{ "i16", SIG_I16LE }, { "i16le", SIG_I16LE }, { "i16be", SIG_I16BE },
	{ "u32", SIG_U32LE }, { "u32le", SIG_U32LE }, { "u32be", SIG_U32BE },
	{ "i32", SIG_I32LE }, { "i32le", SIG_I32LE }, { "i32be", SIG_I32BE },
	{ "f32", SIG_F32LE }, { "f32le", SIG_F32LE }, { "f32be", SIG_F32BE },
};

const char *sig_type_name(unsigned int t)
{
	static const char *const n[] = { "?", "u8", "i8", "u16le", "u16be",
		"i16le", "i16be", "u32le", "u32be", "i32le", "i32be",
		"f32le", "f32be", "bit" };

	return t < SIG_TYPE_COUNT ? n[t] : "?";
}

unsigned int sig_type_size(unsigned int t)
{
	switch (t) {
	case SIG_U8: case SIG_I8: case SIG_BIT:
		return 1;
	case SIG_U16LE: case SIG_U16BE: case SIG_I16LE: case SIG_I16BE:
		return 2;
	default:
		return 4;
	}
}

void model_set_sample_interval(struct model *m, uint64_t ns)
{
	m->sample_interval_ns = ns;
}

/* A table for n signals, unfilled, one reference: the caller's. */
struct model_sigdefs *msig_block(size_t n)
{
	struct model_sigdefs *d;

	d = malloc(sizeof(*d) + (n ? n : 1) * sizeof(d->sig[0]));
	if (!d)
		return NULL;
	d->refs = 1;
	d->n = n;
	return d;
}

/* d becomes m's signal table; snapshots keep the one they hold. */
void msig_install(struct model *m, struct model_sigdefs *d)
{
	model_sigdefs_drop(m->defs);
	m->defs = d;
	m->sigs = d->sig;
}

void msig_free(struct model *m)
{
	size_t i;

	model_sigdefs_drop(m->defs);
	m->defs = NULL;
	free(m->spriv);
	free(m->ecat_any_sigs);
	m->sigs = NULL;
	m->spriv = NULL;
	m->ecat_any_sigs = NULL;
	m->nsigs = m->nfile = m->n_ecat_any = 0;
	m->sig_gen++;		/* snapshots copy the definitions anew */
	for (i = 0; i < m->ndevs; i++) {
		free(m->dpriv[i].ecat_sigs);
		m->dpriv[i].ecat_sigs = NULL;
		m->dpriv[i].n_ecat_sigs = 0;
		m->dpriv[i].sig_head = 0;
	}
}

static int parse_selector(const char *s, struct model_signal *sig,
			  struct msig_priv *p, char *why, size_t whylen)
{
	const char *at;
	char name[MODEL_STATION_MAX];
	size_t len;

	if (!strcmp(s, "ecat")) {
		p->ecat = 1;
		p->any_master = 1;
		return 0;
	}
	if (!strncmp(s, "ecat:", 5)) {
		p->ecat = 1;
		if (model_parse_mac(s + 5, p->mac)) {
			snprintf(why, whylen, "'%s': expected ecat:MAC", s);
			return -1;
		}
		p->has_mac = 1;
		return 0;
	}
	if (strncmp(s, "pn:", 3)) {
		snprintf(why, whylen, "device '%.60s': expected pn:NAME, pn:MAC, "
			 "ecat or ecat:MAC", s);
		return -1;
	}
	s += 3;
	at = strchr(s, '@');
	len = at ? (size_t)(at - s) : strlen(s);
	if (!len || len >= sizeof(name)) {
		snprintf(why, whylen, "station name empty or too long");
		return -1;
	}
	memcpy(name, s, len);
	name[len] = '\0';
	if (at) {
		uint64_t fid;

		if (conf_parse_u64(at + 1, &fid) || !fid ||
		    fid > 0xffff) {
			snprintf(why, whylen, "bad FrameID '%s'", at + 1);
			return -1;
		}
		p->frame_id = (uint16_t)fid;
	}
	if (!model_parse_mac(name, p->mac))
		p->has_mac = 1;
	p->name_len = (uint16_t)len;
	(void)sig;
	return 0;
}

static int parse_type(const char *s, struct model_signal *sig)
{
	size_t i;

	if (!strncmp(s, "bit", 3) && s[3] >= '0' && s[3] <= '7' && !s[4]) {
		sig->type = SIG_BIT;
		sig->bit = (uint8_t)(s[3] - '0');
		return 0;
	}
	for (i = 0; i < sizeof(sig_types) / sizeof(sig_types[0]); i++)
		if (!strcmp(s, sig_types[i].name)) {
			sig->type = sig_types[i].type;
			return 0;
		}
	return -1;
}

/* A signal no frame can hold is a mistake in the map: say so. */
static int check_end(const struct model_signal *sig,
		     const struct msig_priv *p, const char *off,
		     char *why, size_t whylen)
{
	uint64_t end = (uint64_t)sig->offset + sig_type_size(sig->type);
	uint64_t max = p->ecat ? SIGMAP_ECAT_MAX_END : SIGMAP_PN_MAX_END;

	if (end <= max)
		return 0;
	snprintf(why, whylen, "offset %s: a %s there ends at byte %llu, "
		 "beyond %s (%llu bytes)", off, sig_type_name(sig->type),
		 (unsigned long long)end,
		 p->ecat ? "the EtherCAT logical address space" :
		 "the cyclic data of a PROFINET frame",
		 (unsigned long long)max);
	return -1;
}

/* One line into sig/p; 1 for blank, 0 ok, -1 with why. */
static int parse_sig_line(char *line, struct model_signal *sig,
			  struct msig_priv *p, char *why, size_t whylen)
{
	char *tok[7], *save = NULL, *h;
	uint64_t off;
	int n = 0;

	h = strchr(line, '#');
	if (h)
		*h = '\0';
	for (h = strtok_r(line, " \t\r", &save); h && n < 7;
	     h = strtok_r(NULL, " \t\r", &save))
		tok[n++] = h;
	if (n == 0)
		return 1;
	if (n < 4 || n > 6) {
		snprintf(why, whylen, "expected NAME DEVICE OFFSET TYPE "
			 "[SCALE [UNIT]], got %d field%s", n,
			 n == 1 ? "" : "s");
		return -1;
	}
	if (strlen(tok[0]) >= sizeof(sig->name)) {
		snprintf(why, whylen, "name longer than %zu bytes",
			 sizeof(sig->name) - 1);
		return -1;
	}
	strcpy(sig->name, tok[0]);
	if (strlen(tok[1]) >= sizeof(sig->device)) {
		snprintf(why, whylen, "device longer than %zu bytes",
			 sizeof(sig->device) - 1);
		return -1;
	}
	strcpy(sig->device, tok[1]);
	if (parse_selector(tok[1], sig, p, why, whylen))
		return -1;
	if (conf_parse_u64(tok[2], &off) || off > UINT32_MAX) {
		snprintf(why, whylen, "offset '%s' is not a number (0..%u)",
			 tok[2], UINT32_MAX);
		return -1;
	}
	sig->offset = (uint32_t)off;
	if (parse_type(tok[3], sig)) {
		snprintf(why, whylen, "unknown type '%s' (u8 i8 u16 i16 u32 "
			 "i32 f32 [+be/le], bit0..bit7)", tok[3]);
		return -1;
	}
	if (check_end(sig, p, tok[2], why, whylen))
		return -1;
	sig->scale = 1.0;
	if (n >= 5) {
		char *end;

		errno = 0;
		sig->scale = strtod(tok[4], &end);
		if (errno || *end || !isfinite(sig->scale)) {
			snprintf(why, whylen, "scale '%s' is not a number",
				 tok[4]);
			return -1;
		}
	}
	if (n == 6) {
		if (strlen(tok[5]) >= sizeof(sig->unit)) {
			snprintf(why, whylen, "unit longer than %zu bytes",
				 sizeof(sig->unit) - 1);
			return -1;
		}
		strcpy(sig->unit, tok[5]);
	}
	return 0;
}

static int cmp_sig_name(const void *a, const void *b, void *arg)
{
	const struct model_signal *sigs = arg;

	return strcmp(sigs[*(const uint32_t *)a].name,
		      sigs[*(const uint32_t *)b].name);
}

static int cmp_sig_off(const void *a, const void *b, void *arg)
{
	const struct model *m = arg;
	uint32_t x = m->sigs[*(const uint32_t *)a].offset;
	uint32_t y = m->sigs[*(const uint32_t *)b].offset;

	return x < y ? -1 : x > y;
}

void msig_bind(struct model *m, struct model_device *dev)
{
	struct mdev_priv *dp = mdev_priv(m, dev);
	size_t i;

	for (i = 0; i < m->nsigs; i++) {
		struct model_signal *s = &m->sigs[i];
		struct msig_priv *p = &m->spriv[i];
		bool match;

		if (s->dev_id || p->any_master)
			continue;
		if (p->ecat) {
			match = dev->kind == MODEL_DEV_ECAT_MASTER &&
				!memcmp(dev->mac, p->mac, 6);
		} else {
			match = (dev->kind == MODEL_DEV_PN_DEVICE ||
				 dev->kind == MODEL_DEV_PN_CONTROLLER) &&
				(p->has_mac ? !memcmp(dev->mac, p->mac, 6) :
				 (dev->has & MODEL_HAS_NAME) &&
				 strlen(dev->station_name) == p->name_len &&
				 !memcmp(dev->station_name, s->device + 3,
					 p->name_len));
		}
		if (!match)
			continue;
		s->dev_id = dev->id;
		if (p->ecat) {
			uint32_t *n = realloc(dp->ecat_sigs,
				(dp->n_ecat_sigs + 1) * sizeof(*n));

			if (!n)
				continue;
			dp->ecat_sigs = n;
			n[dp->n_ecat_sigs++] = (uint32_t)i;
		} else {
			p->next = dp->sig_head;
			dp->sig_head = (uint32_t)i + 1;
		}
	}
	if (dp->n_ecat_sigs > 1)
		qsort_r(dp->ecat_sigs, dp->n_ecat_sigs, sizeof(uint32_t),
			cmp_sig_off, m);
}

int model_parse_signals(struct model *m, const char *text, size_t len,
			const char *name, char *err, size_t errlen)
{
	struct model_signal *sigs = NULL;
	struct model_sigdefs *d;
	struct msig_priv *spriv = NULL;
	size_t n = 0, cap = 0, i, j;
	const char *p = text, *end = text + len, *nl;
	char line[SIGMAP_MAX_LINE], why[160];
	int lineno = 0;

	while (p < end) {
		size_t l;
		int r;

		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (l >= sizeof(line)) {
			snprintf(err, errlen, "%s:%d: line longer than %d "
				 "bytes", name, lineno, SIGMAP_MAX_LINE - 1);
			goto fail;
		}
		memcpy(line, p, l);
		line[l] = '\0';
		p += l + (nl ? 1 : 0);
		if (memchr(line, '\0', l)) {
			snprintf(err, errlen, "%s:%d: NUL byte in line", name,
				 lineno);
			goto fail;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			void *a = realloc(sigs, nc * sizeof(*sigs));

			if (!a)
				goto oom;
			sigs = a;
			a = realloc(spriv, nc * sizeof(*spriv));
			if (!a)
				goto oom;
			spriv = a;
			cap = nc;
		}
		memset(&sigs[n], 0, sizeof(sigs[n]));
		memset(&spriv[n], 0, sizeof(spriv[n]));
		r = parse_sig_line(line, &sigs[n], &spriv[n], why,
				   sizeof(why));
		if (r < 0) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, why);
			goto fail;
		}
		if (r > 0)
			continue;
		if (n >= MODEL_MAX_SIGNALS) {
			snprintf(err, errlen, "%s:%d: more than %d signals",
				 name, lineno, MODEL_MAX_SIGNALS);
			goto fail;
		}
		sigs[n].line = lineno;
		sigs[n].id = (uint32_t)n + 1;
		n++;
	}
	/* duplicate names would make samples ambiguous */
	if (n > 1) {
		uint32_t *idx = malloc(n * sizeof(*idx));

		if (!idx)
			goto oom;
		for (i = 0; i < n; i++)
			idx[i] = (uint32_t)i;
		qsort_r(idx, n, sizeof(*idx), cmp_sig_name, sigs);
		for (i = 1; i < n; i++)
			if (!strcmp(sigs[idx[i]].name, sigs[idx[i - 1]].name))
				break;
		if (i < n) {
			j = idx[i] > idx[i - 1] ? idx[i] : idx[i - 1];
			snprintf(err, errlen, "%s:%d: signal '%s' already "
				 "defined on line %d", name, sigs[j].line,
				 sigs[j].name,
				 sigs[idx[i] + idx[i - 1] - j].line);
			free(idx);
			goto fail;
		}
		free(idx);
	}
	/*
	 * Into a block of its exact size, shared with the snapshots: the
	 * parse array (doubling, 16,384 slots for 10,000 signals) goes back
	 * now, and snapshots need no copy of their own.
	 */
	if (!(d = msig_block(n)))
		goto oom;
	if (n)
		memcpy(d->sig, sigs, n * sizeof(*sigs));
	free(sigs);
	msig_free(m);
	msig_install(m, d);
	m->spriv = spriv;
	m->nsigs = n;
	m->nfile = n;
	for (i = 0; i < n; i++)
		if (spriv[i].any_master) {
			uint32_t *a = realloc(m->ecat_any_sigs,
				(m->n_ecat_any + 1) * sizeof(*a));

			if (!a)
				return -1;
			m->ecat_any_sigs = a;
			a[m->n_ecat_any++] = (uint32_t)i;
		}
	if (m->n_ecat_any > 1)
		qsort_r(m->ecat_any_sigs, m->n_ecat_any, sizeof(uint32_t),
			cmp_sig_off, m);
	for (i = 0; i < m->ndevs; i++)
		msig_bind(m, &m->devs[i]);
	if (msig_add_ext(m)) {
		snprintf(err, errlen, "%s: out of memory for %zu external "
			 "signals", name, m->next);
		return -1;
	}
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", name);
fail:
	free(sigs);
	free(spriv);
	return -1;
}

/* path's bytes (malloc'd, *len of them, room for extra after), or NULL */
static char *read_map(const char *path, size_t extra, size_t *len,
		      char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > SIGMAP_MAX_FILE) {
		snprintf(err, errlen, "%s: not a regular file of at most %u "
			 "bytes", path, SIGMAP_MAX_FILE);
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + extra + 2);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return buf;
}

/* 1 when text has a signal line whose NAME is the l bytes at name */
static int has_name(const char *text, size_t len, const char *name, size_t l)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) > l && !memcmp(p, name, l) &&
		    (p[l] == ' ' || p[l] == '\t'))
			return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* extra's lines after buf's len bytes, but those naming a signal buf has */
static size_t append_extra(char *buf, size_t len, const char *extra)
{
	size_t out = len, flen = len;
	const char *p = extra;

	if (out && buf[out - 1] != '\n')
		buf[out++] = '\n';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) + 1 : strlen(p);
		size_t nl_ = strcspn(p, " \t\n");

		if (!nl_ || !has_name(buf, flen, p, nl_)) {
			memcpy(buf + out, p, ll);
			out += ll;
		}
		p += ll;
	}
	return out;
}

int model_load_signals_with(struct model *m, const char *path,
			    const char *extra, char *err, size_t errlen)
{
	size_t xl = extra ? strlen(extra) : 0, len = 0;
	char *buf;
	int rc;

	if (path) {
		buf = read_map(path, xl, &len, err, errlen);
		if (!buf)
			return -1;
	} else {
		buf = malloc(xl + 2);
		if (!buf) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (extra)
		len = append_extra(buf, len, extra);
	rc = model_parse_signals(m, buf, len, path ? path : "(descriptions)",
				 err, errlen);
	free(buf);
	return rc;
}

int model_load_signals(struct model *m, const char *path, char *err,
		       size_t errlen)
{
	return model_load_signals_with(m, path, NULL, err, errlen);
}

static double sig_value(const struct model_signal *s, const uint8_t *p)
{
	union { uint32_t u; float f; } fu;
	double v;

	switch (s->type) {
	case SIG_U8: v = p[0]; break;
	case SIG_I8: v = (int8_t)p[0]; break;
	case SIG_BIT: v = (p[0] >> s->bit) & 1; break;
	case SIG_U16LE: v = (uint16_t)(p[0] | p[1] << 8); break;
	case SIG_U16BE: v = (uint16_t)(p[1] | p[0] << 8); break;
	case SIG_I16LE: v = (int16_t)(p[0] | p[1] << 8); break;
	case SIG_I16BE: v = (int16_t)(p[1] | p[0] << 8); break;
	case SIG_U32LE: case SIG_I32LE: case SIG_F32LE:
		fu.u = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		v = s->type == SIG_U32LE ? (double)fu.u :
		    s->type == SIG_I32LE ? (double)(int32_t)fu.u :
		    (double)fu.f;
		break;
	default:
		fu.u = (uint32_t)p[3] | (uint32_t)p[2] << 8 |
		       (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
		v = s->type == SIG_U32BE ? (double)fu.u :
		    s->type == SIG_I32BE ? (double)(int32_t)fu.u :
		    (double)fu.f;
		break;
	}
	return v * s->scale + s->add;
}

static void emit(struct model *m, uint32_t i, const uint8_t *p, uint64_t ts)
{
	struct model_signal *s = &m->sigs[i];
	struct msig_priv *sp = &m->spriv[i];
	struct model_sample smp;

	if (m->sample_interval_ns && sp->last_sample_ns &&
	    ts >= sp->last_sample_ns &&
	    ts - sp->last_sample_ns < m->sample_interval_ns)
		return;
	sp->last_sample_ns = ts;
	msig_sample(m, i, sig_value(s, p), ts);
	if (!m->sink.sample)
		return;
	smp.signal = s->id;
	smp.ts_ns = ts;
	smp.value = s->last;
	if (!m->sink.sample(m->sink.arg, &smp))
		m->ctr.samples_dropped++;
}

/* Signals from head (mdev_priv.sig_head) on in a device's PN payload. */
void msig_pn_emit(struct model *m, uint32_t head, uint16_t frame_id,
		  const uint8_t *p, uint32_t len, uint64_t ts)
{
	uint32_t i = head;

	while (i) {
		const struct model_signal *s = &m->sigs[i - 1];
		const struct msig_priv *sp = &m->spriv[i - 1];

		/* 64 bits: an offset near UINT32_MAX must not wrap */
		if ((!sp->frame_id || sp->frame_id == frame_id) &&
		    (uint64_t)s->offset + sig_type_size(s->type) <= len)
			emit(m, i - 1, p + s->offset, ts);
		i = sp->next;
	}
}

static void ecat_range(struct model *m, const uint32_t *v, uint32_t n,
		       uint32_t lad, const uint8_t *p, uint32_t len,
		       uint64_t ts)
{
	uint32_t lo = 0, hi = n;
	uint64_t endaddr = (uint64_t)lad + len;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (m->sigs[v[mid]].offset < lad)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n; lo++) {
		const struct model_signal *s = &m->sigs[v[lo]];

		if (s->offset >= endaddr)
			break;
		if ((uint64_t)s->offset + sig_type_size(s->type) <= endaddr)
			emit(m, v[lo], p + (s->offset - lad), ts);
	}
}

void msig_ecat_emit(struct model *m, struct model_device *master,
		    uint32_t lad, const uint8_t *p, uint32_t len, uint64_t ts)
{
	struct mdev_priv *dp = mdev_priv(m, master);

	if (dp->n_ecat_sigs)
		ecat_range(m, dp->ecat_sigs, dp->n_ecat_sigs, lad, p, len, ts);
	if (m->n_ecat_any)
		ecat_range(m, m->ecat_any_sigs, m->n_ecat_any, lad, p, len,
			   ts);
}
