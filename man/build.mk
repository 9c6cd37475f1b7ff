# Manual pages (mdoc, hand-written): iiotd(8), iiotctl(8), iiotd.conf(5) and
# the helpers' iiot-xdp(8), iiot-dpdk(8), iiot-sim(1), iiot-replay(1),
# iiot-ringdump(1), iiot-xdpgen(1).
# "make install" puts them under $(PREFIX)/share/man, and so into the .deb;
# tests/pkg/man.t lints them and checks them against the code.
MAN_PAGES := $(wildcard man/*.[1-8])

INSTALL_HOOKS += install-man

install-man:
	$(Q)$(foreach p,$(MAN_PAGES),install -D -m 0644 $(p) \
		$(DESTDIR)$(PREFIX)/share/man/man$(subst .,,$(suffix $(p)))/$(notdir $(p)) &&) true

.PHONY: install-man
