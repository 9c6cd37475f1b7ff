# iiotd (the daemon) and iiotctl (the engineer's CLI).
#
# Every daemon/<subsystem>/*.c except daemon/core/main.c and daemon/ctl/
# goes into libiiotd.a, which iiotd, iiotctl, tests and fuzz targets link.
# Subsystems add libraries with "DAEMON_LDLIBS += ..." in their build.mk.
#
# iiotctl subcommands: one file daemon/ctl/cmd_<name>.c defining
#   const struct ctl_cmd cmd_<name>;     (see daemon/ctl/ctl.h)
# the dispatch table is generated from the file names.

DAEMON_LIB_SRCS = $(filter-out daemon/core/main.c daemon/ctl/%,$(wildcard daemon/*/*.c))
LIBIIOTD_A := $(BUILD)/lib/libiiotd.a
LIBIIOTD_SAN_A := $(BUILD)/lib/libiiotd-san.a
DAEMON_LDLIBS += -lpthread -lm

$(LIBIIOTD_A): $(call objs,$(DAEMON_LIB_SRCS))
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@ && $(AR) rcs $@ $^

$(LIBIIOTD_SAN_A): $(call sobjs,$(DAEMON_LIB_SRCS))
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@ && $(AR) rcs $@ $^

CTL_CMDS := $(sort $(patsubst daemon/ctl/cmd_%.c,%,$(wildcard daemon/ctl/cmd_*.c)))
CTL_TABLE := $(BUILD)/gen/ctl_cmds.h
$(CTL_TABLE): $(wildcard daemon/ctl/cmd_*.c) daemon/build.mk
	$(Q)mkdir -p $(@D)
	$(Q)printf '%s\n' $(foreach c,$(CTL_CMDS),'CTL_CMD($(c))') >$@.tmp && mv $@.tmp $@

CPPFLAGS += -I$(BUILD)/gen

PROGS += iiotctl
iiotctl_SRCS = $(wildcard daemon/ctl/*.c)
iiotctl_DEPS = $(LIBIIOTD_A) $(LIBSHM_A)
iiotctl_LDLIBS = $(LIBIIOTD_A) $(LIBSHM_A) $(DAEMON_LDLIBS)

# iiotd subsystems: daemon/<sub>/subsys_<name>.c → build/gen/subsys_list.h
SUBSYS_NAMES := $(sort $(patsubst subsys_%.c,%,$(notdir $(wildcard daemon/*/subsys_*.c))))
SUBSYS_TABLE := $(BUILD)/gen/subsys_list.h
$(SUBSYS_TABLE): $(wildcard daemon/*/subsys_*.c) daemon/build.mk
	$(Q)mkdir -p $(@D)
	$(Q)printf '%s\n' '/* generated */' $(foreach s,$(SUBSYS_NAMES),'SUBSYS($(s))') >$@.tmp && mv $@.tmp $@
$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard daemon/*/*.c)) \
$(patsubst %.c,$(BUILD)/asan/%.o,$(wildcard daemon/*/*.c)): $(SUBSYS_TABLE) $(CTL_TABLE)
