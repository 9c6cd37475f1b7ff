# daemon/fleet: fleet (platform) mode, a Sparkplug B host application
# storing the edges' metrics in PostgreSQL through libpq (docs/north.md).
DAEMON_LDLIBS += -lpq
CPPFLAGS += -I$(shell pkg-config --variable=includedir libpq 2>/dev/null || echo /usr/include/postgresql)

FLEET_SRCS := $(wildcard daemon/fleet/*.c)
# every file that includes north/spb.h waits for the generated header
# (north/build.mk, read after this file, makes it); the API's fleet routes
# too, or a clean parallel build races protoc-c
FLEET_GEN_USERS := $(FLEET_SRCS) daemon/api/h_fleet.c
$(call objs,$(FLEET_GEN_USERS)) $(call sobjs,$(FLEET_GEN_USERS)): $(BUILD)/gen/north/sparkplug_b.pb-c.h

FUZZ += fuzz_fleet_msg
fuzz_fleet_msg_SRCS = tests/fuzz/fuzz_fleet_msg.c daemon/fleet/inv.c daemon/core/idxtab.c $(BUILD)/gen/north/sparkplug_b.pb-c.c
fuzz_fleet_msg_LDLIBS = -lprotobuf-c -ljansson

TESTS += test_fleet
test_fleet_SRCS := tests/north/test_fleet.c
test_fleet_LDLIBS = $(DAEMON_LDLIBS)
$(BUILD)/tests/test_fleet: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)
