# iiotd built with ASan + UBSan for tests/api/held.t: requests held for
# password checks, clients leaving mid-check and shutdown with checks in
# flight, under the sanitizers.  Not installed.
IIOTD_SAN := $(BUILD)/tests-api/iiotd-san
EXTRA_TESTS += $(IIOTD_SAN)
$(IIOTD_SAN): $(call sobjs,daemon/core/main.c) $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)
	$(call msg,LD-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(DAEMON_LDLIBS)
