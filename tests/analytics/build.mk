# Process analytics: unit tests per rule kind, expression evaluator and
# anomaly detector; a fuzz target for expressions and rules files.
TESTS += test_analytics
test_analytics_SRCS := tests/analytics/test_analytics.c
test_analytics_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_analytics: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

FUZZ += fuzz_expr
fuzz_expr_SRCS := tests/fuzz/fuzz_expr.c \
	$(filter-out daemon/analytics/subsys_% daemon/analytics/%_ctl.c daemon/analytics/report_glue.c daemon/analytics/andev.c,$(wildcard daemon/analytics/*.c)) \
	daemon/alerts/alerts.c daemon/alerts/alert_text.c daemon/core/conf.c \
	daemon/decode/wirestr.c daemon/core/dbfile.c daemon/core/dbschema.c daemon/core/log.c
fuzz_expr_LDLIBS = -ljansson -lsqlite3 -lpthread -lm

# benchmark helper (bench/analytics.bench); not installed
ANALYTICS_BENCH := $(BUILD)/bench/analytics-bench
$(ANALYTICS_BENCH): $(call objs,bench/analytics_bench.c) $(LIBIIOTD_A) $(LIBSHM_A)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(DAEMON_LDLIBS) -ljansson -lsqlite3 -levent -levent_pthreads -lpcap
EXTRA_BENCH += $(ANALYTICS_BENCH)

TESTS += test_oee
test_oee_SRCS := tests/analytics/test_oee.c
test_oee_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_oee: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

TESTS += test_report
test_report_SRCS := tests/analytics/test_report.c
test_report_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_report: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)
