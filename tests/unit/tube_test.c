/*
 * tube_test.c - tubes between two processes, through a shared-memory ring
 * and through a socket (lib/task/tube.c, tubering.c): message boundaries
 * and bytes for sizes around the ring's, and a peer that dies mid-message
 * or while the pusher waits for room gives the same error on both kinds,
 * within a bound (alarm) rather than a hang; and a socket that a pop read
 * itself is drained again after it, while the node pops nothing.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "t.h"
#include "tube.h"

#define BOUND_S 60 /* any one case; a hang fails by SIGALRM */

static const size_t sizes[] = {0, 1, 7, 8, 4095, PD_TUBERING_SIZE - 8, PD_TUBERING_SIZE - 1, PD_TUBERING_SIZE,
			       PD_TUBERING_SIZE + 1, 3 * PD_TUBERING_SIZE + 12345, 5, 0, 2};
#define NSIZES (sizeof sizes / sizeof sizes[0])

/* Byte i of message k: a pattern no shift or mix-up of messages keeps. */
static unsigned char pat(size_t k, size_t i) { return (unsigned char)(i * 131 + k * 7 + (i >> 12)); }

/* One tube end of kind shm (1: ring) on fd. */
static void tube_end(struct pd_tube *t, int out, int fd, struct pd_tubering_shm *m)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "t");
	t->out = out;
	t->peer = out ? 1 : 0;
	t->fd = fd;
	t->shm = m;
}

/* The pushing child: every size in turn, then exit. */
static void push_sizes(int fd, struct pd_tubering_shm *m)
{
	struct pd_tubes ts;
	struct pd_tube t;
	char err[PD_ERRLEN];
	unsigned char *b = malloc(3 * PD_TUBERING_SIZE + 12345);
	size_t k, i;

	tube_end(&t, 1, fd, m);
	if (!b || pd_tubes_start(&ts, &t, 1, err))
		_exit(2);
	for (k = 0; k < NSIZES; k++) {
		for (i = 0; i < sizes[k]; i++)
			b[i] = pat(k, i);
		if (pd_tubes_push(&ts, "t", b, sizes[k], err))
			_exit(3);
	}
	pd_tubes_stop(&ts);
	free(b);
	_exit(0);
}

/* Pop every size and check it, then the end. */
static void sizes_case(int shm)
{
	struct pd_tubering_shm *m = shm ? pd_tubering_map(NULL) : NULL;
	struct pd_tubes ts;
	struct pd_tube t;
	char err[PD_ERRLEN];
	const unsigned char *p;
	size_t k, i, len, bad;
	int sv[2], st;
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	if (pid == 0) {
		close(sv[1]);
		push_sizes(sv[0], m);
	}
	close(sv[0]);
	tube_end(&t, 0, sv[1], m);
	CHECK(pd_tubes_start(&ts, &t, 1, err) == 0);
	for (k = 0; k < NSIZES; k++) {
		p = pd_tubes_pop(&ts, "t", &len, err);
		CHECK(p != NULL);
		if (!p)
			break;
		CHECK(len == sizes[k]);
		for (bad = 0, i = 0; i < len && i < sizes[k]; i++)
			bad += p[i] != pat(k, i);
		CHECK(bad == 0);
	}
	CHECK(pd_tubes_pop(&ts, "t", &len, err) == NULL);
	CHECK_STR(err, "pop on 't': node 0 has ended and sent nothing more");
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pd_tubes_stop(&ts);
}

/* The popping side when the pusher dies after part of a 64 MiB message:
 * the error pd_tubes_pop gives (in err). */
static void died_mid_message(int shm, char *err)
{
	struct pd_tubering_shm *m = shm ? pd_tubering_map(NULL) : NULL;
	static unsigned char part[1 << 20];
	unsigned char hdr[8];
	unsigned long long n = 64ull << 20;
	struct pd_tubering r;
	struct pd_tubes ts;
	struct pd_tube t;
	size_t len;
	int sv[2];
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	if (pid == 0) { /* the header and 1 MiB of the body, then death */
		close(sv[1]);
		if (m) {
			pd_tubering_attach(&r, m, 1);
			pd_tubering_put(&r, &n, sizeof n);
			pd_tubering_put(&r, part, sizeof part);
			pd_tubering_flush(&r);
		} else {
			pd_put_be64(hdr, n);
			if (write(sv[0], hdr, sizeof hdr) != sizeof hdr || write(sv[0], part, sizeof part) < 0)
				_exit(2);
		}
		raise(SIGKILL);
	}
	close(sv[0]);
	tube_end(&t, 0, sv[1], m);
	CHECK(pd_tubes_start(&ts, &t, 1, err) == 0);
	CHECK(pd_tubes_pop(&ts, "t", &len, err) == NULL);
	waitpid(pid, NULL, 0);
	pd_tubes_stop(&ts);
}

/* The pushing side of a 64 MiB message when the popper dies without
 * reading: the error pd_tubes_push gives (in err). */
static void popper_died(int shm, char *err)
{
	struct pd_tubering_shm *m = shm ? pd_tubering_map(NULL) : NULL;
	unsigned char *big = calloc(1, 64 << 20);
	struct pd_tubes ts;
	struct pd_tube t;
	int sv[2];
	pid_t pid;

	CHECK(big && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	pid = fork();
	if (pid == 0) { /* holds its end a moment, reads nothing, dies */
		close(sv[0]);
		usleep(200 * 1000);
		raise(SIGKILL);
	}
	close(sv[1]);
	tube_end(&t, 1, sv[0], m);
	CHECK(pd_tubes_start(&ts, &t, 1, err) == 0);
	CHECK(pd_tubes_push(&ts, "t", big, 64 << 20, err) == -1);
	waitpid(pid, NULL, 0);
	pd_tubes_stop(&ts);
	free(big);
}

/*
 * A pop reads the socket itself (its queue is empty), returns, and the
 * node then pops nothing while the pusher sends 32 MiB, eight times the
 * socket's buffers: the push must still return (the I/O thread took the
 * socket back and queued the message) before the node pops again.  The
 * first message comes after `wait_ms`: a short pop is handed back by the
 * I/O thread's tick, a long one by the pop itself.  A socket left with
 * no reader hangs the pusher, and the test fails by SIGALRM.
 */
static void handback_case(int wait_ms)
{
	const size_t big = (size_t)32 << 20;
	unsigned char *b = malloc(big), c;
	struct pd_tubes ts;
	struct pd_tube t;
	char err[PD_ERRLEN];
	const unsigned char *p;
	size_t len, i, bad = 0;
	int sv[2], done[2], st;
	pid_t pid;

	CHECK(b && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(done) == 0);
	for (i = 0; i < big; i++)
		b[i] = pat(1, i);
	pid = fork();
	if (pid == 0) {
		close(sv[1]);
		close(done[0]);
		tube_end(&t, 1, sv[0], NULL);
		if (pd_tubes_start(&ts, &t, 1, err))
			_exit(2);
		usleep((useconds_t)wait_ms * 1000);
		if (pd_tubes_push(&ts, "t", "a", 1, err) || pd_tubes_push(&ts, "t", b, big, err))
			_exit(3);
		if (write(done[1], "x", 1) != 1) /* the big push returned */
			_exit(4);
		pd_tubes_stop(&ts);
		_exit(0);
	}
	close(sv[0]);
	close(done[1]);
	tube_end(&t, 0, sv[1], NULL);
	CHECK(pd_tubes_start(&ts, &t, 1, err) == 0);
	p = pd_tubes_pop(&ts, "t", &len, err);
	CHECK(p && len == 1 && p[0] == 'a');
	CHECK(read(done[0], &c, 1) == 1 && c == 'x'); /* no pop meanwhile */
	p = pd_tubes_pop(&ts, "t", &len, err);
	CHECK(p && len == big);
	for (i = 0; p && i < len && i < big; i++)
		bad += p[i] != pat(1, i);
	CHECK(bad == 0);
	CHECK(pd_tubes_pop(&ts, "t", &len, err) == NULL);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pd_tubes_stop(&ts);
	close(done[0]);
	free(b);
}

int main(void)
{
	char ering[PD_ERRLEN], esock[PD_ERRLEN];

	signal(SIGPIPE, SIG_IGN);
	alarm(BOUND_S);
	sizes_case(1);
	sizes_case(0);
	alarm(BOUND_S);
	died_mid_message(1, ering);
	died_mid_message(0, esock);
	CHECK_STR(ering, "pop on 't': node 0 has ended and sent nothing more");
	CHECK_STR(ering, esock);
	alarm(BOUND_S);
	popper_died(1, ering);
	popper_died(0, esock);
	CHECK_STR(ering, "push on 't': node 1 is gone (Broken pipe)");
	CHECK_STR(ering, esock);
	alarm(BOUND_S);
	handback_case(2);
	alarm(BOUND_S);
	handback_case(100);
	return t_done("tube_test");
}
