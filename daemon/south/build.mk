# daemon/south: devices iiot talks to (docs/modbus.md).  Modbus TCP
# through libmodbus.
DAEMON_LDLIBS += -lmodbus
MODBUS_PURE_SRCS = daemon/south/mbpoint.c daemon/south/mbplan.c \
	daemon/south/mbconf.c daemon/south/south.c daemon/core/conf.c

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

# DCP control (daemon/south/dcp_frame.c): requests and the answer check,
# on the decoder that reads captured DCP
DCP_PURE_SRCS = daemon/south/dcp_frame.c $(DECODE_SRCS)
TESTS += test_dcp
test_dcp_SRCS = tests/south/test_dcp.c $(DCP_PURE_SRCS)

FUZZ += fuzz_dcp
fuzz_dcp_SRCS = tests/fuzz/fuzz_dcp.c $(DCP_PURE_SRCS)

# writes the requests as a pcap and checks the answers in one
# (tests/south/dcp_frames.t: tshark and the shared captures)
DCPTOOL := $(BUILD)/tests-south/dcptool
EXTRA_TESTS += $(DCPTOOL)
$(DCPTOOL): tests/south/dcptool.c $(DCP_PURE_SRCS)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ -lpcap

# MQTT devices (docs/devices.md): the JSON path map, the [mqtt]
# configuration, the topic index and the broker's files
MQTT_PURE_SRCS = daemon/south/mqmap.c daemon/south/mqjson.c \
	daemon/south/mqindex.c \
	daemon/south/mqconf.c daemon/south/south.c \
	daemon/south/mqbroker.c daemon/north/north_conf.c \
	daemon/auth/util.c daemon/core/conf.c
TESTS += test_mqtt
test_mqtt_SRCS = tests/south/test_mqtt.c tests/south/mqref.c $(MQTT_PURE_SRCS)
test_mqtt_LDLIBS = -ljansson -lcrypto -lm

FUZZ += fuzz_mqtt_json
fuzz_mqtt_json_SRCS = tests/fuzz/fuzz_mqtt_json.c daemon/south/mqmap.c \
	daemon/south/mqjson.c daemon/south/south.c tests/south/mqref.c
fuzz_mqtt_json_LDLIBS = -ljansson -lm

# bench/mqtt.bench's peer: a bare libmosquitto subscriber that counts
MQTT_BARE_BENCH := $(BUILD)/bench/mqtt_bare_bench
EXTRA_BENCH += $(MQTT_BARE_BENCH)
$(MQTT_BARE_BENCH): bench/mqtt_bare_bench.c
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< -lmosquitto
