# iiot top-level Makefile.
#
#   make            build every user-space program into build/bin/
#   make kmod       build the kernel module (KDIR=/lib/modules/<ver>/build)
#   make check      run every test; ends with "N passed, N failed"
#   make bench      run the benchmarks; table + build/bench.json
#   make soak       faults and load, a few minutes (SOAK=long: hours);
#                   table + build/soak.json (docs/soak.md)
#   make fuzz       every fuzz target FUZZ_SECONDS (60) each; build/fuzz.json
#   make run        build, then start iiotd on a simulated line
#   make install    PREFIX=/usr/local DESTDIR= (etc/build.mk)
#   make deb        Debian packages into build/deb/ (pkg/build.mk)
#
# Components add themselves through */build.mk fragments (PROGS, TESTS,
# FUZZ, LIBS); see docs/building.md.  V=1 shows full commands.

.DELETE_ON_ERROR:
.SUFFIXES:

BUILD	?= build
BIN	:= $(BUILD)/bin
PREFIX	?= /usr/local
DESTDIR	?=

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2);
endif

CC	?= cc
ifeq ($(origin CC),default)
CC	:= gcc
endif
CLANG	?= clang
WARN	:= -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
	   -Wmissing-prototypes -Wsign-compare -Wno-missing-field-initializers
CPPFLAGS += -Iinclude -Ilibshm -Idaemon -D_GNU_SOURCE
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 $(WARN) -fPIC
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined
LDFLAGS	?=

all: deps

DEPS_STAMP := $(BUILD)/.deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh $(wildcard scripts/deps/*.list)
	$(Q)scripts/deps.sh
	$(Q)mkdir -p $(@D) && touch $@

PROGS	:=
TESTS	:=
FUZZ	:=
LIBS	:=

objs	= $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
sobjs	= $(patsubst %.c,$(BUILD)/asan/%.o,$(1))

include $(sort $(wildcard */build.mk) $(wildcard */*/build.mk))


$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $($(*F)_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/asan/%.o: %.c | $(DEPS_STAMP)
	$(call msg,CC-SAN,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) $($(*F)_CFLAGS) -MMD -MP -c -o $@ $<

# $(1): program name; $(1)_SRCS, $(1)_LDLIBS from a build.mk
define prog_rule
$(BIN)/$(1): $(call objs,$($(1)_SRCS)) $($(1)_DEPS)
	$$(call msg,LD,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(CC) $(LDFLAGS) -o $$@ $$(filter %.o %.a,$$^) $($(1)_LDLIBS)
endef

# Tests build with ASan + UBSan from the same sources.
define test_rule
$(BUILD)/tests/$(1): $(call sobjs,$($(1)_SRCS))
	$$(call msg,LD-SAN,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(CC) $(SANFLAGS) $(LDFLAGS) -o $$@ $$^ $($(1)_LDLIBS) -lcmocka
endef

# libFuzzer targets: clang, ASan + UBSan.
define fuzz_rule
$(BUILD)/fuzz/$(1): $($(1)_SRCS)
	$$(call msg,FUZZ,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(CLANG) $(CPPFLAGS) -std=gnu11 -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -o $$@ $$^ $($(1)_LDLIBS)
endef

$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))
$(foreach t,$(TESTS),$(eval $(call test_rule,$(t))))
$(foreach f,$(FUZZ),$(eval $(call fuzz_rule,$(f))))

all: $(addprefix $(BIN)/,$(PROGS)) $(EXTRA_ALL)

tests: all $(addprefix $(BUILD)/tests/,$(TESTS)) \
	$(addprefix $(BUILD)/fuzz/,$(FUZZ)) $(EXTRA_TESTS)

check: tests
	$(Q)BUILD=$(BUILD) tests/run.sh $(T)

bench: all $(EXTRA_BENCH)
	$(Q)BUILD=$(BUILD) bench/run.sh $(B)

soak: all $(EXTRA_SOAK)
	$(Q)BUILD=$(BUILD) SOAK=$(SOAK) KIND=soak bench/run.sh $(S)

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ))
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) KIND=fuzz bench/run.sh

run: all $(EXTRA_RUN)
	$(Q)BUILD=$(BUILD) scripts/run.sh

install: all
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/udev/rules.d
	$(Q)install -m 0755 $(addprefix $(BIN)/,$(PROGS)) $(DESTDIR)$(PREFIX)/bin/
	$(Q)install -m 0644 etc/udev/60-iiot.rules $(DESTDIR)$(PREFIX)/lib/udev/rules.d/
	$(Q)if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then scripts/iiot-user.sh; \
	else echo "  as root, create iiotd's user and group: scripts/iiot-user.sh"; fi
	$(Q)$(foreach h,$(INSTALL_HOOKS),$(MAKE) --no-print-directory $(h) &&) true

clean:
	$(Q)rm -rf $(BUILD)
	$(Q)$(foreach h,$(CLEAN_HOOKS),$(MAKE) --no-print-directory $(h) &&) true

.PHONY: all deps tests check bench soak fuzz run install clean

-include $(shell find $(BUILD)/obj $(BUILD)/asan -name '*.d' 2>/dev/null)
