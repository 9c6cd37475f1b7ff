#!/bin/sh
# "make deb" (pkg/build.mk): dpkg-buildpackage on a copy of this tree.
#   pkg/dpkgbuild.sh SRC OBJ OUT [VERSION] [BUILD]
# SRC is made afresh from the tree (no .git, nothing .gitignore names, not
# BUILD) plus the chart library of web/node_modules the web UI package
# serves; OBJ holds the objects between builds (debian/rules IIOT_OBJ);
# the .deb and .ddeb files go to OUT, the build's log to OUT/build.log.
# VERSION, when not debian/changelog's, becomes a new changelog entry.
set -eu
src=$1 obj=$2 out=$3 version=${4:-} build=${5:-}
top=$(cd "$(dirname "$0")/.." && pwd)

rm -rf "$src" && mkdir -p "$src" "$out"
(cd "$top" && tar --exclude-vcs --exclude-vcs-ignores --exclude=./build \
	${build:+--exclude=".${build#"$top"}"} --exclude=./web/node_modules -cf - .) |
	tar -C "$src" -xf -
(cd "$top" && tar -cf - web/node_modules/.stamp web/node_modules/uplot/dist) |
	tar -C "$src" -xf -

if [ -n "$version" ] && [ "$version" != "$(cd "$src" && dpkg-parsechangelog -S Version)" ]; then
	maint=$(cd "$src" && dpkg-parsechangelog -S Maintainer)
	{
		printf 'iiot (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Built as %s by make deb DEB_VERSION=%s.\n\n' "$version" "$version"
		printf ' -- %s  %s\n\n' "$maint" "$(date -R -u ${SOURCE_DATE_EPOCH:+-d @$SOURCE_DATE_EPOCH})"
		cat "$src/debian/changelog"
	} >"$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
fi

parent=$(dirname "$src")
rm -f "$parent"/*.deb "$parent"/*.ddeb "$parent"/*.changes "$parent"/*.buildinfo
if ! (cd "$src" && IIOT_OBJ=$obj dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -20 "$out/build.log" >&2
	echo "dpkg-buildpackage failed: $out/build.log" >&2
	exit 1
fi
for f in "$parent"/*.deb "$parent"/*.ddeb; do
	[ -e "$f" ] || continue
	mv "$f" "$out/"
	echo "$out/$(basename "$f")"
done
rm -f "$parent"/*.changes "$parent"/*.buildinfo
