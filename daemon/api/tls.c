/*
 * The TLS context: TLS 1.2 and 1.3 only, forward-secret AEAD suites for
 * 1.2, no renegotiation or compression.  Without a configured certificate
 * a self-signed P-256 one is made on first run and kept in the state dir.
 */
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

static int make_self_signed(const char *cert, const char *key, char *err, size_t errlen)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	X509_NAME *n;
	BIGNUM *bn = BN_new();
	char san[300], host[128] = "localhost";
	FILE *f = NULL;
	int fd, ok = 0;

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
	fd = open(key, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (!PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) || fclose(f))
		goto out;
	f = fopen(cert, "w");
	if (!f || !PEM_write_X509(f, x) || fclose(f))
		goto out;
	ok = 1;
out:
	if (!ok)
		snprintf(err, errlen, "cannot create a self-signed certificate in %s", cert);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(pk);
	return ok ? 0 : -1;
}

SSL_CTX *tls_ctx(const char *cert, const char *key, const char *state_dir,
		 char *err, size_t errlen)
{
	char cbuf[4096], kbuf[4096];
	SSL_CTX *ctx;

	if (!cert || !key) {
		snprintf(cbuf, sizeof(cbuf), "%s/tls", state_dir);
		mkdir(cbuf, 0700);
		snprintf(cbuf, sizeof(cbuf), "%s/tls/cert.pem", state_dir);
		snprintf(kbuf, sizeof(kbuf), "%s/tls/key.pem", state_dir);
		cert = cbuf;
		key = kbuf;
		if (access(cert, R_OK) && make_self_signed(cert, key, err, errlen))
			return NULL;
	}
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		snprintf(err, errlen, "SSL_CTX_new failed");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "%s / %s: %s", cert, key,
			 ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
