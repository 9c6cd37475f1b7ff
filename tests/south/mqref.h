/* mqref.c: mq_apply on jansson, the oracle of mqjson.c */
#ifndef IIOT_TESTS_MQREF_H
#define IIOT_TESTS_MQREF_H

#include "south/mqmap.h"

unsigned int mq_apply_jansson(const struct mq_sig *sigs, size_t n,
			      const struct mq_path *tpath,
			      const void *payload, size_t len, size_t max,
			      uint64_t now_ns, double *vals, bool *has,
			      struct mq_result *res);
/* the same result: counts, time, and each signal's value */
bool mq_same(const struct mq_result *a, const struct mq_result *b, size_t n,
	     const double *va, const bool *ha, const double *vb,
	     const bool *hb);

#endif
