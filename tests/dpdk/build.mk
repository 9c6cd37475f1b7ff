# Test helper for tests/dpdk/*.t: frames of a ring or a capture as hex lines.
DPDK_RINGCAT := $(BUILD)/tests-dpdk/dpdk-ringcat
EXTRA_TESTS += $(DPDK_RINGCAT)
$(DPDK_RINGCAT): $(call objs,tests/dpdk/dpdk_ringcat.c) $(LIBSHM_A)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lpcap
