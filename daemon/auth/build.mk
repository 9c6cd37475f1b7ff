# daemon/auth: users, roles, passwords, TOTP, sessions, audit chain.
DAEMON_LDLIBS += -largon2 -lsqlite3 -ljansson -lcrypto

TESTS += test_auth
test_auth_SRCS = tests/api/test_auth.c daemon/auth/perm.c daemon/auth/util.c \
	daemon/auth/password.c daemon/auth/totp.c daemon/auth/seal.c \
	daemon/auth/audit.c daemon/auth/users.c daemon/auth/tokens.c \
	daemon/auth/settings.c daemon/auth/session.c
test_auth_LDLIBS = -largon2 -lsqlite3 -ljansson -lcrypto
