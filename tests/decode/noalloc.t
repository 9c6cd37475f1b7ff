#!/usr/bin/env bash
# The hot decoder never allocates: no object of daemon/decode/ except the
# JSON writer refers to an allocator or to stdio.
. "$(dirname "$0")/../lib.sh"
objs=$(ls "$BUILD"/obj/daemon/decode/*.o 2>/dev/null | grep -v '/json\.o$' || true)
[ -n "$objs" ] || skip_all "decoder objects not built"
command -v nm >/dev/null || skip_all "nm not installed"
# shellcheck disable=SC2086
calls=$(nm -u $objs | awk '{print $2}' |
	grep -E '^(malloc|calloc|realloc|free|strdup|strndup|json_.*|printf|fprintf|fopen|mmap)$' |
	sort -u | tr '\n' ' ')
expect_eq "decoder objects call no allocator, JSON or stdio" "$calls" ""
n=$(echo "$objs" | wc -w)
check "every decoder source was checked ($n objects)" test "$n" -ge 9
