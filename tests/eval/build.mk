# The self-evaluation library (daemon/eval): checks and eval.db.
TESTS += test_eval
test_eval_SRCS := tests/eval/test_eval.c
test_eval_LDLIBS = $(DAEMON_LDLIBS)
$(BUILD)/tests/test_eval: $(LIBIIOTD_SAN_A) $(LIBSHM_SAN_A)
