/*
 * Order statistics without a full sort (link_stats: a link's median
 * period and its jitter percentiles, every scan of every link).
 */
#ifndef IIOTD_MODEL_SELECT_H
#define IIOTD_MODEL_SELECT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The k-th smallest of v[0..n) (k < n, n > 0), the value a sort would
 * put at v[k].  Reorders v so that v[i] <= v[k] for i < k and v[i] >=
 * v[k] for i > k: a later call for a larger k may start at v + k.
 */
uint32_t u32_select(uint32_t *v, size_t n, size_t k);

#endif
