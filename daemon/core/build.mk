# iiotd: the daemon.  Its library code is in libiiotd.a (daemon/build.mk);
# main.c only parses arguments and runs the loop.
DAEMON_LDLIBS += -levent -levent_pthreads -lsqlite3 -ljansson -lpcap

PROGS += iiotd
iiotd_SRCS = daemon/core/main.c
iiotd_DEPS = $(LIBIIOTD_A) $(LIBSHM_A)
iiotd_LDLIBS = $(LIBIIOTD_A) $(LIBSHM_A) $(DAEMON_LDLIBS)
