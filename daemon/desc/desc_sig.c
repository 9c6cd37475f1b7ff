/*
 * Signals from descriptions, as signal mapping lines (daemon/model/
 * sigmap.c's format) so that they go where the mapping file's go: an
 * ENI's PDO entries at their logical addresses, a GSDML's IO data at the
 * offsets its modules' slots give.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desc/desc_int.h"

static const struct {
	const char *ecat, *pn, *tok;
	uint32_t bits;
} sig_types[] = {
	{ "USINT", "Unsigned8", "u8", 8 }, { "BYTE", NULL, "u8", 8 },
	{ "SINT", "Integer8", "i8", 8 },
	{ "UINT", "Unsigned16", "u16", 16 }, { "WORD", NULL, "u16", 16 },
	{ "INT", "Integer16", "i16", 16 },
	{ "UDINT", "Unsigned32", "u32", 32 }, { "DWORD", NULL, "u32", 32 },
	{ "DINT", "Integer32", "i32", 32 },
	{ "REAL", "Float32", "f32", 32 },
};

const char *desc_sig_token(unsigned int kind, const struct desc_entry *e,
			   uint64_t bit, char *buf, size_t buflen)
{
	size_t i;

	if (kind != DESC_GSDML && !e->index)
		return NULL;			/* padding */
	if (kind != DESC_GSDML && e->bitlen == 1 &&
	    (!strcmp(e->type, "BOOL") || !strcmp(e->type, "BIT"))) {
		snprintf(buf, buflen, "bit%u", (unsigned int)(bit % 8));
		return buf;
	}
	if (bit % 8)
		return NULL;
	for (i = 0; i < sizeof(sig_types) / sizeof(sig_types[0]); i++) {
		const char *n = kind == DESC_GSDML ? sig_types[i].pn :
				sig_types[i].ecat;

		if (!n || strcmp(n, e->type) || e->bitlen != sig_types[i].bits)
			continue;
		snprintf(buf, buflen, "%s%s", sig_types[i].tok,
			 kind == DESC_GSDML && sig_types[i].bits > 8 ? "be" :
			 "");
		return buf;
	}
	return NULL;
}

struct out {
	char *buf;
	size_t len, cap;
	char (*names)[64];
	size_t n, cap_n;
	int oom;
};

static void out_add(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int l;

	if (o->oom)
		return;
	/* vsnprintf wants a real buffer even for its first, sizing pass */
	if (!o->buf) {
		o->buf = malloc(256);
		if (!o->buf) {
			o->oom = 1;
			return;
		}
		o->cap = 256;
	}
	for (;;) {
		va_start(ap, fmt);
		l = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (l < 0) {
			o->oom = 1;
			return;
		}
		if ((size_t)l < o->cap - o->len)
			break;
		{
			size_t nc = (o->cap + (size_t)l + 1) * 2;
			char *b = realloc(o->buf, nc);

			if (!b) {
				o->oom = 1;
				return;
			}
			o->buf = b;
			o->cap = nc;
		}
	}
	o->len += (size_t)l;
}

/* a..b → "a.b" with only [A-Za-z0-9_.-], no "__"; unique in o */
static void sig_name(struct out *o, const char *dev, const char *grp,
		     const char *ent, char *name, size_t len)
{
	char raw[256], *w = name;
	const char *r;
	size_t k, i;

	snprintf(raw, sizeof(raw), "%s.%s%s%s", dev, grp, grp[0] ? "." : "",
		 ent);
	for (r = raw; *r && (size_t)(w - name) < len - 8; r++) {
		char c = *r;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-'))
			c = '_';
		if (c == '_' && w > name && w[-1] == '_')
			continue;
		*w++ = c;
	}
	*w = '\0';
	for (k = 2;; k++) {
		for (i = 0; i < o->n; i++)
			if (!strcmp(o->names[i], name))
				break;
		if (i == o->n)
			break;
		snprintf(w, 8, "~%zu", k);
	}
	if (o->n == o->cap_n) {
		size_t nc = o->cap_n ? o->cap_n * 2 : 64;
		void *a = realloc(o->names, nc * sizeof(*o->names));

		if (!a) {
			o->oom = 1;
			return;
		}
		o->names = a;
		o->cap_n = nc;
	}
	snprintf(o->names[o->n++], sizeof(o->names[0]), "%s", name);
}

static void add_sig(struct out *o, const char *dev, const char *grp,
		    const struct desc_entry *e, const char *selector,
		    uint64_t off, const char *tok)
{
	char name[64];

	sig_name(o, dev, grp, e->name[0] ? e->name : "value", name,
		 sizeof(name));
	if (e->unit[0] && !strpbrk(e->unit, " \t#"))
		out_add(o, "%-40s %s 0x%llx %s 1 %s\n", name, selector,
			(unsigned long long)off, tok, e->unit);
	else
		out_add(o, "%-40s %s 0x%llx %s\n", name, selector,
			(unsigned long long)off, tok);
}

/* image byte → logical address through the cyclic commands; -1: none */
static int64_t eni_logical(const struct desc *d, uint8_t dir, uint64_t byte,
			   uint32_t size)
{
	size_t i;

	for (i = 0; i < d->ncmds; i++) {
		const struct desc_cmd *c = &d->cmds[i];
		int64_t base = dir == DESC_IN ? c->in_offs : c->out_offs;

		if (base < 0 || (int64_t)byte < base ||
		    byte + size > (uint64_t)base + c->len)
			continue;
		if (dir == DESC_IN ? c->cmd == 11 : c->cmd == 10)
			continue;	/* LWR returns no inputs, LRD no outputs */
		return (int64_t)c->addr + (int64_t)(byte - (uint64_t)base);
	}
	return -1;
}

static int has_assigned(const struct desc *d, const struct desc_device *v)
{
	uint32_t g;

	for (g = v->first; g < v->first + v->n; g++)
		if (d->groups[g].assigned)
			return 1;
	return 0;
}

char *desc_eni_sigmap(const struct desc *d, const char *master,
		      size_t *nsig, size_t *skipped)
{
	struct out o = { 0 };
	char sel[32], tok[8];
	size_t i;

	*nsig = *skipped = 0;
	snprintf(sel, sizeof(sel), "%s%s", master && master[0] ? "ecat:" :
		 "ecat", master ? master : "");
	out_add(&o, "%s", "");
	for (i = 0; d->kind == DESC_ENI && i < d->ndevs; i++) {
		const struct desc_device *v = &d->devs[i];
		int only_assigned = has_assigned(d, v);
		uint64_t at[3] = { 0, 0, 0 };	/* next bit per direction */
		uint32_t g, k;

		at[DESC_IN] = v->in_bitstart < 0 ? 0 : (uint64_t)v->in_bitstart;
		at[DESC_OUT] = v->out_bitstart < 0 ? 0 :
			       (uint64_t)v->out_bitstart;
		for (g = v->first; g < v->first + v->n; g++) {
			const struct desc_group *gr = &d->groups[g];
			int64_t start = gr->dir == DESC_IN ? v->in_bitstart :
					v->out_bitstart;

			if (only_assigned && !gr->assigned)
				continue;
			for (k = gr->first; k < gr->first + gr->n; k++) {
				const struct desc_entry *e = &d->ents[k];
				uint64_t bit = at[gr->dir] + (uint64_t)e->bitoff;
				int64_t lad;

				if (!e->index)
					continue;
				if (start < 0 ||
				    !desc_sig_token(d->kind, e, bit, tok,
						    sizeof(tok)) ||
				    (lad = eni_logical(d, gr->dir, bit / 8,
						(e->bitlen + 7) / 8)) < 0) {
					(*skipped)++;
					continue;
				}
				add_sig(&o, v->name, gr->name, e, sel,
					(uint64_t)lad, tok);
				(*nsig)++;
			}
			at[gr->dir] += gr->n ?
				(uint64_t)d->ents[gr->first + gr->n - 1].bitoff +
				d->ents[gr->first + gr->n - 1].bitlen : 0;
		}
	}
	free(o.names);
	if (o.oom) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}

static const struct desc_device *find_module(const struct desc *d,
					     const char *s)
{
	uint64_t ident;
	int isnum = !desc_num(s, UINT32_MAX, &ident);
	size_t i;

	for (i = 0; i < d->ndevs; i++) {
		const struct desc_device *v = &d->devs[i];

		if (v->role != DESC_ROLE_DAP && v->role != DESC_ROLE_MODULE)
			continue;
		if (!strcmp(v->type, s) || (isnum && v->product == ident))
			return v;
	}
	return NULL;
}

char *desc_gsdml_sigmap(const struct desc *d, const char *station,
			const char *const *slots, size_t nslots,
			size_t *nsig, size_t *skipped, char *err,
			size_t errlen)
{
	struct out o = { 0 };
	char sel[256], tok[8];
	uint64_t off = 0;
	size_t s;

	*nsig = *skipped = 0;
	if (d->kind != DESC_GSDML) {
		snprintf(err, errlen, "not a GSDML");
		return NULL;
	}
	snprintf(sel, sizeof(sel), "pn:%s", station);
	out_add(&o, "%s", "");
	for (s = 0; s < nslots; s++) {
		const struct desc_device *v;
		uint32_t g, k;

		if (!slots[s][0])
			continue;
		v = find_module(d, slots[s]);
		if (!v) {
			snprintf(err, errlen, "slot %zu: no module '%s' in "
				 "this GSDML", s + 1, slots[s]);
			goto fail;
		}
		for (g = v->first; g < v->first + v->n; g++) {
			const struct desc_group *gr = &d->groups[g];
			uint64_t size = 0;

			if (gr->dir != DESC_IN)
				continue;
			for (k = gr->first; k < gr->first + gr->n; k++) {
				const struct desc_entry *e = &d->ents[k];

				if (e->bitoff < 0 || !e->bitlen) {
					snprintf(err, errlen, "slot %zu: "
						 "module '%s': data type '%s' "
						 "of unknown size", s + 1,
						 slots[s], e->type);
					goto fail;
				}
				size = (uint64_t)e->bitoff + e->bitlen;
				if (!desc_sig_token(d->kind, e, 0, tok,
						    sizeof(tok))) {
					(*skipped)++;
					continue;
				}
				add_sig(&o, station, "", e, sel,
					off + (uint64_t)e->bitoff / 8, tok);
				(*nsig)++;
			}
			/* the submodule's IOPS follows its data */
			if (size)
				off += size / 8 + 1;
		}
	}
	free(o.names);
	if (o.oom) {
		free(o.buf);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return o.buf;
fail:
	free(o.names);
	free(o.buf);
	return NULL;
}

/* the input groups of submodule ident sub of module ident mod: the
 * module's own (virtual) submodule, else a SubmoduleList item */
static const struct desc_device *cr_module(const struct desc *d,
					   uint32_t mod, uint32_t sub,
					   uint32_t *first, uint32_t *n)
{
	const struct desc_device *v;
	size_t i;
	uint32_t g;

	for (i = 0; i < d->ndevs; i++) {
		v = &d->devs[i];
		if ((v->role != DESC_ROLE_DAP && v->role != DESC_ROLE_MODULE) ||
		    v->product != mod)
			continue;
		for (g = v->first; g < v->first + v->n; g++)
			if (d->groups[g].index == sub) {
				*first = v->first;
				*n = v->n;
				return v;
			}
	}
	for (i = 0; i < d->ndevs; i++) {
		v = &d->devs[i];
		if (v->role == DESC_ROLE_SUBMODULE && v->product == sub) {
			*first = v->first;
			*n = v->n;
			return v;
		}
	}
	return NULL;
}

char *desc_gsdml_cr_sigmap(const struct desc *d, const char *station,
			   const char *selector,
			   const struct desc_pn_sub *subs, size_t nsubs,
			   size_t *nsig, size_t *skipped, size_t *unknown)
{
	struct out o = { 0 };
	char tok[8];
	size_t s;

	*nsig = *skipped = *unknown = 0;
	out_add(&o, "%s", "");
	for (s = 0; d->kind == DESC_GSDML && s < nsubs; s++) {
		const struct desc_pn_sub *x = &subs[s];
		uint32_t g, k, first, n;

		if (!cr_module(d, x->module, x->submodule, &first, &n)) {
			(*unknown)++;
			continue;
		}
		for (g = first; g < first + n; g++) {
			const struct desc_group *gr = &d->groups[g];

			if (gr->dir != DESC_IN || (gr->index &&
			    gr->index != x->submodule))
				continue;
			for (k = gr->first; k < gr->first + gr->n; k++) {
				const struct desc_entry *e = &d->ents[k];

				if (e->bitoff < 0 || !e->bitlen ||
				    !desc_sig_token(d->kind, e, 0, tok,
						    sizeof(tok))) {
					(*skipped)++;
					continue;
				}
				add_sig(&o, station, "", e, selector,
					x->offset + (uint64_t)e->bitoff / 8,
					tok);
				(*nsig)++;
			}
		}
	}
	free(o.names);
	if (o.oom) {
		free(o.buf);
		return NULL;
	}
	return o.buf;
}
