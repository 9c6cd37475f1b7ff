# daemon/enforce: blocks in the inline XDP blocklist (enforce.h).  The
# blocklist access (bpf/blocklist.c, bare bpf(2) calls, no libbpf) goes
# into libiiotd beside the subsystem.
$(LIBIIOTD_A): $(call objs,bpf/blocklist.c)
$(LIBIIOTD_SAN_A): $(call sobjs,bpf/blocklist.c)
subsys_enforce_CFLAGS = -Ibpf
enforce_ctl_CFLAGS = -Ibpf

TESTS += test_enforce
test_enforce_SRCS := tests/enforce/test_enforce.c
test_enforce_LDLIBS = -ljansson -lsqlite3 -levent -levent_pthreads -lpcap -lpthread -lm
$(BUILD)/tests/test_enforce: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)
