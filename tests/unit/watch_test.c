/* watch_test.c - pd-status --watch's bars, durations and rates (lib/front/watch.c)
 * and --why's explanations (lib/front/why.c) on hand-made replies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "t.h"
#include "watch.h"
#include "why.h"

/* The bar for (busy, shared, total) in `cells` cells, as a string. */
static const char *bar(int busy, int shared, int total, int cells)
{
	static char s[256];
	struct pd_buf b = PD_BUF_INIT;

	pd_watch_bar(busy, shared, total, cells, &b);
	snprintf(s, sizeof s, "%s", b.data);
	pd_buf_release(&b);
	return s;
}

static const char *duration(double secs)
{
	static char s[32];

	pd_watch_duration(secs, s, sizeof s);
	return s;
}

static void test_bars(void)
{
	CHECK_STR(bar(3, 8, 12, 40), "[###.....    ]");
	CHECK_STR(bar(0, 0, 4, 40), "[    ]");
	CHECK_STR(bar(0, 4, 4, 40), "[....]");
	CHECK_STR(bar(2, 1, 4, 40), "[##  ]");	   /* busy over the share (tasks) */
	CHECK_STR(bar(9, 4, 4, 40), "[####]");	   /* busy over the total */
	CHECK_STR(bar(0, 0, 0, 40), "[]");
	/* scaled: 64 CPUs in 8 cells, each 8 CPUs; partial cells round up */
	CHECK_STR(bar(1, 16, 64, 8), "[#.      ]");
	CHECK_STR(bar(0, 1, 64, 8), "[.       ]");
	CHECK_STR(bar(63, 64, 64, 8), "[########]");
	CHECK_STR(bar(32, 48, 64, 8), "[####..  ]");
}

static void test_durations(void)
{
	CHECK_STR(duration(0), "0s");
	CHECK_STR(duration(44.6), "45s");
	CHECK_STR(duration(185), "3m05s");
	CHECK_STR(duration(2 * 3600 + 10 * 60 + 5), "2h10m");
	CHECK_STR(duration(3 * 86400 + 4 * 3600), "3d04h");
	CHECK_STR(duration(-1), "-");
	CHECK_STR(duration(1e12), "-");
}

static void test_rates(void)
{
	struct pd_watch *w = pd_watch_new();

	/* unknown at first without an age; from the age when given */
	CHECK(pd_watch_rate(w, "a", 10, 100.0, 0) < 0);
	CHECK(pd_watch_rate(w, "b", 10, 100.0, 5) == 2.0);
	/* then from what this watch saw: 30 more in 2 s */
	CHECK(pd_watch_rate(w, "a", 40, 102.0, 0) == 15.0);
	CHECK(pd_watch_rate(w, "b", 10, 103.0, 8) == 10.0 / 8); /* no move yet: the age */
	/* a counter that went back starts over */
	CHECK(pd_watch_rate(w, "a", 5, 104.0, 0) < 0);
	CHECK(pd_watch_rate(w, "a", 7, 105.0, 0) == 2.0);
	pd_watch_free(w);
}

/* Two frames of a host with GPUs, a host down and a run: the second
 * frame's rate is from the progress between them. */
static void test_frames(void)
{
	cJSON *up = cJSON_Parse("{\"host\":\"lab1\",\"cpus\":12,\"shared\":8,\"busy\":3,\"gpus\":4,"
				"\"gpus_shared\":2,\"gpus_busy\":1,\"runs\":[{\"id\":\"r1\",\"state\":\"running\","
				"\"done\":50,\"total\":200,\"submitted\":1,\"owner\":\"ann@lab1\",\"sym\":\"sim\"}]}");
	struct pd_host_view v[2] = {{"lab1:2718", up, "up", ""}, {"lab2:2718", NULL, "down", "Connection refused"}};
	struct pd_watch *w = pd_watch_new();
	struct pd_buf f = PD_BUF_INIT;

	setenv("TZ", "UTC", 1);
	tzset();
	pd_watch_frame(w, v, 2, 100.0, 11, 80, &f);
	CHECK_STR(f.data, "pd-status 00:00:11  hosts 1/2 up  cpu 3/8/12  gpu 1/2/4  (busy/shared/total)\n"
			  "lab1:2718            up      cpu [###.....    ] 3/8/12  gpu [#.  ] 1/2/4\n"
			  "lab2:2718            down    Connection refused\n"
			  "run r1 running   50/200  25.0%  5/s  ETA 30s  ann@lab1  sim\n");
	cJSON_SetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(up, "runs"), 0), "done"), 70);
	pd_buf_reset(&f);
	pd_watch_frame(w, v, 2, 102.0, 13, 60, &f);
	CHECK_STR(f.data, "pd-status 00:00:13  hosts 1/2 up  cpu 3/8/12  gpu 1/2/4  (busy/shared/total)\n"
			  "lab1:2718            up      cpu [#.. ] 3/8/12  gpu [#.  ] 1/2/4\n"
			  "lab2:2718            down    Connection refused\n"
			  "run r1 running   70/200  35.0%  10/s  ETA 13s  ann@lab1  sim\n");
	pd_buf_release(&f);
	pd_watch_free(w);
	cJSON_Delete(up);
}

/* pd_why_explain's text for a status and host infos given as JSON. */
static char *explain(const char *status, const char **infos, const char **addrs, int n)
{
	struct pd_host_view v[4];
	cJSON *st = cJSON_Parse(status), *j[4] = {0};
	struct pd_buf out = PD_BUF_INIT;
	int i;

	for (i = 0; i < n; i++) {
		j[i] = infos[i] ? cJSON_Parse(infos[i]) : NULL;
		v[i] = (struct pd_host_view){addrs[i], j[i], j[i] ? "up" : "down", j[i] ? "" : "Connection refused"};
	}
	pd_why_explain(st, v, n, &out);
	for (i = 0; i < n; i++)
		cJSON_Delete(j[i]);
	cJSON_Delete(st);
	return pd_buf_detach(&out, NULL);
}

static void test_why(void)
{
	const char *addrs[] = {"lab1:2718", "lab2:2718"};
	const char *both[] = {"{\"host\":\"lab1\",\"cpus\":8,\"shared\":0,\"busy\":0,\"gpus\":0,\"gpus_shared\":0}",
			      NULL};
	const char *gpu[] = {"{\"host\":\"lab1\",\"cpus\":8,\"shared\":8,\"busy\":0,\"gpus\":2,\"gpus_shared\":0}"};
	const char *busy[] = {"{\"host\":\"lab1\",\"cpus\":8,\"shared\":2,\"busy\":2,\"attached\":["
			      "{\"client\":\"pd-map\",\"from\":\"10.0.0.5:4000\",\"running\":2,\"queued\":1},"
			      "{\"client\":\"pd-serve run r1111111111\",\"from\":\"local:9\",\"running\":0,\"queued\":0}]}"};
	char *s;

	s = explain("{\"id\":\"r1111111111\",\"state\":\"done\",\"done\":5,\"total\":5,\"failed\":1}", NULL, NULL, 0);
	CHECK_STR(s, "run r1111111111 has finished: 5 of 5 records done, 1 of them failed\n");
	free(s);
	s = explain("{\"id\":\"r1111111111\",\"state\":\"failed\",\"error\":\"no host left to run on\",\"done\":2,"
		    "\"total\":5}",
		    NULL, NULL, 0);
	CHECK_STR(s, "run r1111111111 has failed: no host left to run on; 2 of 5 records had finished\n");
	free(s);
	/* one host reserved by its owner, the other down: waiting, both named */
	s = explain("{\"id\":\"r1111111111\",\"state\":\"running\",\"done\":0,\"total\":5,\"on\":["
		    "{\"address\":\"lab1:2718\",\"host\":\"lab1\",\"state\":\"up\",\"shared\":0,\"inflight\":0},"
		    "{\"address\":\"lab2:2718\",\"host\":\"\",\"state\":\"down\",\"shared\":0,\"inflight\":0,"
		    "\"error\":\"connection reset by peer\"}]}",
		    both, addrs, 2);
	CHECK_STR(s, "run r1111111111 is waiting: no host shares a CPU with it (0 of 5 done)\n"
		     "  lab1:2718 shares 0 of its 8 CPUs: its owner reserved them (pd-alloc --cpu 0)\n"
		     "  lab2:2718 is down: connection reset by peer\n");
	free(s);
	/* a job that needs a GPU, on a host that shares none */
	s = explain("{\"id\":\"r1111111111\",\"state\":\"running\",\"gpu\":true,\"done\":0,\"total\":5,\"on\":["
		    "{\"address\":\"lab1:2718\",\"state\":\"up\",\"shared\":8,\"inflight\":0}]}",
		    gpu, addrs, 1);
	CHECK_STR(s, "run r1111111111 is waiting: its job needs a GPU and no host shares one\n"
		     "  lab1:2718 shares 0 of its 2 GPUs\n");
	free(s);
	s = explain("{\"id\":\"r1111111111\",\"state\":\"running\",\"gpu\":-1,\"done\":0,\"total\":5,\"on\":["
		    "{\"address\":\"lab1:2718\",\"state\":\"up\",\"shared\":8,\"inflight\":0}]}",
		    gpu, addrs, 1);
	CHECK(!strncmp(s, "run r1111111111 is waiting: its job needs a GPU", 47));
	free(s);
	/* a CPU job is not held back by GPUs */
	s = explain("{\"id\":\"r1111111111\",\"state\":\"running\",\"done\":0,\"total\":5,\"on\":["
		    "{\"address\":\"lab1:2718\",\"state\":\"up\",\"shared\":8,\"inflight\":0}]}",
		    gpu, addrs, 1);
	CHECK_STR(s, "run r1111111111 is running: no record in flight at this moment, 0 of 5 done\n");
	free(s);
	/* every shared CPU busy with another client: named, this run's own
	 * connection left out */
	s = explain("{\"id\":\"r1111111111\",\"state\":\"running\",\"done\":3,\"total\":5,\"on\":["
		    "{\"address\":\"lab1:2718\",\"state\":\"up\",\"shared\":2,\"inflight\":0}]}",
		    busy, addrs, 1);
	CHECK_STR(s, "run r1111111111 is waiting: every shared CPU of its hosts is busy with other work\n"
		     "  lab1:2718: all 2 shared CPUs are busy, also with: pd-map from 10.0.0.5:4000 (2 running, 1 "
		     "queued batches)\n");
	free(s);
	/* no coordinator view (an old server): the hosts pd-status asked */
	s = explain("{\"id\":\"r1111111111\",\"state\":\"running\",\"done\":1,\"total\":5}", both + 1, addrs + 1, 1);
	CHECK_STR(s, "run r1111111111 is waiting: none of its hosts is up\n"
		     "  lab2:2718 is down: Connection refused\n");
	free(s);
}

int main(void)
{
	test_bars();
	test_durations();
	test_rates();
	test_frames();
	test_why();
	return t_done("watch_test");
}
