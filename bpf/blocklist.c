/*
 * Blocklist map access for iiotd and iiot-xdp; see blocklist.h.  The few
 * map commands go straight to bpf(2), without libbpf, so that iiotd links
 * no BPF library: after its privileges are dropped it only updates the
 * map through the descriptor it opened as root (Linux 6.5+ checks
 * capabilities when a map is created or a program loaded, not on map
 * commands through an open descriptor).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/magic.h>

#include "blocklist.h"
#include "iiot_xdp.h"

static __thread char bl_err[256];

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return (int)syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int obj_get(const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	return sys_bpf(BPF_OBJ_GET, &a);
}

static int obj_pin(int fd, const char *path)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.bpf_fd = (uint32_t)fd;
	return sys_bpf(BPF_OBJ_PIN, &a);
}

static int map_elem(int cmd, int fd, const void *key, void *val,
		    uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)val;	/* next_key for GET_NEXT_KEY */
	a.flags = flags;
	return sys_bpf(cmd, &a);
}

static int map_create(void)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = sizeof(struct iiot_block_key);
	a.value_size = sizeof(struct iiot_block_val);
	a.max_entries = IIOT_XDP_BLOCK_MAX;
	memcpy(a.map_name, "blocklist", sizeof("blocklist"));
	return sys_bpf(BPF_MAP_CREATE, &a);
}

const char *iiot_bl_error(void)
{
	return bl_err;
}

__attribute__((format(printf, 2, 3)))
static int seterr(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bl_err, sizeof(bl_err), fmt, ap);
	va_end(ap);
	return rc;
}

static int perm_hint(int rc, const char *what)
{
	if (rc == -EPERM || rc == -EACCES)
		return seterr(rc, "%s: permission denied (needs CAP_BPF and "
			      "CAP_NET_ADMIN, or root)", what);
	return seterr(rc, "%s: %s", what, strerror(-rc));
}

/* bpffs must be mounted where the pins live; mount it like systemd does. */
static int ensure_bpffs(void)
{
	struct statfs sfs;

	if (statfs("/sys/fs/bpf", &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		int rc = -errno;

		return seterr(rc, "/sys/fs/bpf is not a BPF filesystem and "
			      "mounting one failed: %s%s", strerror(-rc),
			      rc == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
	}
	return 0;
}

int iiot_bpf_dir(const char *ifname, char *buf, size_t len, bool mk)
{
	int rc;

	if (!ifname || !*ifname || strchr(ifname, '/') || strlen(ifname) >= 16)
		return seterr(-EINVAL, "bad interface name '%s'",
			      ifname ? ifname : "");
	if ((size_t)snprintf(buf, len, "%s/%s", IIOT_BPF_DIR, ifname) >= len)
		return seterr(-ENAMETOOLONG, "path too long");
	rc = ensure_bpffs();
	if (rc)
		return rc;
	if (mk) {
		if (mkdir(IIOT_BPF_DIR, 0700) && errno != EEXIST)
			return perm_hint(-errno, "mkdir " IIOT_BPF_DIR);
		if (mkdir(buf, 0700) && errno != EEXIST)
			return perm_hint(-errno, "mkdir pin directory");
	}
	return 0;
}

int iiot_bl_open(const char *ifname, bool create)
{
	char dir[128], path[160];
	int rc;

	rc = iiot_bpf_dir(ifname, dir, sizeof(dir), create);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/blocklist", dir);
	rc = iiot_bl_open_path(path, create);
	if (rc == -ENOENT)
		return seterr(rc, "no blocklist pinned at %s: start iiot-xdp "
			      "on %s, or add an entry first", path, ifname);
	return rc;
}

/* The directories above path, made 0700 like iiot_bpf_dir's. */
static int mkparents(const char *path)
{
	char buf[256], *p;
	int rc;

	if (strncmp(path, "/sys/fs/bpf/", 12) ||
	    strlen(path) >= sizeof(buf))
		return seterr(-EINVAL, "%s is not a path below /sys/fs/bpf",
			      path);
	rc = ensure_bpffs();
	if (rc)
		return rc;
	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 12; (p = strchr(p, '/')); p++) {
		*p = 0;
		if (mkdir(buf, 0700) && errno != EEXIST)
			return perm_hint(-errno, buf);
		*p = '/';
	}
	return 0;
}

int iiot_bl_open_path(const char *path, bool create)
{
	int fd, rc;

	fd = obj_get(path);
	if (fd >= 0)
		return fd;
	rc = -errno;
	if (rc != -ENOENT || !create) {
		if (rc == -ENOENT)
			return seterr(rc, "no blocklist pinned at %s", path);
		return perm_hint(rc, path);
	}
	rc = mkparents(path);
	if (rc)
		return rc;
	/* Same type, sizes and flags as the program's map: libbpf reuses it. */
	fd = map_create();
	if (fd < 0)
		return perm_hint(-errno, "create blocklist map");
	if (obj_pin(fd, path)) {
		rc = -errno;
		close(fd);
		/* someone else created it meanwhile: use theirs */
		if (rc == -EEXIST && (fd = obj_get(path)) >= 0)
			return fd;
		return perm_hint(rc, path);
	}
	return fd;
}

void iiot_bl_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void mk_key(struct iiot_block_key *k, const uint8_t mac[6])
{
	memset(k, 0, sizeof(*k));
	memcpy(k->mac, mac, 6);
}

int iiot_bl_add(int fd, const uint8_t mac[6])
{
	struct iiot_block_key k;
	struct iiot_block_val v;
	struct timespec ts;

	mk_key(&k, mac);
	if (map_elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0) == 0)
		return 0;
	memset(&v, 0, sizeof(v));
	clock_gettime(CLOCK_REALTIME, &ts);
	v.added_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (map_elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_NOEXIST) && errno != EEXIST) {
		if (errno == E2BIG || errno == ENOMEM)
			return seterr(-errno, "blocklist is full (%u entries)",
				      IIOT_XDP_BLOCK_MAX);
		return perm_hint(-errno, "blocklist add");
	}
	return 0;
}

int iiot_bl_del(int fd, const uint8_t mac[6])
{
	struct iiot_block_key k;
	char s[18];

	mk_key(&k, mac);
	if (map_elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0)) {
		if (errno == ENOENT) {
			iiot_mac_format(mac, s);
			return seterr(-ENOENT, "%s is not on the blocklist", s);
		}
		return perm_hint(-errno, "blocklist delete");
	}
	return 0;
}

int iiot_bl_list(int fd, struct iiot_bl_entry *out, size_t max)
{
	struct iiot_block_key k, next;
	struct iiot_block_val v;
	void *prev = NULL;
	int n = 0;

	while (map_elem(BPF_MAP_GET_NEXT_KEY, fd, prev, &next, 0) == 0) {
		k = next;
		prev = &k;
		if (map_elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0))
			continue;	/* deleted meanwhile */
		if ((size_t)n < max) {
			memcpy(out[n].mac, k.mac, 6);
			out[n].hits = v.hits;
			out[n].bytes = v.bytes;
			out[n].added_ns = v.added_ns;
		}
		n++;
	}
	if (errno != ENOENT)
		return perm_hint(-errno, "blocklist list");
	return n;
}

int iiot_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char sep[5], end;
	int i;

	if (!s || sscanf(s, "%2x%c%2x%c%2x%c%2x%c%2x%c%2x%c", &b[0], &sep[0],
			 &b[1], &sep[1], &b[2], &sep[2], &b[3], &sep[3], &b[4],
			 &sep[4], &b[5], &end) != 11)
		return seterr(-EINVAL, "'%s' is not a MAC address "
			      "(aa:bb:cc:dd:ee:ff)", s ? s : "");
	for (i = 0; i < 5; i++)
		if (sep[i] != ':' && sep[i] != '-')
			return seterr(-EINVAL, "'%s' is not a MAC address", s);
	if (strlen(s) != 17)
		return seterr(-EINVAL, "'%s' is not a MAC address", s);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

void iiot_mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}
