# Benchmark programs run by bench/*.bench (built by `make bench`).
#   ring_shm_bench   libshm, producer process → consumer process
#   ring_rte_bench   DPDK rte_ring + mempool, lcore → lcore (the peer)
#   dpdk_bare_bench  bare rte_eth_rx_burst + free loop (iiot-dpdk's peer)
#   ring_drain       drains iiot-dpdk's ring during bench/dpdk.bench
# libshm/build.mk and dpdk/build.mk come later in the include order, so the
# library path is spelled out and the DPDK flags are read here.
BENCH_BIN := $(BUILD)/bench
BENCH_LIBSHM := $(BUILD)/lib/libshm.a
BENCH_DPDK_CFLAGS := $(shell pkg-config --cflags libdpdk 2>/dev/null)
BENCH_DPDK_LIBS := $(shell pkg-config --libs libdpdk 2>/dev/null)
BENCH_PROGS := $(BENCH_BIN)/ring_shm_bench $(BENCH_BIN)/ring_rte_bench \
	       $(BENCH_BIN)/dpdk_bare_bench $(BENCH_BIN)/ring_drain
EXTRA_BENCH += $(BENCH_PROGS)

ring_shm_bench_CFLAGS := -Ibench
ring_rte_bench_CFLAGS := -Ibench $(BENCH_DPDK_CFLAGS)
dpdk_bare_bench_CFLAGS := $(BENCH_DPDK_CFLAGS) -Idpdk

$(BENCH_BIN)/ring_shm_bench: $(call objs,bench/ring_shm_bench.c) $(BENCH_LIBSHM)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(BENCH_BIN)/ring_rte_bench: $(call objs,bench/ring_rte_bench.c)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(BENCH_DPDK_LIBS)

$(BENCH_BIN)/dpdk_bare_bench: $(call objs,bench/dpdk_bare_bench.c dpdk/dpdk_pool.c)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(BENCH_DPDK_LIBS)

$(BENCH_BIN)/ring_drain: $(call objs,bench/ring_drain.c) $(BENCH_LIBSHM)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# fleet_bench: bench/fleet.bench's edge flood and bare libpq COPY loop
EXTRA_BENCH += $(BENCH_BIN)/fleet_bench
$(call objs,bench/fleet_bench.c): $(BUILD)/gen/north/sparkplug_b.pb-c.h
$(BENCH_BIN)/fleet_bench: $(call objs,bench/fleet_bench.c $(BUILD)/gen/north/sparkplug_b.pb-c.c)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lmosquitto -lprotobuf-c -lpq
