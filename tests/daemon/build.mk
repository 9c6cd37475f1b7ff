# iiotd unit tests and libFuzzer targets for its parsers.
DAEMON_TEST_LIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm

TESTS += test_core
test_core_SRCS := tests/daemon/test_core.c
test_core_LDLIBS = $(DAEMON_TEST_LIBS)
$(BUILD)/tests/test_core: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

TESTS += test_capture
test_capture_SRCS := tests/daemon/test_capture.c
test_capture_LDLIBS = $(DAEMON_TEST_LIBS) -lmodbus
$(BUILD)/tests/test_capture: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

TESTS += test_model
test_model_SRCS := tests/daemon/test_model.c
test_model_LDLIBS = $(DAEMON_TEST_LIBS)
$(BUILD)/tests/test_model: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

TESTS += test_store
test_store_SRCS := tests/store/test_store.c
test_store_LDLIBS = $(DAEMON_TEST_LIBS)
$(BUILD)/tests/test_store: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

TESTS += test_readpool
test_readpool_SRCS := tests/store/test_readpool.c
test_readpool_LDLIBS = $(DAEMON_TEST_LIBS)
$(BUILD)/tests/test_readpool: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

# A job held mid-work for tests/daemon/live.t: qsort on a job thread waits
# while $IIOT_HOLD exists (tests/daemon/holdsort.c).  Not installed.
HOLDSORT_SO := $(BUILD)/tests-daemon/holdsort.so
EXTRA_TESTS += $(HOLDSORT_SO)
$(HOLDSORT_SO): tests/daemon/holdsort.c
	$(call msg,LD-SO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -shared -o $@ $< -ldl -lpthread

# A wall clock that steps for tests/daemon/clockstep.t, the host's
# untouched (tests/daemon/clockstep.c).  Not installed.
CLOCKSTEP_SO := $(BUILD)/tests-daemon/clockstep.so
EXTRA_TESTS += $(CLOCKSTEP_SO)
$(CLOCKSTEP_SO): tests/daemon/clockstep.c
	$(call msg,LD-SO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -shared -o $@ $< -ldl

FUZZ += fuzz_conf fuzz_sigmap fuzz_ctlreq
fuzz_conf_SRCS := tests/fuzz/fuzz_conf.c daemon/core/conf.c
fuzz_ctlreq_SRCS := tests/fuzz/fuzz_ctlreq.c daemon/core/ctlproto.c daemon/core/conf.c
fuzz_sigmap_SRCS := tests/fuzz/fuzz_sigmap.c daemon/core/conf.c $(wildcard daemon/model/*.c) \
	$(wildcard daemon/decode/*.c)
fuzz_sigmap_LDLIBS = -ljansson

# benchmark helper (bench/daemon.bench); not installed
IIOTD_BENCH := $(BUILD)/bench/iiotd-bench
$(IIOTD_BENCH): $(call objs,tests/daemon/bench_daemon.c) $(LIBIIOTD_A) $(LIBSHM_A)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(DAEMON_LDLIBS)
EXTRA_BENCH += $(IIOTD_BENCH)
