# libshm unit tests (cmocka, ASan + UBSan).
TESTS += test_ring
test_ring_SRCS := tests/ring/test_ring.c tests/ring/ring_helpers.c $(wildcard libshm/*.c)
TESTS += test_ring_procs
test_ring_procs_SRCS := tests/ring/test_ring_procs.c tests/ring/ring_helpers.c $(wildcard libshm/*.c)
FUZZ += fuzz_ring
fuzz_ring_SRCS := tests/fuzz/fuzz_ring.c tests/ring/ring_helpers.c $(wildcard libshm/*.c)
