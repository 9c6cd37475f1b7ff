/* MAC vendors from the IEEE OUI registry (daemon/ids/oui.c). */
#ifndef IIOTD_OUI_H
#define IIOTD_OUI_H

#include <stdint.h>

#define OUI_DEFAULT_PATH	"/usr/share/ieee-data/oui.txt"

struct oui;

/* NULL when the file is absent (path NULL: the default). */
struct oui *oui_load(const char *path);
void oui_free(struct oui *o);
/* The vendor of mac's OUI, or NULL. */
const char *oui_vendor(const struct oui *o, const uint8_t mac[6]);

#endif
