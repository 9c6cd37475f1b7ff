# Decoder unit tests (cmocka, ASan + UBSan), built from the decoder sources.
TESTS += test_decode
test_decode_SRCS := tests/decode/test_decode.c $(wildcard daemon/decode/*.c)
test_decode_LDLIBS := -ljansson
