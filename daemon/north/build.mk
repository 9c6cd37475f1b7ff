# daemon/north: the Sparkplug B edge node (docs/north.md) on libmosquitto,
# its payloads from daemon/north/sparkplug_b.proto compiled by protoc-c
# into $(BUILD)/gen/north/ at build time (the generated code is not kept
# in the tree).
DAEMON_LDLIBS += -lmosquitto -lprotobuf-c -lsqlite3 -ljansson

SPB_PROTO := daemon/north/sparkplug_b.proto
SPB_C := $(BUILD)/gen/north/sparkplug_b.pb-c.c
SPB_H := $(BUILD)/gen/north/sparkplug_b.pb-c.h

$(SPB_C): $(SPB_PROTO) | $(DEPS_STAMP)
	$(call msg,PROTOC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)protoc-c --c_out=$(@D) -I$(dir $<) $<
$(SPB_H): $(SPB_C)

# daemon/build.mk's wildcard does not see build/: the archives take it here
$(LIBIIOTD_A): $(call objs,$(SPB_C))
$(LIBIIOTD_SAN_A): $(call sobjs,$(SPB_C))
NORTH_GEN_USERS := $(wildcard daemon/north/*.c) $(wildcard tests/north/*.c) $(SPB_C)
$(call objs,$(NORTH_GEN_USERS)) $(call sobjs,$(NORTH_GEN_USERS)): $(SPB_H)

FUZZ += fuzz_north_cmd
fuzz_north_cmd_SRCS = tests/fuzz/fuzz_north_cmd.c daemon/north/spb.c $(SPB_C)
fuzz_north_cmd_LDLIBS = -lprotobuf-c

TESTS += test_north
test_north_SRCS := tests/north/test_north.c
test_north_LDLIBS = $(DAEMON_LDLIBS)
$(BUILD)/tests/test_north: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

# the test subscriber: decodes what the edge node publishes (tests/north)
SPTOOL := $(BUILD)/tests-north/sptool
EXTRA_TESTS += $(SPTOOL)
$(SPTOOL): $(call objs,tests/north/sptool.c $(SPB_C))
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lmosquitto -lprotobuf-c -ljansson
