#!/bin/sh
# Create what iiotd's privilege model needs (root only, idempotent):
#   - group iiot: rings, their wake FIFOs, /dev/shm/iiot and the kernel
#     module's /dev/iiot/<if> belong to it (mode 0660);
#   - system user iiot in group iiot: the user iiotd drops to, keeping no
#     capability.
# Usage: scripts/iiot-user.sh [USER...]   (also adds each USER to group iiot)
set -eu
if [ "$(id -u)" -ne 0 ]; then
	echo "iiot-user.sh: needs root" >&2
	exit 1
fi
# tests and installs may run this at the same time
exec 9>/run/lock/iiot-user.lock 2>/dev/null || exec 9>/tmp/iiot-user.lock
flock 9
getent group iiot >/dev/null || groupadd --system iiot
if ! getent passwd iiot >/dev/null; then
	useradd --system --gid iiot --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --comment "iiot daemon" iiot
fi
for u in "$@"; do
	id -nG "$u" | tr ' ' '\n' | grep -qx iiot || usermod -aG iiot "$u"
done
