# Schema migrations of every database iiot owns (daemon/core/dbschema.c).
TESTS += test_dbschema
test_dbschema_SRCS := tests/store/test_dbschema.c
test_dbschema_LDLIBS = $(DAEMON_LDLIBS)
$(BUILD)/tests/test_dbschema: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)
