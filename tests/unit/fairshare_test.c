/* fairshare_test.c - the fair-share policy (lib/serve/fairshare.c) on a
 * simulated pool: flows with backlogs, workers, a clock. */
#include <stdlib.h>
#include <string.h>

#include "fairshare.h"
#include "t.h"

#define FLOWS 8
#define WORKERS 8

/* A simulated client: its batches, how long each takes, when it joins. */
struct sflow {
	struct pd_fair_flow fl;
	int queued, running;
	uint64_t dur, join, time; /* batch duration; join time; worker time so far */
	int grants;
};

struct sim {
	struct pd_fair f;
	struct sflow s[FLOWS];
	int n, workers;
	uint64_t now;
	struct {
		int flow; /* -1 idle */
		uint64_t end, charged;
	} w[WORKERS];
	char order[4096]; /* flows granted, as letters */
	int norder;
};

static int sflow_ready(struct pd_fair_flow *fl, void *arg)
{
	(void)arg;
	return ((struct sflow *)fl)->queued > 0; /* fl is the first member */
}

static void sim_init(struct sim *m, int n, int workers)
{
	memset(m, 0, sizeof *m);
	pd_fair_init(&m->f);
	m->n = n;
	m->workers = workers;
	for (int i = 0; i < WORKERS; i++)
		m->w[i].flow = -1;
}

/* Flows whose join time has come get their work (and wake). */
static void sim_join(struct sim *m)
{
	for (int i = 0; i < m->n; i++)
		if (m->s[i].join <= m->now && m->s[i].queued > 0 && !m->s[i].fl.active)
			pd_fair_wake(&m->f, &m->s[i].fl);
}

/* Give every idle worker a batch, as the pool does. */
static void sim_dispatch(struct sim *m)
{
	struct pd_fair_flow *fl;
	int i, k;

	for (i = 0; i < m->workers; i++) {
		if (m->w[i].flow >= 0 || !(fl = pd_fair_next(&m->f, sflow_ready, NULL)))
			continue;
		k = (int)((struct sflow *)fl - m->s);
		m->s[k].queued--;
		m->s[k].running++;
		m->s[k].grants++;
		m->w[i].flow = k;
		m->w[i].charged = pd_fair_grant(&m->f, fl);
		m->w[i].end = m->now + m->s[k].dur;
		if (m->norder < (int)sizeof m->order - 1)
			m->order[m->norder++] = (char)('A' + k);
	}
}

/* Advance to the next batch end (or join); 0 when nothing is left. */
static int sim_step(struct sim *m)
{
	uint64_t next = UINT64_MAX;
	int i, k;

	for (i = 0; i < m->workers; i++)
		if (m->w[i].flow >= 0 && m->w[i].end < next)
			next = m->w[i].end;
	for (i = 0; i < m->n; i++)
		if (m->s[i].join > m->now && m->s[i].queued > 0 && m->s[i].join < next)
			next = m->s[i].join;
	if (next == UINT64_MAX)
		return 0;
	m->now = next;
	for (i = 0; i < m->workers; i++) {
		if (m->w[i].flow < 0 || m->w[i].end != m->now)
			continue;
		k = m->w[i].flow;
		m->w[i].flow = -1;
		m->s[k].running--;
		m->s[k].time += m->s[k].dur;
		pd_fair_done(&m->f, &m->s[k].fl, m->w[i].charged, m->s[k].dur);
		if (!m->s[k].queued && !m->s[k].running)
			pd_fair_sleep(&m->f, &m->s[k].fl);
	}
	sim_join(m);
	sim_dispatch(m);
	return 1;
}

/* Run until `until` (or the end of all work). */
static void sim_run(struct sim *m, uint64_t until)
{
	if (m->now == 0) {
		sim_join(m);
		sim_dispatch(m);
	}
	while (m->now < until && sim_step(m))
		;
}

/* Equal flows on one worker take turns in a fixed rotation. */
static void test_round_robin(void)
{
	struct sim m;

	sim_init(&m, 3, 1);
	for (int i = 0; i < 3; i++)
		m.s[i].queued = 4, m.s[i].dur = 100;
	sim_run(&m, UINT64_MAX);
	m.order[m.norder] = 0;
	CHECK_STR(m.order, "ABCABCABCABC");
}

/* Workers freed together go to distinct flows, from the very start. */
static void test_spread(void)
{
	struct sim m;

	sim_init(&m, 4, 4);
	for (int i = 0; i < 4; i++)
		m.s[i].queued = 1000, m.s[i].dur = 50;
	sim_run(&m, 0);
	m.order[m.norder] = 0;
	CHECK_STR(m.order, "ABCD");
	sim_run(&m, 50 * 100);
	for (int i = 0; i < 4; i++)
		CHECK(m.s[i].grants >= 100 && m.s[i].grants <= 101);
}

/* A flow that joins late is served at once, then takes its turn. */
static void test_late_join(void)
{
	struct sim m;
	int i, c = 0;

	sim_init(&m, 3, 1);
	m.s[0].queued = m.s[1].queued = 1000;
	m.s[0].dur = m.s[1].dur = m.s[2].dur = 10;
	m.s[2].queued = 100;
	m.s[2].join = 10 * 200 + 5; /* after A and B had 100 batches each */
	sim_run(&m, 10 * 200 + 5);
	CHECK(m.s[0].grants == 101 && m.s[1].grants == 100 && m.s[2].grants == 0);
	sim_run(&m, 10 * 200 + 10); /* A's batch ends: the newcomer is next */
	CHECK(m.order[m.norder - 1] == 'C');
	sim_run(&m, 10 * 200 + 10 + 10 * 60);
	/* then one in three; no catch-up burst for the others either */
	for (i = m.norder - 60; i < m.norder; i++)
		c += m.order[i] == 'C';
	CHECK(c == 20);
	for (i = m.norder - 60; i + 2 < m.norder; i++)
		CHECK(m.order[i] != m.order[i + 1] && m.order[i] != m.order[i + 2]);
}

/* Shares are of worker time: 1 s batches against 5 ms ones. */
static void test_time_share(void)
{
	struct sim m;
	uint64_t a, b;

	sim_init(&m, 2, 2);
	m.s[0].queued = m.s[1].queued = 100000;
	m.s[0].dur = 1000000;
	m.s[1].dur = 5000;
	sim_run(&m, 100000000); /* 100 s */
	a = m.s[0].time;
	b = m.s[1].time;
	/* within one long batch of each other, on 200 s of worker time */
	CHECK(a > b ? a - b <= 2000000 : b - a <= 2000000);
	CHECK(m.s[1].grants > 150 * m.s[0].grants);
}

/* An idle flow banks no credit: back after a pause, it gets its share,
 * not the whole pool until it has caught up. */
static void test_no_credit_for_idling(void)
{
	struct sim m;
	int i, b = 0;

	sim_init(&m, 2, 1);
	m.s[0].queued = 10000;
	m.s[1].queued = 10;
	m.s[0].dur = m.s[1].dur = 10;
	sim_run(&m, 2000); /* B's 10 batches done long ago; A ran alone since */
	CHECK(m.s[1].grants == 10 && !m.s[1].fl.active);
	m.s[1].queued = 100;
	m.s[1].join = m.now;
	sim_join(&m);
	sim_run(&m, m.now + 10 * 40);
	for (i = m.norder - 40; i < m.norder; i++)
		b += m.order[i] == 'B';
	CHECK(b >= 19 && b <= 21);
}

/* Sixteen clients, six workers, uneven batch times, staggered starts:
 * while all are busy, every one's worker time is within 2x of any other's. */
static void test_many(void)
{
	struct sim m;
	uint64_t lo = UINT64_MAX, hi = 0, before[FLOWS];
	int i;

	sim_init(&m, FLOWS, 6);
	for (i = 0; i < FLOWS; i++) {
		m.s[i].queued = 100000;
		m.s[i].dur = 1000 + 700 * (uint64_t)i;
		m.s[i].join = 300 * (uint64_t)i;
	}
	sim_run(&m, 10000);
	for (i = 0; i < FLOWS; i++)
		before[i] = m.s[i].time;
	sim_run(&m, 2010000);
	for (i = 0; i < FLOWS; i++) {
		uint64_t t = m.s[i].time - before[i];

		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	CHECK(lo > 0 && hi * 100 <= lo * 101); /* within 1 % over 2 s */
}

int main(void)
{
	test_round_robin();
	test_spread();
	test_late_join();
	test_time_share();
	test_no_credit_for_idling();
	test_many();
	return t_done("fairshare");
}
