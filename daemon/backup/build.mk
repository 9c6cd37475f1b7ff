# daemon/backup: encrypted backups (zstd under AES-256-GCM), restore, schedule.
DAEMON_LDLIBS += -lzstd -largon2 -lcrypto -lsqlite3 -ljansson

FUZZ += fuzz_backup_archive
fuzz_backup_archive_SRCS = tests/fuzz/fuzz_backup_archive.c daemon/backup/archive.c
fuzz_backup_archive_LDLIBS = -ljansson -lcrypto

TESTS += test_backup
test_backup_SRCS = tests/backup/test_backup.c daemon/backup/archive.c daemon/backup/bakfile.c \
	daemon/auth/util.c
test_backup_LDLIBS = -ljansson -lcrypto -lzstd -largon2
