/*
 * The archive inside a backup (backup.h): MANIFEST.json, then each file it
 * lists, in its order, each checked for size and SHA-256 before the sink
 * is told it ended.  Anything the manifest does not announce is refused.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/backup.h"

#define MANIFEST	"MANIFEST.json"
#define MANIFEST_MAX	(256U * 1024)
#define BUF		(64U * 1024)

bool bak_name_ok(const char *name)
{
	static const char *const top[] = { "db/", "state/", "tls/", "etc/", NULL };
	size_t i, len = strlen(name);
	bool known = false;

	if (!len || len > BAK_NAME_MAX || strstr(name, "..") || strstr(name, "//") ||
	    name[len - 1] == '/')
		return false;
	for (i = 0; top[i]; i++)
		known |= !strncmp(name, top[i], strlen(top[i]));
	if (!known || strchr(strchr(name, '/') + 1, '/'))
		return false;
	for (i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-/", name[i]))
			return false;
	return true;
}

static int rd_exact(bak_readfn rd, void *ctx, void *buf, size_t n, const char *what,
		    char *err, size_t errlen)
{
	ssize_t got = rd(ctx, buf, n);

	if (got == (ssize_t)n)
		return 0;
	if (got >= 0)
		snprintf(err, errlen, "corrupt archive: it ends inside %s", what);
	else if (!*err)
		snprintf(err, errlen, "read failed inside %s", what);
	return -1;
}

/* the entry header: name (NUL-terminated into name) and size; 1 at the end */
static int entry_head(bak_readfn rd, void *ctx, char name[BAK_NAME_MAX + 1], uint64_t *size,
		      char *err, size_t errlen)
{
	uint8_t b[8];
	size_t len;
	int i;

	if (rd_exact(rd, ctx, b, 2, "an entry header", err, errlen))
		return -1;
	len = (size_t)b[0] << 8 | b[1];
	if (!len)
		return 1;
	if (len > BAK_NAME_MAX) {
		snprintf(err, errlen, "corrupt archive: a name of %zu bytes", len);
		return -1;
	}
	if (rd_exact(rd, ctx, name, len, "an entry name", err, errlen) ||
	    rd_exact(rd, ctx, b, 8, "an entry size", err, errlen))
		return -1;
	name[len] = '\0';
	for (*size = 0, i = 0; i < 8; i++)
		*size = *size << 8 | b[i];
	return 0;
}

static int hex32(const char *s, uint8_t out[32])
{
	unsigned v;
	int i;

	if (!s || strlen(s) != 64 || strspn(s, "0123456789abcdef") != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void copy_str(char *dst, size_t len, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", v ? v : "");
}

static int parse_manifest(const char *text, size_t len, struct bak_manifest *m,
			  char *err, size_t errlen)
{
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL), *files, *f;
	size_t i, k;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	files = json_object_get(j, "files");
	if (!json_is_object(j) || !json_is_array(files) ||
	    strcmp(json_string_value(json_object_get(j, "format")) ?: "", "iiot-backup")) {
		snprintf(err, errlen, "corrupt archive: not an iiot backup manifest");
		goto out;
	}
	if (json_array_size(files) > BAK_MAX_FILES) {
		snprintf(err, errlen, "corrupt archive: more than %d files", BAK_MAX_FILES);
		goto out;
	}
	copy_str(m->created, sizeof(m->created), j, "created");
	copy_str(m->host, sizeof(m->host), j, "host");
	copy_str(m->version, sizeof(m->version), j, "version");
	copy_str(m->state_dir, sizeof(m->state_dir), j, "state_dir");
	json_array_foreach(files, i, f) {
		struct bak_entry *e = &m->e[i];
		const char *name = json_string_value(json_object_get(f, "name"));
		json_t *size = json_object_get(f, "size");

		if (!name || !bak_name_ok(name) || !json_is_integer(size) ||
		    json_integer_value(size) < 0 ||
		    hex32(json_string_value(json_object_get(f, "sha256")), e->sha)) {
			snprintf(err, errlen, "corrupt archive: manifest entry %zu is malformed", i);
			goto out;
		}
		for (k = 0; k < i; k++)
			if (!strcmp(m->e[k].name, name)) {
				snprintf(err, errlen, "corrupt archive: %s listed twice", name);
				goto out;
			}
		snprintf(e->name, sizeof(e->name), "%s", name);
		copy_str(e->path, sizeof(e->path), f, "path");
		e->size = (uint64_t)json_integer_value(size);
		m->n++;
	}
	rc = 0;
out:
	json_decref(j);
	return rc;
}

static int read_manifest(bak_readfn rd, void *ctx, struct bak_manifest *m, char *err,
			 size_t errlen)
{
	char name[BAK_NAME_MAX + 1], *text;
	uint64_t size;
	int rc;

	rc = entry_head(rd, ctx, name, &size, err, errlen);
	if (rc)
		return rc > 0 ? (snprintf(err, errlen, "corrupt archive: empty"), -1) : -1;
	if (strcmp(name, MANIFEST) || size > MANIFEST_MAX) {
		snprintf(err, errlen, "corrupt archive: it does not start with its manifest");
		return -1;
	}
	text = malloc(size ? size : 1);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = rd_exact(rd, ctx, text, size, "the manifest", err, errlen) ||
	     parse_manifest(text, size, m, err, errlen) ? -1 : 0;
	free(text);
	return rc;
}

static int read_entry(bak_readfn rd, void *ctx, const struct bak_entry *e, bak_sinkfn sink,
		      void *sctx, uint8_t *buf, char *err, size_t errlen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t sha[32];
	uint64_t left = e->size;
	size_t k;
	int rc = -1;

	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		snprintf(err, errlen, "SHA-256 unavailable");
		goto out;
	}
	if (sink && sink(sctx, e, 0, NULL, 0))
		goto out;
	while (left) {
		k = left < BUF ? (size_t)left : BUF;
		if (rd_exact(rd, ctx, buf, k, e->name, err, errlen) ||
		    EVP_DigestUpdate(md, buf, k) != 1 || (sink && sink(sctx, e, 1, buf, k)))
			goto out;
		left -= k;
	}
	if (EVP_DigestFinal_ex(md, sha, NULL) != 1 || memcmp(sha, e->sha, 32)) {
		snprintf(err, errlen, "%s: checksum does not match the manifest", e->name);
		goto out;
	}
	if (sink && sink(sctx, e, 2, NULL, 0))
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int bak_archive_read(bak_readfn rd, void *rctx, struct bak_manifest *m, bak_sinkfn sink,
		     void *sctx, char *err, size_t errlen)
{
	char name[BAK_NAME_MAX + 1];
	uint8_t *buf;
	uint64_t size;
	size_t i;
	int rc = -1;

	*err = '\0';
	if (read_manifest(rd, rctx, m, err, errlen))
		return -1;
	buf = malloc(BUF);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < m->n; i++) {
		rc = entry_head(rd, rctx, name, &size, err, errlen);
		if (rc > 0)
			snprintf(err, errlen, "corrupt archive: %s is missing", m->e[i].name);
		if (rc) {
			rc = -1;
			goto out;
		}
		rc = -1;
		if (strcmp(name, m->e[i].name) || size != m->e[i].size) {
			snprintf(err, errlen, "corrupt archive: entry %zu is %s of %llu bytes, the "
				 "manifest says %s of %llu", i + 1, name, (unsigned long long)size,
				 m->e[i].name, (unsigned long long)m->e[i].size);
			goto out;
		}
		if (read_entry(rd, rctx, &m->e[i], sink, sctx, buf, err, errlen))
			goto out;
	}
	if (entry_head(rd, rctx, name, &size, err, errlen) != 1) {
		if (!*err)
			snprintf(err, errlen, "corrupt archive: %s is not in the manifest", name);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}
