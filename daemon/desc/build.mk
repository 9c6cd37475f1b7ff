# daemon/desc: device descriptions (GSDML, ESI, ENI) through libxml2
# (docs/descriptions.md).
CPPFLAGS += -I/usr/include/libxml2
DAEMON_LDLIBS += -lxml2

TESTS += test_desc
test_desc_SRCS := tests/desc/test_desc.c
test_desc_LDLIBS = $(DAEMON_LDLIBS)
$(BUILD)/tests/test_desc: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)

FUZZ += fuzz_description
# the parsers only: the store, the subsystem and the JSON need the daemon
DESC_PURE_SRCS = daemon/desc/desc.c daemon/desc/desc_xml.c \
	daemon/desc/desc_ecat.c daemon/desc/desc_gsdml.c daemon/desc/desc_sig.c
fuzz_description_SRCS = tests/fuzz/fuzz_description.c $(DESC_PURE_SRCS)
fuzz_description_LDLIBS = -lxml2

# a connect and its answer into the stations' layouts and their signals
FUZZ += fuzz_pnio_cm
fuzz_pnio_cm_SRCS = tests/fuzz/fuzz_pnio_cm.c $(DECODE_SRCS) \
	daemon/desc/desc_pnar.c $(DESC_PURE_SRCS)
fuzz_pnio_cm_LDLIBS = -lxml2
