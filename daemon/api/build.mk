# daemon/api: the HTTPS server inside iiotd (evhttp + OpenSSL), routes, SSE.
DAEMON_LDLIBS += -levent_openssl -levent -lssl -lcrypto -lqrencode -ljansson
subsys_api_CFLAGS = -DIIOT_WEBROOT='"$(CURDIR)/web"'

FUZZ += fuzz_api_parse fuzz_auth_totp
fuzz_api_parse_SRCS = tests/fuzz/fuzz_api_parse.c daemon/api/parse.c \
	daemon/decode/wirestr.c
fuzz_api_parse_LDLIBS = -ljansson
fuzz_auth_totp_SRCS = tests/fuzz/fuzz_auth_totp.c daemon/auth/totp.c
fuzz_auth_totp_LDLIBS = -lcrypto

TESTS += test_api_parse
test_api_parse_SRCS = tests/api/test_parse.c daemon/api/parse.c daemon/decode/wirestr.c
test_api_parse_LDLIBS = -ljansson

TESTS += test_api_devquery
test_api_devquery_SRCS = tests/api/test_devquery.c daemon/api/devquery.c daemon/api/parse.c \
	daemon/decode/wirestr.c
test_api_devquery_LDLIBS = -ljansson

TESTS += test_api_prom
test_api_prom_SRCS = tests/api/test_prom.c daemon/api/prom.c
test_api_prom_LDLIBS = -ljansson -lm

FUZZ += fuzz_dashboard
fuzz_dashboard_SRCS = tests/fuzz/fuzz_dashboard.c daemon/api/dashdoc.c daemon/api/parse.c \
	daemon/decode/wirestr.c
fuzz_dashboard_LDLIBS = -ljansson -lm

TESTS += test_api_dashdoc
test_api_dashdoc_SRCS = tests/api/test_dashdoc.c daemon/api/dashdoc.c
test_api_dashdoc_LDLIBS = -ljansson -lm
