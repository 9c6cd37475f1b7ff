#!/bin/sh
# Turn a staged tree into a Debian binary package (pkg/build.mk, "make deb").
#   pkg/mkdeb.sh STAGE NAME VERSION ARCH OUTDIR
# STAGE holds the files as installed (make install DESTDIR=STAGE); this adds
# DEBIAN/ (control from pkg/deb/NAME.control with the shared-library
# dependencies dpkg-shlibdeps finds, maintainer scripts, conffiles for every
# file under /etc, md5sums), the copyright and changelog, strips the
# programs and builds OUTDIR/NAME_VERSION_ARCH.deb owned by root.
set -eu
stage=$1 name=$2 version=$3 arch=$4 out=$5
here=$(cd "$(dirname "$0")" && pwd)
upstream=${version%-*}
case $version in *:*) upstream=${upstream#*:} ;; esac

doc=$stage/usr/share/doc/$name
install -d -m 0755 "$doc" "$stage/DEBIAN"
install -m 0644 "$here/deb/copyright" "$doc/copyright"
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -R -u ${SOURCE_DATE_EPOCH:+-d @$SOURCE_DATE_EPOCH})/" \
	"$here/deb/changelog" | sed "s/^iiot /$name /" | gzip -9n >"$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"
# manual pages compressed, as Debian ships them (make install leaves them plain)
if [ -d "$stage/usr/share/man" ]; then
	find "$stage/usr/share/man" -type f -name '*.[1-8]' -exec gzip -9nf {} +
fi

# programs: stripped, their libraries' packages as dependencies
shlibs=
if [ -d "$stage/usr/bin" ]; then
	for f in "$stage"/usr/bin/*; do
		strip --remove-section=.comment --remove-section=.note \
			--strip-unneeded "$f"
	done
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir "$tmp/debian"
	printf 'Source: iiot\n\nPackage: %s\nArchitecture: any\n' "$name" \
		>"$tmp/debian/control"
	shlibs=$(cd "$tmp" && dpkg-shlibdeps -O --ignore-missing-info \
		"$stage"/usr/bin/* 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
	[ -n "$shlibs" ] || { echo "mkdeb: dpkg-shlibdeps found no libraries" >&2; exit 1; }
fi

for s in postinst prerm postrm preinst; do
	[ -e "$here/deb/$name.$s" ] || continue
	sed "s/@UPSTREAM@/$upstream/g" "$here/deb/$name.$s" >"$stage/DEBIAN/$s"
	chmod 0755 "$stage/DEBIAN/$s"
done
if [ -d "$stage/etc" ]; then
	(cd "$stage" && find etc -type f | sort | sed 's|^|/|') >"$stage/DEBIAN/conffiles"
fi
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' |
	sort | xargs md5sum) >"$stage/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
	-e "s/@SHLIBS@/$shlibs/" "$here/deb/$name.control" >"$stage/DEBIAN/control"
chmod -R u+w,go-w "$stage"
find "$stage" -type d -exec chmod 0755 {} +
find "$stage/DEBIAN" -type f -name '[a-z]*' ! -name 'post*' ! -name 'pre*' -exec chmod 0644 {} +
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/${name}_${version}_$arch.deb" >/dev/null
echo "$out/${name}_${version}_$arch.deb"
