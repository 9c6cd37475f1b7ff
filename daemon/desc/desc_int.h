/* Internals shared by the daemon/desc sources; not for other users. */
#ifndef IIOT_DESC_INT_H
#define IIOT_DESC_INT_H

#include <libxml/tree.h>

#include "desc/desc.h"

xmlDocPtr desc_xml_read(const char *buf, size_t len, char *err,
			size_t errlen);
int desc_is(const xmlNode *n, const char *name);
xmlNode *desc_child(const xmlNode *n, const char *name);
xmlNode *desc_next(const xmlNode *n, const char *name);
void desc_text(const xmlNode *n, char *out, size_t outlen);
void desc_child_text(const xmlNode *n, const char *name, char *out,
		     size_t outlen);
void desc_attr(const xmlNode *n, const char *name, char *out,
	       size_t outlen);
int desc_num(const char *s, uint64_t max, uint64_t *v);
int desc_child_num(const xmlNode *n, const char *name, uint64_t max,
		   uint64_t *v, char *err, size_t errlen);
int desc_attr_num(const xmlNode *n, const char *name, uint64_t max,
		  uint64_t *v, char *err, size_t errlen);
int desc_line(const xmlNode *n);

/* growing the flat arrays; NULL with err when a limit is reached */
struct desc_device *desc_add_dev(struct desc *d, const xmlNode *at,
				 char *err, size_t errlen);
struct desc_group *desc_add_group(struct desc *d, const xmlNode *at,
				  char *err, size_t errlen);
struct desc_entry *desc_add_entry(struct desc *d, const xmlNode *at,
				  char *err, size_t errlen);

int desc_parse_gsdml(struct desc *d, const xmlNode *root, char *err,
		     size_t errlen);
int desc_parse_esi(struct desc *d, const xmlNode *root, char *err,
		   size_t errlen);
int desc_parse_eni(struct desc *d, const xmlNode *root, char *err,
		   size_t errlen);

#endif
