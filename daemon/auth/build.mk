# daemon/auth: users, roles, passwords, TOTP, sessions, audit chain.
DAEMON_LDLIBS += -largon2 -lsqlite3 -ljansson -lcrypto

TESTS += test_auth
test_auth_SRCS = tests/api/test_auth.c daemon/auth/perm.c daemon/auth/util.c \
	daemon/auth/password.c daemon/auth/totp.c daemon/auth/seal.c \
	daemon/auth/audit.c daemon/auth/users.c daemon/auth/tokens.c \
	daemon/auth/settings.c daemon/auth/session.c daemon/core/dbfile.c \
	daemon/core/dbschema.c daemon/core/log.c
# --wrap: the test makes getrandom() fail (tests/api/test_auth.c)
test_auth_LDLIBS = -largon2 -lsqlite3 -ljansson -lcrypto -Wl,--wrap=getrandom

# named for "make check T=api", beside the API tests that hold requests on it
TESTS += test_api_hash_worker
test_api_hash_worker_SRCS = tests/api/test_hash_worker.c daemon/auth/hash_worker.c daemon/core/workq.c \
	daemon/auth/password.c daemon/auth/util.c
test_api_hash_worker_LDLIBS = -largon2 -lcrypto -levent -lpthread
