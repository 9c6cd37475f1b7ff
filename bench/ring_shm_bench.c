/*
 * libshm ring benchmark: 64-byte frames from a producer process on one CPU
 * to a consumer process on another, through the public libshm API.  The
 * consumer checks order and a checksum of every byte, so a fast but lossy
 * ring cannot pass.
 *
 *   ring_shm_bench [RECORDS] [RING_BYTES] [PRODUCER_CPU] [CONSUMER_CPU]
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libshm.h"
#include "ring_bench.h"

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "ring_shm_bench: cannot pin to CPU %d: %s\n",
			cpu, strerror(errno));
}

static inline void relax(void)
{
	__builtin_ia32_pause();
}

struct result {
	uint64_t n, sum, ns;
	int order_ok;
};

static int consume(const char *path, uint64_t n, int ready_fd, int res_fd)
{
	const struct iiot_ring_rec *rec;
	struct result res = { .order_ok = 1 };
	const uint8_t *f;
	struct shm_ring *r;
	unsigned int batch = 0;
	char c = 1;

	if (shm_cons_open(&r, path)) {
		fprintf(stderr, "ring_shm_bench: %s\n", shm_error());
		return 1;
	}
	if (write(ready_fd, &c, 1) != 1)
		return 1;
	while (res.n < n) {
		rec = shm_cons_peek(r, &f);
		if (!rec) {
			if (batch) {
				shm_cons_release(r);
				batch = 0;
			}
			relax();
			continue;
		}
		if (rec->cap_len != RB_FRAME ||
		    !rb_check(f, res.n, &res.sum))
			res.order_ok = 0;
		res.n++;
		if (++batch == RB_BURST) {
			shm_cons_release(r);
			batch = 0;
		}
	}
	shm_cons_release(r);
	if (write(res_fd, &res, sizeof(res)) != sizeof(res))
		return 1;
	shm_ring_close(r, false);
	return 0;
}

/*
 * Never let the ring drop: a benchmark must deliver every frame.  The
 * producer waits for room the way libshm offers to sources that may wait
 * (shm_prod_has_room: cached consumer position, reloaded only when short).
 */
static int produce(struct shm_ring *r, uint64_t n)
{
	uint64_t seq = 0;
	unsigned int i, k;
	uint8_t *dst;

	while (seq < n) {
		k = n - seq < RB_BURST ? (unsigned int)(n - seq) : RB_BURST;
		for (i = 0; i < k; i++, seq++) {
			while (!shm_prod_has_room(r, RB_FRAME))
				relax();
			dst = shm_prod_reserve(r, RB_FRAME, RB_FRAME, seq, 0, 0);
			if (!dst) {
				fprintf(stderr, "ring_shm_bench: ring full at "
					"%llu\n", (unsigned long long)seq);
				return 1;
			}
			rb_fill(dst, seq);
		}
		shm_prod_commit(r);
	}
	return 0;
}

static void unlink_ring(const char *path)
{
	char wake[80];

	snprintf(wake, sizeof(wake), "%s.wake", path);
	unlink(path);
	unlink(wake);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 50000000ULL;
	uint64_t size = argc > 2 ? strtoull(argv[2], NULL, 0) : 1U << 20;
	int pcpu = argc > 3 ? atoi(argv[3]) : 0;
	int ccpu = argc > 4 ? atoi(argv[4]) : 1;
	struct shm_ring_opts o = { .data_size = size, .snap_len = 128,
				   .source = IIOT_SRC_UNKNOWN,
				   .name = "ring-bench" };
	int ready[2], resp[2], status, rc;
	struct shm_ring *r;
	struct result res;
	char path[64], c;
	uint64_t t0, t1;
	pid_t pid;

	snprintf(path, sizeof(path), "/dev/shm/iiot-ring-bench-%d",
		 (int)getpid());
	if (shm_prod_create(&r, path, &o)) {
		fprintf(stderr, "ring_shm_bench: %s\n", shm_error());
		return 1;
	}
	if (pipe(ready) || pipe(resp))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		pin(ccpu);
		_exit(consume(path, n, ready[1], resp[1]));
	}
	pin(pcpu);
	rc = read(ready[0], &c, 1) != 1;
	/* both ends have it mapped: no exit path (a crash, a signal, the
	 * bench's trap) leaves the ring in /dev/shm */
	unlink_ring(path);
	if (rc) {
		fprintf(stderr, "ring_shm_bench: consumer did not start\n");
		kill(pid, SIGKILL);
		return 1;
	}
	t0 = rb_now_ns();
	rc = produce(r, n);
	if (rc)
		kill(pid, SIGKILL);
	else if (read(resp[0], &res, sizeof(res)) != sizeof(res))
		rc = 1;
	t1 = rb_now_ns();
	waitpid(pid, &status, 0);
	shm_ring_close(r, true);
	if (rc)
		return rc;
	rb_report("libshm", res.n, t1 - t0, res.sum == rb_expected(n),
		  res.order_ok);
	return res.sum == rb_expected(n) && res.order_ok ? 0 : 1;
}
