#!/usr/bin/env bash
# Install the Debian packages iiot needs to build, test and benchmark.
# Each component lists its packages in scripts/deps/<component>.list
# (one per line, '#' comments).  Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t want < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/deps/*.list | tr -d ' \t' | sort -u)
missing=()
for p in "${want[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
((${#missing[@]})) || exit 0

echo "deps: installing ${missing[*]}"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
