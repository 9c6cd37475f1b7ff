/*
 * Offline diagnostics for iiotctl: a capture through the decoder, model,
 * alert table and diagnostics iiotd runs ("diagnose", "health").
 */
#ifndef IIOT_CTL_DIAGRUN_H
#define IIOT_CTL_DIAGRUN_H

#include "alerts/alerts.h"
#include "decode/decode.h"
#include "diag/diag.h"
#include "model/model.h"

struct diagrun {
	struct model *m;
	struct alerts *al;
	struct diag *dg;
	struct decoded d;
	const char *port;		/* the file being read */
};

/* NULL after saying so on stderr */
struct diagrun *diagrun_new(void);
/* Every file of argv[from..argc) in turn; 0, or 1 when one failed. */
int diagrun_files(struct diagrun *r, int argc, char **argv, int from);
/* The end of the captures: offline and quiet alerts as of the last frame */
void diagrun_settle(struct diagrun *r);
void diagrun_free(struct diagrun *r);

#endif
