# make soak (tests/soak/*.soak, docs/soak.md): not part of make check.
# The power-loss shim (tests/soak/powercut.c, LD_PRELOAD); not installed.
POWERCUT_SO := $(BUILD)/tests-soak/powercut.so
EXTRA_SOAK += $(POWERCUT_SO)
EXTRA_TESTS += $(POWERCUT_SO)
$(POWERCUT_SO): tests/soak/powercut.c
	$(call msg,LD-SO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -shared -o $@ $< -ldl -lpthread
# clock.soak's stepping wall clock (tests/daemon/clockstep.c) and
# outage.soak's Sparkplug subscriber, built by make tests as well
EXTRA_SOAK += $(CLOCKSTEP_SO) $(SPTOOL)
