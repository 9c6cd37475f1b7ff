# libshm: the ring library every producer and consumer links.
LIBSHM_SRCS := $(wildcard libshm/*.c)
LIBSHM_A := $(BUILD)/lib/libshm.a
LIBSHM_SAN_A := $(BUILD)/lib/libshm-san.a

$(LIBSHM_A): $(call objs,$(LIBSHM_SRCS))
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@ && $(AR) rcs $@ $^

$(LIBSHM_SAN_A): $(call sobjs,$(LIBSHM_SRCS))
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@ && $(AR) rcs $@ $^

all: $(LIBSHM_A)
