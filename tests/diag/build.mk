# Fieldbus diagnostics: unit tests and the fuzz target of its register
# parsing.
TESTS += test_diag
test_diag_SRCS := tests/diag/test_diag.c
test_diag_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_diag: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

# hostile frames through decode, the model and every diagnosis
FUZZ += fuzz_diag
fuzz_diag_SRCS := tests/fuzz/fuzz_diag.c $(wildcard daemon/decode/*.c) \
	$(wildcard daemon/model/*.c) $(filter-out %/subsys_diag.c,$(wildcard daemon/diag/*.c)) \
	daemon/alerts/alerts.c daemon/alerts/alert_text.c daemon/core/conf.c
fuzz_diag_LDLIBS = -ljansson -lpthread -lm

TESTS += test_health
test_health_SRCS := tests/diag/test_health.c
test_health_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_health: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

TESTS += test_linkhist
test_linkhist_SRCS := tests/diag/test_linkhist.c
test_linkhist_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_linkhist: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)
