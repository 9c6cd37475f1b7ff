# iiot.ko, the capture kernel module (kmod/, top-level Kbuild), and the
# pieces its VM test needs.
#
#   make kmod [C=1] [KDIR=/lib/modules/<ver>/build]
#
# KDIR defaults to the newest installed Debian headers that have a
# matching kernel image (kmod/kver.sh), not to the running kernel.

ifeq ($(origin KVER),undefined)
KVER := $(shell kmod/kver.sh)
endif
KDIR ?= /lib/modules/$(KVER)/build
KMOD_KO := iiot.ko

kmod: | $(DEPS_STAMP)
	$(Q)test -e $(KDIR)/Makefile || { echo "kmod: no kernel headers in \
	'$(KDIR)': install linux-headers-amd64 or set KDIR=" >&2; exit 1; }
	$(Q)$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR) \
		$(if $(C),C=$(C)) modules

kmod-clean:
	$(Q)if [ -e $(KDIR)/Makefile ]; then \
		$(MAKE) --no-print-directory -C $(KDIR) M=$(CURDIR) clean; fi

CLEAN_HOOKS += kmod-clean

# iiotctl kmod speaks generic netlink through libnl-genl
CPPFLAGS += $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
DAEMON_LDLIBS += $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)

# Frame sender / ring checker / AF_PACKET peer run inside the test VM
# (tests/kmod/mkinitramfs.sh copies its libraries; not static: libshm
# resolves the ring group through NSS).
KMODTOOL := $(BUILD)/kmod/iiot-kmodtool
KMODTOOL_SRCS := $(wildcard tests/kmod/*.c)
# libshm/build.mk is read after this file: name its archive directly
$(KMODTOOL): $(call objs,$(KMODTOOL_SRCS)) $(BUILD)/lib/libshm.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lpthread

# The VM test needs the module: build it with the tests when headers exist
# (without them the test skips and says why).
ifneq ($(wildcard $(KDIR)/Makefile),)
EXTRA_TESTS += kmod
endif
EXTRA_TESTS += $(KMODTOOL)
EXTRA_BENCH += $(KMODTOOL) $(if $(wildcard $(KDIR)/Makefile),kmod)
EXTRA_SOAK += $(KMODTOOL) $(if $(wildcard $(KDIR)/Makefile),kmod)

.PHONY: kmod kmod-clean
