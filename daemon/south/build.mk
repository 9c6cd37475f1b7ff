# daemon/south: devices iiot talks to (docs/modbus.md).  Modbus TCP
# through libmodbus.
DAEMON_LDLIBS += -lmodbus
MODBUS_PURE_SRCS = daemon/south/mbpoint.c daemon/south/mbplan.c \
	daemon/south/mbconf.c daemon/core/conf.c

TESTS += test_modbus
test_modbus_SRCS = tests/south/test_modbus.c $(MODBUS_PURE_SRCS)
test_modbus_LDLIBS = -lm

FUZZ += fuzz_modbus_reply
fuzz_modbus_reply_SRCS = tests/fuzz/fuzz_modbus_reply.c $(MODBUS_PURE_SRCS)
fuzz_modbus_reply_LDLIBS = -lmodbus -lm

# the Modbus TCP server tests/south/*.t poll (not installed)
MBSERVER := $(BUILD)/tests-south/mbserver
EXTRA_TESTS += $(MBSERVER)
$(MBSERVER): tests/south/mbserver.c
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< -lmodbus

# bench/modbus.bench: its server and its peer, a bare libmodbus read loop
MODBUS_BARE_BENCH := $(BUILD)/bench/modbus_bare_bench
EXTRA_BENCH += $(MBSERVER) $(MODBUS_BARE_BENCH)
$(MODBUS_BARE_BENCH): bench/modbus_bare_bench.c
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< -lmodbus
