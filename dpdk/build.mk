# iiot-dpdk: DPDK capture helper (rx_burst → libshm rings); see docs/dpdk.md.
DPDK_CFLAGS := $(shell pkg-config --cflags libdpdk 2>/dev/null)
DPDK_LIBS := $(shell pkg-config --libs libdpdk 2>/dev/null)
# DPDK's inline headers trip -Wshadow/-Wsign-compare/-Wpointer-arith in code
# that is not ours; rte_eth_read_clock() is still marked experimental.
# LIBSHM_A comes from libshm/build.mk, included later: expand lazily.
DPDK_USER_CFLAGS := $(DPDK_CFLAGS) -DALLOW_EXPERIMENTAL_API

PROGS += iiot-dpdk
iiot-dpdk_SRCS := $(wildcard dpdk/*.c)
iiot-dpdk_DEPS = $(LIBSHM_A)
iiot-dpdk_LDLIBS = $(LIBSHM_A) $(DPDK_LIBS)
$(foreach f,$(iiot-dpdk_SRCS),$(eval $(basename $(notdir $(f)))_CFLAGS := $$(DPDK_USER_CFLAGS)))

