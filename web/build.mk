# web/: the static UI iiotd serves; npm installs the chart library (uPlot)
# and playwright-core for the browser tests into web/node_modules (not in git).
WEB_NPM_STAMP := web/node_modules/.stamp
$(WEB_NPM_STAMP): web/package.json web/package-lock.json
	$(call msg,NPM,web/node_modules)
	$(Q)command -v npm >/dev/null || { s=; [ "$$(id -u)" -eq 0 ] || s=sudo; \
		DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -q --no-install-recommends npm >/dev/null; }
	$(Q)cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null
	$(Q)touch $@
EXTRA_ALL += $(WEB_NPM_STAMP)
