/* Ground truth of a run's attacks (JSON lines), docs/sim.md. */
#ifndef SIM_TRUTH_H
#define SIM_TRUTH_H

#include <stdio.h>

#include "engine.h"

/* One line per attack of e's scenario for pass (0-based); 0 or -1. */
int truth_write(FILE *f, const struct sim_engine *e, uint64_t pass);

#endif
