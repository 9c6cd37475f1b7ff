/*
 * iiotd's own health verdict for the control socket (GET /api/v1/health's,
 * daemon/api/h_health.c): the package's upgrade check reads it through
 * "iiotctl status --json" (pkg/iiot-upgrade-check).
 */
#ifndef IIOTD_API_SYSHEALTH_H
#define IIOTD_API_SYSHEALTH_H

#include <jansson.h>

struct iiotd;

/* {"status": "ok"|"degraded"|"failed", "checks": [...]}; on the loop */
json_t *api_system_health(struct iiotd *d);

#endif
