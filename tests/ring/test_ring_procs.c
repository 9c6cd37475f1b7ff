/* libshm across processes: ten million records with checksums, wakeups
 * without polling, and producers killed in the middle of writing. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ring_helpers.h"

#define FRAME 64U
#define BATCH 32

struct shared_counts {
	volatile uint64_t committed;	/* frames the producer committed */
	volatile uint64_t dropped;
	volatile int ready;
};

static struct shared_counts *shared_counts_new(void)
{
	void *p = mmap(NULL, sizeof(struct shared_counts),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		       0);

	assert_true(p != MAP_FAILED);
	memset(p, 0, sizeof(struct shared_counts));
	return p;
}

/* Child: write total frames numbered from base; retry when full if
 * lossless, otherwise drop (the ring's normal behaviour). */
static void produce(const char *path, uint64_t base, uint64_t total,
		    bool lossless, struct shared_counts *sc)
{
	struct shm_ring_opts o = { .data_size = 1U << 20, .snap_len = 256 };
	struct shm_ring *r;
	uint64_t k, seq;
	uint8_t *dst;

	if (shm_prod_create(&r, path, &o))
		_exit(3);
	sc->ready = 1;
	for (k = 0; k < total; k++) {
		seq = base + k;
		while (lossless && !shm_prod_has_room(r, FRAME)) {
			shm_prod_commit(r);
			sched_yield();
		}
		dst = shm_prod_reserve(r, FRAME, FRAME, seq, 1, 0);
		if (dst)
			frame_fill(dst, FRAME, seq);
		if (k % BATCH == BATCH - 1) {
			shm_prod_commit(r);
			sc->committed = k + 1;
		}
	}
	shm_prod_close(r);
	sc->committed = total;
	_exit(0);
}

struct tally {
	uint64_t frames, gaps, next;
	uint64_t bad;
};

/* Drain until end of stream, or until the producer is gone (child 0:
 * already reaped) and nothing is left; *status gets its exit status. */
static void consume_all(struct shm_ring *c, struct tally *t, pid_t child,
			int *status)
{
	const struct iiot_ring_rec *rec;
	const uint8_t *frame;
	uint64_t seq;
	int n;

	for (;;) {
		n = 0;
		while ((rec = shm_cons_peek(c, &frame))) {
			if (rec->cap_len != FRAME ||
			    frame_check(frame, FRAME, &seq) || seq < t->next)
				t->bad++;
			else {
				t->gaps += seq - t->next;
				t->next = seq + 1;
			}
			t->frames++;
			if (++n == 256)
				break;
		}
		shm_cons_release(c);
		if (n)
			continue;
		if (shm_cons_eof(c))
			return;
		if (shm_cons_wait(c, 1000) > 0)
			continue;
		if (child && waitpid(child, status, WNOHANG) == child)
			child = 0;
		if (!child && !shm_cons_arm(c))
			return;
	}
}

static void run_two_procs(bool lossless)
{
	const char *path = ring_test_path(lossless ? "ll" : "fr");
	struct shared_counts *sc = shared_counts_new();
	const uint64_t total = 10 * 1000 * 1000;
	struct shm_ring *c;
	struct shm_stats st;
	struct tally t = { 0 };
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		produce(path, 0, total, lossless, sc);
	while (!sc->ready)
		usleep(1000);
	assert_int_equal(shm_cons_open(&c, path), 0);
	status = -1;
	consume_all(c, &t, pid, &status);
	if (status == -1)
		assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	shm_ring_stats(c, &st);
	assert_int_equal(t.bad, 0);
	assert_int_equal(st.corrupt, 0);
	/* every frame arrived or was counted as dropped, in order, once */
	assert_int_equal(t.frames + st.drops, total);
	assert_int_equal(t.gaps + (total - t.next), st.drops);
	assert_int_equal(st.records, t.frames);
	if (lossless)
		assert_int_equal(t.frames, total);
	shm_ring_close(c, false);
	ring_path_cleanup(path);
}

static void test_ten_million_lossless(void **state)
{
	(void)state;
	run_two_procs(true);
}

static void test_ten_million_free_running(void **state)
{
	(void)state;
	run_two_procs(false);
}

static void test_sleeping_consumer_woken(void **state)
{
	const char *path = ring_test_path("wk");
	struct shm_ring_opts o = { .data_size = 1U << 16 };
	const struct iiot_ring_rec *rec;
	const uint8_t *frame;
	struct shm_ring *p, *c;
	pid_t pid;

	(void)state;
	assert_int_equal(shm_prod_create(&p, path, &o), 0);
	assert_int_equal(shm_cons_open(&c, path), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(200 * 1000);
		shm_prod_write(p, "wake", 4, 4, 1, 1, 0);
		shm_prod_commit(p);
		_exit(0);
	}
	/* blocks in poll(); only the producer's wakeup can end it early */
	assert_int_equal(shm_cons_wait(c, 20000), 1);
	rec = shm_cons_peek(c, &frame);
	assert_non_null(rec);
	assert_memory_equal(frame, "wake", 4);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	/* idle: the wait times out instead of spinning */
	shm_cons_release(c);
	assert_int_equal(shm_cons_wait(c, 50), 0);
	shm_ring_close(c, false);
	shm_ring_close(p, true);
}

/* Kill producers at random points; each successor takes the ring over.
 * Nothing committed is lost, nothing is duplicated, nothing is corrupt. */
static void test_producer_killed_mid_write(void **state)
{
	const char *path = ring_test_path("kl");
	struct shared_counts *sc = shared_counts_new();
	struct shm_ring *c = NULL;
	struct tally t = { 0 };
	struct shm_stats st;
	uint64_t gen, last_k;
	pid_t pid;

	(void)state;
	srand((unsigned int)time(NULL));
	for (gen = 1; gen <= 20; gen++) {
		memset((void *)sc, 0, sizeof(*sc));
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			produce(path, gen << 40, 1ULL << 40, true, sc);
		while (!sc->ready)
			usleep(500);
		if (!c)
			assert_int_equal(shm_cons_open(&c, path), 0);
		usleep(2000 + (useconds_t)(rand() % 20000));
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, NULL, 0), pid);
		t.next = gen << 40;
		t.gaps = 0;
		consume_all(c, &t, 0, NULL);
		last_k = t.next - (gen << 40);
		assert_int_equal(t.bad, 0);
		assert_int_equal(t.gaps, 0);
		/* committed before the counter was updated, at most a batch */
		assert_true(last_k >= sc->committed);
		assert_true(last_k <= sc->committed + BATCH);
	}
	shm_ring_stats(c, &st);
	assert_int_equal(st.corrupt, 0);
	assert_int_equal(st.drops, 0);
	assert_int_equal(st.records, st.consumed);
	shm_ring_close(c, false);
	ring_path_cleanup(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_million_lossless),
		cmocka_unit_test(test_ten_million_free_running),
		cmocka_unit_test(test_sleeping_consumer_woken),
		cmocka_unit_test(test_producer_killed_mid_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
