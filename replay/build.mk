# iiot-replay: pcap/pcapng captures → a libshm ring.
# iiot-ringdump: drain a ring; print count/bytes/checksum or write a pcap.
PROGS += iiot-replay iiot-ringdump
iiot-replay_SRCS = replay/replay_main.c replay/replay_pace.c replay/replay_file.c
iiot-replay_DEPS = $(LIBSHM_A)
iiot-replay_LDLIBS = $(LIBSHM_A) -lpcap

iiot-ringdump_SRCS = replay/ringdump.c
iiot-ringdump_DEPS = $(LIBSHM_A)
iiot-ringdump_LDLIBS = $(LIBSHM_A) -lpcap
