/*
 * The TLS context: TLS 1.2 and 1.3 only, forward-secret AEAD suites for
 * 1.2, no renegotiation or compression.  Without a configured certificate
 * a self-signed P-256 one is made on first run and kept in <state_dir>/tls/.
 *
 * The state directory is the daemon user's, tls/ and its files are not:
 * they are made by root (when iiotd starts as root; the key is read before
 * the drop, so it stays 0600, the certificate is the group's to read), and
 * root never follows a link there.  tls/ is opened
 * with O_NOFOLLOW and must be root's; files are opened relative to it with
 * O_NOFOLLOW, made with O_EXCL, and handed over through their descriptors.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"

#define TLS12_CIPHERS "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

/* A new key and the certificate signed with it; 0 or -1. */
static int generate(EVP_PKEY **pkp, X509 **xp)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	X509_NAME *n;
	BIGNUM *bn = BN_new();
	char san[300], host[128] = "localhost";
	int ok = 0;

	if (!pk || !x || !bn)
		goto out;
	gethostname(host, sizeof(host) - 1);
	snprintf(san, sizeof(san), "DNS:localhost,IP:127.0.0.1,IP:::1,DNS:%s", host);
	X509_set_version(x, 2);
	if (!BN_rand(bn, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		goto out;
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	/* 825 days: the longest lifetime browsers accept for a leaf */
	X509_gmtime_adj(X509_getm_notAfter(x), 825L * 86400);
	X509_set_pubkey(x, pk);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"iiot", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)host, -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	if (!ext)
		goto out;
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_ext_key_usage, "serverAuth");
	if (ext) {
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (!X509_sign(x, pk, EVP_sha256()))
		goto out;
	ok = 1;
out:
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		EVP_PKEY_free(pk);
		return -1;
	}
	*pkp = pk;
	*xp = x;
	return 0;
}

/* tls/ under the state directory: ours, never a link; its descriptor. */
static int open_tls_dir(const char *state_dir, gid_t group, char *err,
			size_t errlen)
{
	struct stat st;
	int sfd, tfd, e;

	sfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0) {
		snprintf(err, errlen, "%s: %s", state_dir, strerror(errno));
		return -1;
	}
	if (mkdirat(sfd, "tls", 0750) && errno != EEXIST) {
		snprintf(err, errlen, "%s/tls: %s", state_dir, strerror(errno));
		close(sfd);
		return -1;
	}
	tfd = openat(sfd, "tls", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	e = errno;
	close(sfd);
	if (tfd < 0) {
		snprintf(err, errlen, "%s/tls: %s: refusing to keep TLS "
			 "material there (remove it; iiotd makes it anew)",
			 state_dir, e == ELOOP || e == ENOTDIR ?
			 "a symbolic link or not a directory" : strerror(e));
		return -1;
	}
	if (fstat(tfd, &st) || st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s/tls belongs to uid %u, not %u: "
			 "refusing to keep TLS material there (remove it; "
			 "iiotd makes it anew)", state_dir,
			 (unsigned)st.st_uid, (unsigned)geteuid());
		close(tfd);
		return -1;
	}
	/* only its owner writes here; the daemon's group reads */
	if ((group != (gid_t)-1 && st.st_gid != group &&
	     fchown(tfd, (uid_t)-1, group)) ||
	    ((st.st_mode & 07777) != 0750 && fchmod(tfd, 0750))) {
		snprintf(err, errlen, "%s/tls: %s", state_dir, strerror(errno));
		close(tfd);
		return -1;
	}
	return tfd;
}

/* Mode and group through the descriptor: the file may predate them. */
static int own_fd(int fd, gid_t group, mode_t mode)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_uid != geteuid()) {
		errno = EPERM;
		return -1;
	}
	if (group != (gid_t)-1 && st.st_gid != group &&
	    fchown(fd, (uid_t)-1, group))
		return -1;
	return (st.st_mode & 07777) == mode ? 0 : fchmod(fd, mode);
}

/* NULL with errno ENOENT when missing. */
static FILE *open_pem(int tfd, const char *name, gid_t group, mode_t mode)
{
	int fd = openat(tfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			O_CLOEXEC);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (own_fd(fd, group, mode) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return NULL;
	}
	return f;
}

static FILE *create_pem(int tfd, const char *name, gid_t group, mode_t mode)
{
	FILE *f;
	int fd;

	if (unlinkat(tfd, name, 0) && errno != ENOENT)
		return NULL;
	fd = openat(tfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
	if (fd < 0)
		return NULL;
	if (own_fd(fd, group, mode) || !(f = fdopen(fd, "w"))) {
		close(fd);
		return NULL;
	}
	return f;
}

/* The key first: a certificate on disk always has its key. */
static int make_self_signed(int tfd, gid_t group, EVP_PKEY **pk, X509 **x)
{
	FILE *f;
	int ok;

	if (generate(pk, x))
		return -1;
	f = create_pem(tfd, "key.pem", group, 0600);
	ok = f && PEM_write_PrivateKey(f, *pk, NULL, NULL, 0, NULL, NULL);
	if (f && fclose(f))
		ok = 0;
	if (ok) {
		f = create_pem(tfd, "cert.pem", group, 0644);
		ok = f && PEM_write_X509(f, *x);
		if (f && fclose(f))
			ok = 0;
	}
	return ok ? 0 : -1;
}

static int load_self_signed(int tfd, gid_t group, EVP_PKEY **pk, X509 **x)
{
	FILE *cf = open_pem(tfd, "cert.pem", group, 0644), *kf;

	if (!cf)
		return errno == ENOENT ? make_self_signed(tfd, group, pk, x) : -1;
	*x = PEM_read_X509(cf, NULL, NULL, NULL);
	fclose(cf);
	kf = open_pem(tfd, "key.pem", group, 0600);
	if (!kf)
		return -1;
	*pk = PEM_read_PrivateKey(kf, NULL, NULL, NULL);
	fclose(kf);
	return *x && *pk ? 0 : -1;
}

static int use_self_signed(SSL_CTX *ctx, const char *state_dir, gid_t group,
			   char *err, size_t errlen)
{
	EVP_PKEY *pk = NULL;
	X509 *x = NULL;
	int tfd, rc = -1;

	tfd = open_tls_dir(state_dir, group, err, errlen);
	if (tfd < 0)
		return -1;
	errno = 0;
	if (load_self_signed(tfd, group, &pk, &x))
		snprintf(err, errlen, "%s/tls: cannot read or create the "
			 "self-signed certificate: %s", state_dir,
			 errno ? strerror(errno) : "bad PEM");
	else if (SSL_CTX_use_certificate(ctx, x) != 1 ||
		 SSL_CTX_use_PrivateKey(ctx, pk) != 1)
		snprintf(err, errlen, "%s/tls: %s", state_dir,
			 ERR_reason_error_string(ERR_get_error()));
	else
		rc = 0;
	X509_free(x);
	EVP_PKEY_free(pk);
	close(tfd);
	return rc;
}

SSL_CTX *tls_ctx(const char *cert, const char *key, const char *state_dir,
		 gid_t group, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		snprintf(err, errlen, "SSL_CTX_new failed");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1) {
		snprintf(err, errlen, "no TLS 1.2 cipher suite");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (!cert || !key) {
		if (use_self_signed(ctx, state_dir, group, err, errlen)) {
			SSL_CTX_free(ctx);
			return NULL;
		}
	} else if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
		   SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "%s / %s: %s", cert, key,
			 ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "the certificate does not match its key: %s",
			 ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
