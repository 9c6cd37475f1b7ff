# iiotd built with ASan + UBSan for tests/api/held.t: requests held for
# password checks, clients leaving mid-check and shutdown with checks in
# flight, under the sanitizers.  Not installed.
IIOTD_SAN := $(BUILD)/tests-api/iiotd-san
EXTRA_TESTS += $(IIOTD_SAN)
$(IIOTD_SAN): $(call sobjs,daemon/core/main.c) $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)
	$(call msg,LD-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(DAEMON_LDLIBS)

# A slow disk for tests/api/writer.t and jobs.t: fsync/fdatasync delayed by
# LD_PRELOAD (tests/api/slowsync.c).  Not installed.
SLOWSYNC_SO := $(BUILD)/tests-api/slowsync.so
EXTRA_TESTS += $(SLOWSYNC_SO)
$(SLOWSYNC_SO): tests/api/slowsync.c
	$(call msg,LD-SO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -shared -o $@ $< -ldl

# the audit/auth writer's queue, batches and waits on real SQLite files
TESTS += test_api_dbwriter
test_api_dbwriter_SRCS = tests/api/test_dbwriter.c daemon/auth/dbwriter.c daemon/auth/audit.c \
	daemon/auth/util.c daemon/core/dbfile.c daemon/core/dbschema.c daemon/core/log.c
test_api_dbwriter_LDLIBS = -lsqlite3 -ljansson -lcrypto -levent -lpthread

# the background job table: bound, progress, cancel, teardown
TESTS += test_api_jobs
test_api_jobs_SRCS = tests/api/test_jobs.c daemon/api/jobs.c
test_api_jobs_LDLIBS = -ljansson -levent -lpthread
