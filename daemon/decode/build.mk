# Protocol decoders (daemon/decode/*.c go into libiiotd.a): Ethernet/VLAN,
# EtherCAT, PROFINET RT/DCP/alarm/PTCP, PNIO-CM, LLDP.  `iiotctl decode` reads
# pcap/pcapng through libpcap and prints JSON through jansson.
DAEMON_LDLIBS += -lpcap -ljansson

DECODE_SRCS := $(filter-out daemon/decode/json.c,$(wildcard daemon/decode/*.c))

# libFuzzer targets, one per parser entry point (tests/decode/fuzz.t runs
# them briefly, seeded from the shared captures).
FUZZ += fuzz_decode_frame fuzz_decode_dcp fuzz_decode_ecat_mbx fuzz_decode_pnio_cm \
	fuzz_lldp
fuzz_decode_frame_SRCS := tests/fuzz/fuzz_decode_frame.c $(wildcard daemon/decode/*.c)
fuzz_decode_frame_LDLIBS := -ljansson
fuzz_decode_dcp_SRCS := tests/fuzz/fuzz_decode_dcp.c $(DECODE_SRCS)
fuzz_decode_ecat_mbx_SRCS := tests/fuzz/fuzz_decode_ecat_mbx.c $(DECODE_SRCS)
fuzz_decode_pnio_cm_SRCS := tests/fuzz/fuzz_decode_pnio_cm.c $(DECODE_SRCS)
fuzz_lldp_SRCS := tests/fuzz/fuzz_lldp.c $(DECODE_SRCS)
