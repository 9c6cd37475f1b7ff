/* Process analytics: the loaded rules, what is active, the anomaly settings. */
#include "analytics/analytics.h"
#include "api/api.h"
#include "core/iiotd.h"

void h_analytics(struct rq *r)
{
	struct iiotd *d = r->api->d;

	if (!d->analytics) {
		api_error(r, 503, "analytics is not running ([analytics] "
			  "enable = false)");
		return;
	}
	api_reply(r, 200, analytics_json(d->analytics));
}
