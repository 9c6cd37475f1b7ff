# What "make install" puts beside the programs (docs/building.md):
# systemd units, the udev rule, sample configuration, the web UI, docs and
# the kernel module's source for DKMS.  debian/rules installs the Debian
# packages' files with the same targets (make deb, pkg/build.mk).
#
#   SYSCONFDIR   configuration (/etc): iiot/*.conf are installed only when
#                absent, never over an administrator's file
#   UNITDIR      systemd system units ($(PREFIX)/lib/systemd/system)
IIOT_VERSION	:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
SYSCONFDIR	?= /etc
UNITDIR		?= $(PREFIX)/lib/systemd/system
DATADIR		= $(DESTDIR)$(PREFIX)/share
UNITS_IN	:= $(wildcard etc/systemd/*.service.in)
ETC_SAMPLES	:= etc/iiotd.conf etc/signals.map etc/oee.conf etc/analytics.rules
# the pages, their scripts and translations; of node_modules only the chart
# library iiotd serves (daemon/api/static.c)
WEB_FILES	= $(shell cd web && ls *.html *.css && find js i18n -type f && \
		    find node_modules/uplot/dist -type f 2>/dev/null)
KMOD_SRC	:= Kbuild dkms.conf $(wildcard kmod/*.c kmod/*.h) \
		   $(wildcard include/iiot/*.h)

INSTALL_HOOKS += install-units install-etc install-web install-docs

install-units:
	$(Q)install -d $(DESTDIR)$(UNITDIR)
	$(Q)$(foreach u,$(UNITS_IN),sed 's|@BINDIR@|$(PREFIX)/bin|g' $(u) \
		>$(DESTDIR)$(UNITDIR)/$(notdir $(u:.in=)) &&) true

install-etc:
	$(Q)install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/iiot
	$(Q)$(foreach f,$(ETC_SAMPLES),{ [ -e $(DESTDIR)$(SYSCONFDIR)/iiot/$(notdir $(f)) ] || \
		install -m 0644 $(f) $(DESTDIR)$(SYSCONFDIR)/iiot/; } &&) true

install-web:
	$(Q)cd web && for f in $(WEB_FILES); do \
		install -D -m 0644 $$f $(DATADIR)/iiot/web/$$f || exit 1; done

install-docs:
	$(Q)install -d $(DATADIR)/doc/iiot
	$(Q)install -m 0644 $(wildcard docs/*.md) docs/openapi.yaml $(DATADIR)/doc/iiot/

# The module as DKMS source (/usr/src/iiot-VERSION), loaded at boot through
# modules-load.d; "dkms install iiot/VERSION" builds it (iiot-dkms does that).
install-dkms:
	$(Q)$(foreach f,$(KMOD_SRC),install -D -m 0644 $(f) \
		$(DESTDIR)$(PREFIX)/src/iiot-$(IIOT_VERSION)/$(f) &&) true
	$(Q)install -D -m 0644 etc/modules-load.d/iiot.conf \
		$(DESTDIR)$(PREFIX)/lib/modules-load.d/iiot.conf

.PHONY: install-units install-etc install-web install-docs install-dkms
