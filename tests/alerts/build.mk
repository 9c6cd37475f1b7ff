# The alert model's unit tests and the IDS's fuzz target.
TESTS += test_alerts
test_alerts_SRCS := tests/alerts/test_alerts.c
test_alerts_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_alerts: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

# hostile frames through decode, ARP and every IDS rule
FUZZ += fuzz_ids
fuzz_ids_SRCS := tests/fuzz/fuzz_ids.c $(wildcard daemon/decode/*.c) \
	$(wildcard daemon/model/*.c) $(wildcard daemon/ids/*.c) \
	daemon/alerts/alerts.c daemon/alerts/alert_text.c daemon/core/conf.c
fuzz_ids_LDLIBS = -ljansson -lpthread -lm

# the baseline's JSON import
FUZZ += fuzz_baseline
fuzz_baseline_SRCS := tests/fuzz/fuzz_baseline.c daemon/ids/baseline.c \
	$(wildcard daemon/decode/*.c)
fuzz_baseline_LDLIBS = -ljansson -lm

TESTS += test_baseline
test_baseline_SRCS := tests/alerts/test_baseline.c
test_baseline_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_baseline: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

# inventory flooding: model, IDS and alerts under 200,000 new MACs
TESTS += test_mac_flood
test_mac_flood_SRCS := tests/alerts/test_mac_flood.c
test_mac_flood_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_mac_flood: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)
