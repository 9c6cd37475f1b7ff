# Protocol decoders (daemon/decode/*.c go into libiiotd.a): Ethernet/VLAN,
# EtherCAT, PROFINET RT/DCP/alarm/PTCP, PNIO-CM.  `iiotctl decode` reads
# pcap/pcapng through libpcap and prints JSON through jansson.
DAEMON_LDLIBS += -lpcap -ljansson

DECODE_SRCS := $(filter-out daemon/decode/json.c,$(wildcard daemon/decode/*.c))
