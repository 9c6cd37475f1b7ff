# make deb: Debian packages built with debhelper from debian/ (docs/operations.md)
#   build/deb/iiotd_VERSION_ARCH.deb, iiotctl_..., iiot-helpers_..._ARCH.deb,
#   iiot-web_VERSION_all.deb, iiot-dkms_VERSION_all.deb, iiot_VERSION_all.deb
# pkg/dpkgbuild.sh copies the tree (its files, not build/ or git's
# ignored ones) to DEB_SRC and runs dpkg-buildpackage -us -uc -b there, so
# this tree stays clean, then moves the packages to DEB_OUT.  DEB_VERSION
# (default: debian/changelog's) adds a changelog entry of that version.
# The objects stay in DEB_OBJ between builds.
DEB_VERSION	?=
DEB_OUT		?= $(BUILD)/deb
DEB_SRC		?= $(abspath $(BUILD))/deb-src/iiot-$(IIOT_VERSION)
DEB_OBJ		?= $(abspath $(BUILD))/deb-obj

deb: $(WEB_NPM_STAMP) | $(DEPS_STAMP)
	$(call msg,DEB,$(DEB_OUT))
	$(Q)pkg/dpkgbuild.sh "$(DEB_SRC)" "$(DEB_OBJ)" "$(DEB_OUT)" "$(DEB_VERSION)" "$(abspath $(BUILD))"

.PHONY: deb
