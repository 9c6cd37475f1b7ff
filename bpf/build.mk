# bpf/: the XDP fast path.
#   iiot-xdp      load the XDP program, capture into a libshm ring
#   iiot-xdpgen   fast frame generator for the XDP tests and benchmark
#
# The BPF object is built with clang -target bpf and embedded into iiot-xdp
# through a libbpf skeleton generated into $(BUILD)/gen (never committed).

BPF_CLANG	?= clang
BPFTOOL		?= bpftool
BPF_ARCH_INC	:= /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)
XDP_BPF_OBJ	:= $(BUILD)/bpf/iiot_xdp.bpf.o
XDP_SKEL	:= $(BUILD)/gen/iiot_xdp.skel.h

$(XDP_BPF_OBJ): bpf/iiot_xdp.bpf.c bpf/iiot_xdp.h include/iiot/ring_abi.h \
		include/iiot/capture_filter.h | $(DEPS_STAMP)
	$(call msg,BPF,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPF_CLANG) -target bpf -O2 -g -Wall -Werror -Iinclude -Ibpf \
		-I$(BPF_ARCH_INC) -c $< -o $@

$(XDP_SKEL): $(XDP_BPF_OBJ)
	$(call msg,SKEL,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< name iiot_xdp >$@.tmp && mv $@.tmp $@

PROGS += iiot-xdp iiot-xdpgen
iiot-xdp_SRCS = bpf/xdp_main.c bpf/xsk.c bpf/blocklist.c
iiot-xdp_DEPS = $(LIBSHM_A)
# AF_XDP sockets through libxdp's xsk API (bpf/xsk.c); the XDP program is
# iiot's own, loaded by libbpf
XDP_XSK_LIBS := $(shell pkg-config --libs libxdp 2>/dev/null || echo -lxdp)
iiot-xdp_LDLIBS = $(LIBSHM_A) $(XDP_XSK_LIBS) -lbpf -lelf -lz

iiot-xdpgen_SRCS = bpf/xdpgen.c

xdp_main_CFLAGS = -Ibpf -I$(BUILD)/gen
blocklist_CFLAGS = -Ibpf
xsk_CFLAGS = -Ibpf
$(BUILD)/obj/bpf/xdp_main.o: $(XDP_SKEL)
