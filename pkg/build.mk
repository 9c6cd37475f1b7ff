# make deb: Debian binary packages from the tree (docs/operations.md).
#   build/deb/iiot_VERSION_ARCH.deb       programs, web UI, units, config
#   build/deb/iiot-dkms_VERSION_all.deb   iiot.ko as DKMS source
# Staged with "make install DESTDIR=..." (etc/build.mk), then pkg/mkdeb.sh
# adds control data and maintainer scripts from pkg/deb/.  DEB_VERSION
# defaults to the module's version (dkms.conf) with Debian revision 1.
DEB_VERSION	?= $(IIOT_VERSION)-1
DEB_ARCH	:= $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB_OUT		?= $(BUILD)/deb
DEB_STAGE	?= $(abspath $(BUILD)/deb-stage)

deb: all
	$(Q)rm -rf $(DEB_STAGE) && mkdir -p $(DEB_STAGE)
	$(Q)$(MAKE) --no-print-directory install DESTDIR=$(DEB_STAGE)/iiot \
		PREFIX=/usr UNITDIR=/lib/systemd/system >/dev/null
	$(Q)$(MAKE) --no-print-directory install-dkms \
		DESTDIR=$(DEB_STAGE)/iiot-dkms PREFIX=/usr
	$(call msg,DEB,$(DEB_OUT))
	$(Q)pkg/mkdeb.sh $(DEB_STAGE)/iiot iiot $(DEB_VERSION) $(DEB_ARCH) $(DEB_OUT)
	$(Q)pkg/mkdeb.sh $(DEB_STAGE)/iiot-dkms iiot-dkms $(DEB_VERSION) all $(DEB_OUT)

.PHONY: deb
