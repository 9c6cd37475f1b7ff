/*
 * libxml2 under the rules of docs/descriptions.md: no network, no DTD
 * loading, no entity substitution, and any DOCTYPE refused before a
 * single entity is declared, so neither external entities nor expansion
 * bombs get anywhere.  Errors carry the line.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>

#include "desc/desc_int.h"

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

struct xml_guard {
	char why[160];
	int line;
	char first[160];	/* the first error: later ones follow from it */
	int first_line;
};

static void first_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct xml_guard *g = ctxt ? ctxt->_private : NULL;
	size_t l;

	if (!g || g->first[0] || !e || !e->message ||
	    e->level < XML_ERR_ERROR)
		return;
	l = strlen(e->message);
	while (l && (e->message[l - 1] == '\n' || e->message[l - 1] == ' '))
		l--;
	snprintf(g->first, sizeof(g->first), "%.*s", (int)l, e->message);
	g->first_line = e->line;
}

static void refuse(xmlParserCtxtPtr ctxt, const char *why)
{
	struct xml_guard *g = ctxt->_private;

	if (g && !g->why[0]) {
		snprintf(g->why, sizeof(g->why), "%s", why);
		g->line = xmlSAX2GetLineNumber(ctxt);
	}
	xmlStopParser(ctxt);
}

static void no_doctype(void *ctx, const xmlChar *name,
		       const xmlChar *ext_id, const xmlChar *sys_id)
{
	(void)name;
	refuse(ctx, ext_id || sys_id ?
	       "a DOCTYPE naming an external DTD is not allowed" :
	       "a DOCTYPE is not allowed (no DTDs, no entities)");
}

static void no_entity(void *ctx, const xmlChar *name, int type,
		      const xmlChar *pub, const xmlChar *sys, xmlChar *content)
{
	(void)name; (void)type; (void)pub; (void)sys; (void)content;
	refuse(ctx, "entity declarations are not allowed");
}

xmlDocPtr desc_xml_read(const char *buf, size_t len, char *err,
			size_t errlen)
{
	struct xml_guard g = { "", 0, "", 0 };
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	const xmlError *e;

	if (len > DESC_MAX_FILE) {
		snprintf(err, errlen, "file of %zu bytes: at most %u", len,
			 DESC_MAX_FILE);
		return NULL;
	}
	if (!len) {
		snprintf(err, errlen, "empty file");
		return NULL;
	}
	pthread_once(&xml_once, xml_init);
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctxt->_private = &g;
	ctxt->sax->internalSubset = no_doctype;
	ctxt->sax->externalSubset = no_doctype;
	ctxt->sax->entityDecl = no_entity;
	ctxt->sax->serror = first_error;
	/* XML_PARSE_NOENT, _DTDLOAD, _DTDATTR, _HUGE deliberately absent */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "description", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (g.why[0]) {
		snprintf(err, errlen, "line %d: %s", g.line, g.why);
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (!doc || !ctxt->wellFormed) {
		e = xmlCtxtGetLastError(ctxt);
		if (g.first[0]) {
			snprintf(err, errlen, "line %d: malformed XML: %s",
				 g.first_line, g.first);
		} else if (e && e->message) {
			size_t l = strlen(e->message);

			while (l && (e->message[l - 1] == '\n' ||
				     e->message[l - 1] == ' '))
				l--;
			snprintf(err, errlen, "line %d: malformed XML: %.*s",
				 e->line, (int)l, e->message);
		} else {
			snprintf(err, errlen, "malformed XML");
		}
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* ---- tree helpers: match local names, namespaces aside ---------------- */

int desc_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

xmlNode *desc_child(const xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n ? n->children : NULL; c; c = c->next)
		if (desc_is(c, name))
			return c;
	return NULL;
}

xmlNode *desc_next(const xmlNode *n, const char *name)
{
	for (n = n->next; n; n = n->next)
		if (desc_is(n, name))
			return (xmlNode *)n;
	return NULL;
}

/* an element's text, trimmed, into out (cut to outlen - 1) */
void desc_text(const xmlNode *n, char *out, size_t outlen)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	const char *s = (const char *)t;
	size_t l;

	out[0] = '\0';
	if (!t)
		return;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' ||
		     s[l - 1] == '\n' || s[l - 1] == '\r'))
		l--;
	if (l >= outlen)
		l = outlen - 1;
	memcpy(out, s, l);
	out[l] = '\0';
	xmlFree(t);
}

void desc_child_text(const xmlNode *n, const char *name, char *out,
		     size_t outlen)
{
	desc_text(desc_child(n, name), out, outlen);
}

void desc_attr(const xmlNode *n, const char *name, char *out,
	       size_t outlen)
{
	xmlChar *t = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;

	snprintf(out, outlen, "%s", t ? (const char *)t : "");
	xmlFree(t);
}

/* "#x1A00", "0x1A00", "6656": 0, or -1 (not a number, beyond max) */
int desc_num(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	int base = 10;

	while (*s == ' ')
		s++;
	if ((s[0] == '#' || s[0] == '0') && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
	}
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, base);
	while (*end == ' ')
		end++;
	return *end || errno || *v > max ? -1 : 0;
}

/* t as a number, or "line N: WHAT 't' is not a number" */
static int num_at(const char *t, const char *what, int line, uint64_t max,
		  uint64_t *v, char *err, size_t errlen)
{
	if (!desc_num(t, max, v))
		return 0;
	snprintf(err, errlen, "line %d: %s '%s' is not a number (0..%llu)",
		 line, what, t, (unsigned long long)max);
	return -1;
}

int desc_child_num(const xmlNode *n, const char *name, uint64_t max,
		   uint64_t *v, char *err, size_t errlen)
{
	const xmlNode *c = desc_child(n, name);
	char t[48], what[64];

	if (!c) {
		snprintf(err, errlen, "line %d: <%s> without <%s>",
			 desc_line(n), (const char *)n->name, name);
		return -1;
	}
	desc_text(c, t, sizeof(t));
	snprintf(what, sizeof(what), "<%s>", name);
	return num_at(t, what, desc_line(c), max, v, err, errlen);
}

int desc_attr_num(const xmlNode *n, const char *name, uint64_t max,
		  uint64_t *v, char *err, size_t errlen)
{
	char t[48];

	desc_attr(n, name, t, sizeof(t));
	if (!t[0]) {
		snprintf(err, errlen, "line %d: <%s> without %s",
			 desc_line(n), (const char *)n->name, name);
		return -1;
	}
	return num_at(t, name, desc_line(n), max, v, err, errlen);
}

int desc_line(const xmlNode *n)
{
	return n ? (int)xmlGetLineNo(n) : 0;
}
