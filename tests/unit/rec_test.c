/* rec_test.c - unit tests for the record parser and the job API (rec.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rec.h"
#include "t.h"

/* A job defined as users define one, called through its descriptor. */
PD_MAP(t_scale)
{
	double k = pd_get_num(in, "k");
	long long n = pd_int(in, 0);

	if (k < 0)
		return pd_error(out, "k must be positive, got %g", k);
	pd_put_int(out, n);
	return pd_put_double(out, k * (double)n);
}

/* Parse a C string into r; returns pd_record_parse's result. */
static int parse(struct pd_record *r, const char *s, char *err)
{
	err[0] = 0;
	return pd_record_parse(r, s, strlen(s), 7, err);
}

/* Field i's name, or "-" when unnamed / absent. */
static const char *name_of(const struct pd_record *r, int i)
{
	return i < r->nf && r->f[i].name ? r->f[i].name : "-";
}

static void test_plain(void)
{
	struct pd_record r;
	char err[PD_ERRLEN];

	pd_record_init(&r);
	CHECK(parse(&r, "  1 2.5\t\t-3e2  abc ", err) == 0);
	CHECK(r.nf == 4);
	CHECK_STR(r.f[0].val, "1");
	CHECK_STR(r.f[1].val, "2.5");
	CHECK_STR(r.f[2].val, "-3e2");
	CHECK_STR(r.f[3].val, "abc");
	CHECK(r.f[0].name == NULL && r.f[3].name == NULL);
	CHECK(r.lineno == 7);

	CHECK(parse(&r, "a\tb\r", err) == 0); /* tabs, trailing CR */
	CHECK(r.nf == 2);
	CHECK_STR(r.f[1].val, "b");

	CHECK(parse(&r, "x\r", err) == 0 && r.nf == 1 && !strcmp(r.f[0].val, "x"));
	CHECK(parse(&r, "", err) == 0 && r.nf == 0);
	CHECK(parse(&r, " \t ", err) == 0 && r.nf == 0);
	CHECK(parse(&r, "\r", err) == 0 && r.nf == 0);
	CHECK(pd_record_parse(&r, NULL, 0, 1, err) == 0 && r.nf == 0);

	/* not NUL-terminated: only len bytes count */
	CHECK(pd_record_parse(&r, "10 20 30", 5, 1, err) == 0 && r.nf == 2);
	CHECK_STR(r.f[1].val, "20");
	pd_record_release(&r);
}

static void test_named(void)
{
	struct pd_record r;
	char err[PD_ERRLEN];

	pd_record_init(&r);
	CHECK(parse(&r, "x=1 _y2=abc 3 =4 9a=5 k= a=b=c -x=1 a-b=2", err) == 0);
	CHECK(r.nf == 9);
	CHECK_STR(name_of(&r, 0), "x");
	CHECK_STR(r.f[0].val, "1");
	CHECK_STR(name_of(&r, 1), "_y2");
	CHECK_STR(r.f[1].val, "abc");
	CHECK_STR(name_of(&r, 2), "-");
	CHECK_STR(r.f[3].val, "=4");
	CHECK_STR(name_of(&r, 3), "-");
	CHECK_STR(r.f[4].val, "9a=5");
	CHECK_STR(name_of(&r, 4), "-");
	CHECK_STR(name_of(&r, 5), "k");
	CHECK_STR(r.f[5].val, "");
	CHECK_STR(name_of(&r, 6), "a");
	CHECK_STR(r.f[6].val, "b=c");
	CHECK_STR(name_of(&r, 7), "-");
	CHECK_STR(r.f[7].val, "-x=1");
	CHECK_STR(name_of(&r, 8), "-");
	pd_record_release(&r);
}

static void test_json(void)
{
	struct pd_record r;
	char err[PD_ERRLEN];

	pd_record_init(&r);
	CHECK(parse(&r, "  {\"s\": \"a\\tb\\\"c\\u00e9\", \"n\": 42, \"f\": 0.1, "
			"\"big\": 1e300, \"neg\": -7, \"t\": true, \"no\": false, "
			"\"z\": null, \"arr\": [1, [2, \"x\"], {}], "
			"\"o\": {\"k\": [true]}}\r",
		    err) == 0);
	CHECK(r.nf == 10);
	CHECK_STR(name_of(&r, 0), "s");
	CHECK_STR(r.f[0].val, "a\tb\"c\xc3\xa9");
	CHECK_STR(name_of(&r, 1), "n");
	CHECK_STR(r.f[1].val, "42");
	CHECK_STR(r.f[2].val, "0.1");
	CHECK(strtod(r.f[3].val, NULL) == 1e300);
	CHECK_STR(r.f[4].val, "-7");
	CHECK_STR(r.f[5].val, "true");
	CHECK_STR(r.f[6].val, "false");
	CHECK_STR(r.f[7].val, "null");
	CHECK_STR(name_of(&r, 8), "arr");
	CHECK_STR(r.f[8].val, "[1,[2,\"x\"],{}]");
	CHECK_STR(r.f[9].val, "{\"k\":[true]}");

	CHECK(parse(&r, "{}", err) == 0 && r.nf == 0);
	CHECK(parse(&r, "{\"a\":1.5e-3,\"a\":2}", err) == 0 && r.nf == 2);
	CHECK(strtod(r.f[0].val, NULL) == 1.5e-3);
	CHECK(parse(&r, "{\"i\":9007199254740993}", err) == 0);
	CHECK(strtod(r.f[0].val, NULL) == 9007199254740993.0);
	pd_record_release(&r);
}

/* A JSON object nested `levels` deep: {"a":[[...]]}; d has 200 bytes. */
static const char *make_deep(char *d, int levels)
{
	int i;

	strcpy(d, "{\"a\":");
	for (i = 1; i < levels; i++)
		strcat(d, "[");
	for (i = 1; i < levels; i++)
		strcat(d, "]");
	return strcat(d, "}");
}

static void test_bad_json(void)
{
	static const char *const bad[] = {
	    "{", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":1} x", "{a:1}", "{\"a\":1}}",
	};
	struct pd_record r;
	char err[PD_ERRLEN], deep[200];
	size_t i;

	pd_record_init(&r);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(parse(&r, bad[i], err) == -1);
		CHECK(strncmp(err, "line is not valid JSON", 22) == 0);
		CHECK(r.nf == 0);
	}
	CHECK(parse(&r, "{\"a\":1} x", err) == -1);
	CHECK_STR(err, "line is not valid JSON (unexpected text at byte 9)");

	/* 64 levels are fine, 65 are not */
	CHECK(parse(&r, make_deep(deep, 64), err) == 0 && r.nf == 1);
	CHECK(parse(&r, make_deep(deep, 65), err) == -1);
	CHECK_STR(err, "JSON nested too deeply (more than 64 levels)");
	/* brackets inside strings do not count */
	CHECK(parse(&r, "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}",
		    err) == 0);
	CHECK(r.nf == 1 && r.f[0].val[0] == '[');
	pd_record_release(&r);
}

static void test_too_many(void)
{
	struct pd_record r;
	struct pd_buf b = PD_BUF_INIT;
	char err[PD_ERRLEN];
	int i;

	pd_record_init(&r);
	for (i = 0; i < PD_REC_FIELDS_MAX; i++)
		pd_buf_adds(&b, "1 ");
	CHECK(parse(&r, b.data, err) == 0 && r.nf == PD_REC_FIELDS_MAX);
	pd_buf_adds(&b, "1");
	CHECK(parse(&r, b.data, err) == -1);
	CHECK_STR(err, "too many fields (more than 4096)");
	CHECK(r.nf == 0);

	pd_buf_reset(&b);
	pd_buf_addc(&b, '{');
	for (i = 0; i <= PD_REC_FIELDS_MAX; i++)
		pd_buf_addf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
	pd_buf_addc(&b, '}');
	CHECK(parse(&r, b.data, err) == -1);
	CHECK_STR(err, "too many fields (more than 4096)");
	pd_buf_release(&b);
	pd_record_release(&r);
}

static void test_accessors(void)
{
	struct pd_record r;
	char err[PD_ERRLEN];
	pd_rec in;
	size_t len;

	pd_record_init(&r);
	in = pd_rec_wrap(&r);
	CHECK(parse(&r, "3 -2.5 abc n=12 x=0x10 big=99999999999999999999 1e999 nan", err) == 0);
	CHECK(pd_nfields(&in) == 8);
	CHECK(pd_num(&in, 0) == 3);
	CHECK(pd_int(&in, 0) == 3);
	CHECK(pd_num(&in, 1) == -2.5);
	CHECK(pd_get_int(&in, "n") == 12);
	CHECK(pd_get_num(&in, "n") == 12);
	CHECK(pd_num(&in, 3) == 12); /* named fields are numbered too */
	CHECK_STR(pd_str(&in, 2), "abc");
	CHECK_STR(pd_get(&in, "x"), "0x10");
	CHECK(pd_str(&in, 8) == NULL && pd_str(&in, -1) == NULL);
	CHECK(pd_get(&in, "nope") == NULL && pd_get(&in, "abc") == NULL);
	CHECK_STR(r.err.data, ""); /* none of that failed */
	CHECK(pd_lineno(&in) == 7);
	CHECK(strncmp(pd_line(&in, &len), "3 -2.5", 6) == 0 && len == strlen(r.line));

	CHECK(isnan(pd_num(&in, 9)));
	CHECK_STR(r.err.data, "field 10: missing (the record has 8 fields)");
	CHECK(isnan(pd_num(&in, 2))); /* a second error is dropped */
	CHECK_STR(r.err.data, "field 10: missing (the record has 8 fields)");
	pd_record_release(&r);
}

/* Parse s and return the error that one conversion records. */
static const char *first_error(struct pd_record *r, const char *s, int what, int i, const char *name)
{
	char err[PD_ERRLEN];
	pd_rec in = pd_rec_wrap(r);

	parse(r, s, err);
	if (what == 'n' && !name)
		CHECK(isnan(pd_num(&in, i)));
	else if (what == 'n')
		CHECK(isnan(pd_get_num(&in, name)));
	else if (!name)
		CHECK(pd_int(&in, i) == 0);
	else
		CHECK(pd_get_int(&in, name) == 0);
	return r->err.data;
}

static void test_field_errors(void)
{
	struct pd_record r;
	char longv[200];

	pd_record_init(&r);
	CHECK_STR(first_error(&r, "1 2", 'n', 2, NULL), "field 3: missing (the record has 2 fields)");
	CHECK_STR(first_error(&r, "1", 'n', 1, NULL), "field 2: missing (the record has 1 field)");
	CHECK_STR(first_error(&r, "", 'i', 0, NULL), "field 1: missing (the record has 0 fields)");
	CHECK_STR(first_error(&r, "1 abc", 'n', 1, NULL), "field 2: 'abc' is not a number");
	CHECK_STR(first_error(&r, "1 2x", 'n', 1, NULL), "field 2: '2x' is not a number");
	CHECK_STR(first_error(&r, "a=", 'n', 0, NULL), "field 1: '' is not a number");
	CHECK_STR(first_error(&r, "inf", 'n', 0, NULL), "field 1: 'inf' is not a finite number");
	CHECK_STR(first_error(&r, "-nan", 'n', 0, NULL), "field 1: '-nan' is not a finite number");
	CHECK_STR(first_error(&r, "1e999", 'n', 0, NULL), "field 1: '1e999' is not a finite number");
	CHECK_STR(first_error(&r, "y=1", 'n', 0, "x"), "field 'x': missing");
	CHECK_STR(first_error(&r, "n=1.5", 'i', 0, "n"), "field 'n': '1.5' is not an integer");
	CHECK_STR(first_error(&r, "3.0", 'i', 0, NULL), "field 1: '3.0' is not an integer");
	CHECK_STR(first_error(&r, "99999999999999999999", 'i', 0, NULL),
		  "field 1: '99999999999999999999' is out of the integer range");
	CHECK_STR(first_error(&r, "{\"s\":\" 1\"}", 'n', 0, "s"), "field 's': ' 1' is not a number");
	memset(longv, 'a', 150);
	longv[150] = 0;
	CHECK(strstr(first_error(&r, longv, 'n', 0, NULL), "aaa...' is not a number") != NULL);
	CHECK(strlen(r.err.data) < 100);

	/* a new parse clears the record's error */
	CHECK(pd_record_parse(&r, "5", 1, 1, longv) == 0);
	CHECK_STR(r.err.data, "");
	pd_record_release(&r);
}

static void test_output(void)
{
	struct pd_result res;
	pd_out out;

	pd_result_init(&res);
	out = pd_out_wrap(&res);
	CHECK(pd_put_double(&out, 0.1) == 0);
	CHECK(pd_put_int(&out, -42) == 0);
	CHECK(pd_put_str(&out, "s") == 0);
	CHECK(pd_put_double(&out, 2) == 0);
	CHECK(pd_put_double(&out, NAN) == 0);
	CHECK(pd_put_double(&out, -NAN) == 0);
	CHECK(pd_put_double(&out, -INFINITY) == 0);
	CHECK(pd_put_double(&out, INFINITY) == 0);
	CHECK(pd_put_double(&out, 1e300) == 0);
	CHECK(pd_put_str(&out, NULL) == 0);
	CHECK_STR(pd_result_out(&res)->data, "0.10000000000000001 -42 s 2 nan nan -inf inf 1.0000000000000001e+300 ");
	CHECK(strtod(pd_result_out(&res)->data, NULL) == 0.1); /* %.17g reads back exactly */
	CHECK(res.nput == 10);

	pd_result_reset(&res);
	CHECK(pd_result_out(&res)->len == 0 && res.nput == 0);
	CHECK(pd_write(&out, "ab\0c", 4) == 0);
	CHECK(pd_result_out(&res)->len == 4 && memcmp(pd_result_out(&res)->data, "ab\0c", 5) == 0);
	pd_result_reset(&res);
	CHECK(pd_printf(&out, "%d-%s", 5, "x") == 0);
	CHECK(pd_put_int(&out, 1) == 0); /* printf does not count as a field */
	CHECK_STR(pd_result_out(&res)->data, "5-x1");
	/* printf's buffered stream, direct appends and fields keep their order */
	pd_result_reset(&res);
	CHECK(pd_printf(&out, "a%d", 1) == 0);
	CHECK(pd_write(&out, "|", 1) == 0);
	CHECK(pd_printf(&out, "b") == 0);
	CHECK(pd_put_int(&out, 7) == 0);
	CHECK(pd_printf(&out, "c") == 0);
	CHECK(pd_put_double(&out, 0.5) == 0);
	CHECK(pd_printf(&out, "%s", "d") == 0);
	CHECK_STR(pd_result_out(&res)->data, "a1|b7c 0.5d");
	/* what the stream held when the result was reset is gone */
	CHECK(pd_printf(&out, "stale") == 0);
	pd_result_reset(&res);
	CHECK(pd_printf(&out, "fresh") == 0);
	CHECK_STR(pd_result_out(&res)->data, "fresh");
	/* far more than the stream's buffer, the same bytes as snprintf's */
	{
		struct pd_buf want = PD_BUF_INIT;
		int i, rc = 0;

		pd_result_reset(&res);
		for (i = 0; i < 20000; i++) {
			rc |= pd_printf(&out, " %.17g", i / 7.0);
			pd_buf_addf(&want, " %.17g", i / 7.0);
		}
		CHECK(rc == 0);
		CHECK(want.len > 300000);
		CHECK(pd_result_out(&res)->len == want.len);
		CHECK(memcmp(pd_result_out(&res)->data, want.data, want.len) == 0);
		pd_buf_release(&want);
	}
	pd_result_reset(&res);

	CHECK_STR(res.err.data, "");
	CHECK(pd_error(&out, "bad %s %d", "thing", 3) == PD_ERROR);
	CHECK_STR(res.err.data, "bad thing 3");
	CHECK(pd_error(&out, "second") == PD_ERROR); /* replaces */
	CHECK_STR(res.err.data, "second");
	CHECK(pd_error(&out, "%s", "") == PD_ERROR);
	CHECK_STR(res.err.data, "job reported an error");
	pd_result_reset(&res);
	CHECK_STR(res.err.data, "");
	pd_result_release(&res);
}

static void test_job(void)
{
	struct pd_record r;
	struct pd_result res;
	char err[PD_ERRLEN];
	pd_rec in;
	pd_out out;

	CHECK(pd_desc_t_scale.magic == PD_DESC_MAGIC && pd_desc_t_scale.kind == PD_KIND_MAP);
	CHECK(pd_worker_api.abi == PD_ABI_VERSION && pd_worker_api.size == sizeof(struct pd_api));
	pd_record_init(&r);
	pd_result_init(&res);
	in = pd_rec_wrap(&r);
	out = pd_out_wrap(&res);
	CHECK(parse(&r, "4 k=0.5", err) == 0);
	CHECK(pd_desc_t_scale.map(&in, &out) == PD_OK);
	CHECK_STR(pd_result_out(&res)->data, "4 2");
	pd_result_reset(&res);
	CHECK(parse(&r, "{\"k\": -1, \"n\": 3}", err) == 0);
	CHECK(pd_desc_t_scale.map(&in, &out) == PD_ERROR);
	CHECK_STR(res.err.data, "k must be positive, got -1");
	CHECK_STR(r.err.data, "");
	pd_result_reset(&res);
	CHECK(parse(&r, "x k=1", err) == 0);
	pd_desc_t_scale.map(&in, &out); /* the worker fails it whatever it returns */
	CHECK_STR(r.err.data, "field 1: 'x' is not an integer");
	pd_result_release(&res);
	pd_record_release(&r);
}

static void test_share_gpu(void)
{
	static const char data[] = "shared";
	struct pd_record r;
	pd_rec in;
	pd_ctx ctx = {&pd_worker_api, NULL};
	size_t len = 99;

	pd_record_init(&r);
	in = pd_rec_wrap(&r);
	CHECK(pd_share(&in, &len) == NULL && len == 0);
	CHECK(pd_ctx_gpu(&ctx) == -1);
	pd_api_set_share(data, sizeof data - 1);
	pd_api_set_gpu(2);
	CHECK(pd_share(&in, &len) == data && len == 6);
	CHECK(pd_ctx_share(&ctx, &len) == data && len == 6);
	CHECK(pd_ctx_gpu(&ctx) == 2);
	pd_api_set_share(NULL, 0);
	pd_api_set_gpu(-1);
	pd_record_release(&r);
}

/* One record reused for many lines of varying form: no leaks (ASan), no
 * stale pointers after scratch grows. */
static void test_reuse(void)
{
	struct pd_record r;
	struct pd_buf b = PD_BUF_INIT;
	char err[PD_ERRLEN];
	int i, ok = 1;

	pd_record_init(&r);
	for (i = 0; i < 2000; i++) {
		pd_buf_reset(&b);
		if (i % 3 == 0)
			pd_buf_addf(&b, "{\"i\":%d,\"s\":\"%*s\",\"a\":[%d]}", i, i % 500, "", i);
		else if (i % 3 == 1)
			pd_buf_addf(&b, "%d v=%0*d", i, i % 700, i);
		else
			pd_buf_addf(&b, "{\"bad\":%d", i);
		if (pd_record_parse(&r, b.data, b.len, i, err) != (i % 3 == 2 ? -1 : 0))
			ok = 0;
		else if (i % 3 == 0)
			ok &= r.nf == 3 && atoi(r.f[0].val) == i && strlen(r.f[1].val) == (size_t)(i % 500);
		else if (i % 3 == 1)
			ok &= r.nf == 2 && atoi(r.f[0].val) == i && atoi(r.f[1].val) == i;
	}
	CHECK(ok);
	pd_buf_release(&b);
	pd_record_release(&r);
	pd_record_release(&r); /* releasing twice is harmless */
}

int main(void)
{
	test_plain();
	test_named();
	test_json();
	test_bad_json();
	test_too_many();
	test_accessors();
	test_field_errors();
	test_output();
	test_job();
	test_share_gpu();
	test_reuse();
	return t_done("rec");
}
