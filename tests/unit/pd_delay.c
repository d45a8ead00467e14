/*
 * pd_delay.c - a fixed one-way latency for a link, where the kernel has
 * no netem: packets that an iptables NFQUEUE rule hands over are each
 * held MS milliseconds, then let through in the order they came.  For
 * the lossy, slow link test of tests/faults.bats.
 *
 *	pd_delay QUEUE MS
 *
 * Binds NFQUEUE number QUEUE of the current network namespace (as root)
 * through nfnetlink_queue, asking for the packets' metadata only: the
 * packets themselves stay in the kernel, which holds each one until it
 * is given a verdict, so what is delayed is every IP packet as sent (a
 * SYN, a retransmission, a bare ACK alike), not a byte stream.  Every
 * packet is accepted MS ms after it was read; none is dropped or
 * reordered here.  Prints "ready" (flushed) once the queue is bound, so
 * that the rule can be added then: packets queued with nobody bound are
 * dropped by the kernel.  On SIGTERM or SIGINT it lets the packets still
 * held through, prints "held N packets, each for at least MS ms; K
 * notices lost" and exits 0.  Exit status 2: a usage or set-up error
 * (not root, no nfnetlink_queue, the queue bound by another process).
 *
 * Uses plain netlink (linux/netfilter/nfnetlink_queue.h), no library.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HELD_MAX (1u << 20)   /* packets held at once; the kernel's queue is as long */
#define RCVBUF (16 << 20)      /* room for notices while packets pour in */
#define NLBUF (64 * 1024)

/* A packet in the kernel's queue, waiting for its verdict. */
struct held {
	uint32_t id;
	int64_t due_ns; /* CLOCK_MONOTONIC */
};

static struct held *ring;      /* HELD_MAX entries, a FIFO */
static uint32_t head, count;   /* oldest entry; entries held */
static unsigned long n_held, n_lost;
static volatile sig_atomic_t stop;
static int qnum;

static void on_signal(int sig) { stop = sig; }

static void die(const char *what)
{
	fprintf(stderr, "pd_delay: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Start a netlink message for the queue subsystem in buf. */
static struct nlmsghdr *msg_start(char *buf, int type, int flags)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct nfgenmsg *g;

	memset(buf, 0, NLMSG_SPACE(sizeof *g));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof *g);
	nh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | type;
	nh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = NLMSG_DATA(nh);
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons((uint16_t)qnum);
	return nh;
}

/* Append attribute type with len bytes of data to nh. */
static void msg_attr(struct nlmsghdr *nh, int type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	a->nla_type = (uint16_t)type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Send nh to the kernel. */
static int msg_send(int fd, struct nlmsghdr *nh)
{
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};

	return sendto(fd, nh, nh->nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0 ? -1 : 0;
}

/* Send a configuration message and wait for the kernel's acknowledgement. */
static void config(int fd, int attr, const void *data, size_t len, const char *what)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	char ack[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh = msg_start(buf, NFQNL_MSG_CONFIG, NLM_F_ACK);
	struct nlmsgerr *e;
	ssize_t r;

	msg_attr(nh, attr, data, len);
	if (msg_send(fd, nh))
		die(what);
	r = recv(fd, ack, sizeof ack, 0);
	if (r < 0)
		die(what);
	nh = (struct nlmsghdr *)ack;
	if (!NLMSG_OK(nh, (size_t)r) || nh->nlmsg_type != NLMSG_ERROR) {
		fprintf(stderr, "pd_delay: %s: unexpected answer from the kernel\n", what);
		exit(2);
	}
	e = NLMSG_DATA(nh);
	if (e->error) {
		errno = -e->error;
		die(what);
	}
}

/* A netlink socket bound to queue qnum, metadata only, a long queue. */
static int queue_open(void)
{
	struct nfqnl_msg_config_cmd cmd = {.command = NFQNL_CFG_CMD_BIND};
	struct nfqnl_msg_config_params params = {.copy_range = 0, .copy_mode = NFQNL_COPY_META};
	struct sockaddr_nl me = {.nl_family = AF_NETLINK};
	uint32_t maxlen = htonl(HELD_MAX);
	int fd, sz = RCVBUF;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		die("netlink socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz))
		die("SO_RCVBUFFORCE");
	if (bind(fd, (struct sockaddr *)&me, sizeof me))
		die("bind netlink");
	config(fd, NFQA_CFG_CMD, &cmd, sizeof cmd, "bind the queue");
	config(fd, NFQA_CFG_PARAMS, &params, sizeof params, "set the copy mode");
	config(fd, NFQA_CFG_QUEUE_MAXLEN, &maxlen, sizeof maxlen, "set the queue length");
	return fd;
}

/* Accept the packet with this id. */
static void accept_packet(int fd, uint32_t id)
{
	char buf[128] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nfqnl_msg_verdict_hdr v = {.verdict = htonl(NF_ACCEPT), .id = htonl(id)};
	struct nlmsghdr *nh = msg_start(buf, NFQNL_MSG_VERDICT, 0);

	msg_attr(nh, NFQA_VERDICT_HDR, &v, sizeof v);
	if (msg_send(fd, nh))
		die("send a verdict");
}

/* Hold the packet whose notice is nh for delay_ns from now. */
static void take_notice(struct nlmsghdr *nh, int64_t delay_ns)
{
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(struct nfgenmsg)));
	int left = (int)nh->nlmsg_len - (int)((char *)a - (char *)nh);
	struct nfqnl_msg_packet_hdr ph;

	if (nh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
		return;
	for (; left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= left;
	     left -= NLA_ALIGN(a->nla_len), a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) != NFQA_PACKET_HDR || a->nla_len < NLA_HDRLEN + sizeof ph)
			continue;
		memcpy(&ph, (char *)a + NLA_HDRLEN, sizeof ph);
		if (count == HELD_MAX) {
			fprintf(stderr, "pd_delay: more than %u packets held\n", HELD_MAX);
			exit(2);
		}
		ring[(head + count) % HELD_MAX] = (struct held){ntohl(ph.packet_id), now_ns() + delay_ns};
		count++;
		n_held++;
		return;
	}
}

/* Read every notice waiting on fd. */
static void read_notices(int fd, int64_t delay_ns)
{
	static char buf[NLBUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh;
	ssize_t r;

	for (;;) {
		r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r < 0 && errno == ENOBUFS) {
			n_lost++; /* notices dropped: those packets stay queued, unseen */
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r < 0)
			die("read from the queue");
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)r); nh = NLMSG_NEXT(nh, r))
			take_notice(nh, delay_ns);
	}
}

/* Accept every held packet due by now (all of them when all is set). */
static void release(int fd, int all)
{
	int64_t t = now_ns();

	while (count && (all || ring[head].due_ns <= t)) {
		accept_packet(fd, ring[head].id);
		head = (head + 1) % HELD_MAX;
		count--;
	}
}

/* Milliseconds until the oldest held packet is due (-1: none held). */
static int next_wait_ms(void)
{
	int64_t d;

	if (!count)
		return -1;
	d = ring[head].due_ns - now_ns();
	return d <= 0 ? 0 : (int)((d + 999999) / 1000000);
}

/* The number in s, from 0 to max; exits with a message naming what. */
static long parse(const char *s, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max) {
		fprintf(stderr, "pd_delay: %s: '%s' is not a number from 0 to %ld\n", what, s, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct pollfd pf;
	long ms;

	if (argc != 3) {
		fputs("usage: pd_delay QUEUE MS\n", stderr);
		return 2;
	}
	qnum = (int)parse(argv[1], 65535, "QUEUE");
	ms = parse(argv[2], 60000, "MS");
	ring = malloc(HELD_MAX * sizeof *ring);
	if (!ring)
		die("malloc");
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	pf.fd = queue_open();
	pf.events = POLLIN;
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		pf.revents = 0;
		if (poll(&pf, 1, next_wait_ms()) < 0 && errno != EINTR)
			die("poll");
		if (pf.revents & POLLIN)
			read_notices(pf.fd, ms * 1000000);
		release(pf.fd, 0);
	}
	release(pf.fd, 1);
	printf("held %lu packets, each for at least %ld ms; %lu notices lost\n", n_held, ms, n_lost);
	close(pf.fd);
	free(ring);
	return 0;
}
