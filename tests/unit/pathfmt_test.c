/* pathfmt_test.c - unit tests for pd_path_fmt and the paths built with it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "err.h"
#include "fdio.h"
#include "pathfmt.h"
#include "t.h"

/* A name of exactly len bytes: "/" then 'a's. */
static char *name_of(size_t len)
{
	char *s = malloc(len + 1);

	memset(s, 'a', len);
	s[0] = '/';
	s[len] = '\0';
	return s;
}

/* The longest name that fits is kept whole; one byte more is refused. */
static void test_fit(void)
{
	char out[PD_PATH_MAX], *fits = name_of(PD_PATH_MAX - 1), *over = name_of(PD_PATH_MAX);

	CHECK(pd_path_fmt(out, "%s/%s", "/state", "log") == 0);
	CHECK_STR(out, "/state/log");
	CHECK(pd_path_fmt(out, "%s", fits) == 0);
	CHECK(strlen(out) == PD_PATH_MAX - 1);
	CHECK(memcmp(out, fits, PD_PATH_MAX) == 0);
	errno = 0;
	CHECK(pd_path_fmt(out, "%s", over) == -1);
	CHECK(errno == ENAMETOOLONG);
	CHECK_STR(out, "");
	errno = 0;
	CHECK(pd_path_fmt(out, "%s/x", fits + 1) == -1);
	CHECK(errno == ENAMETOOLONG);
	free(fits);
	free(over);
}

/* Callers: a cache path and a replaced file too long to name. */
static void test_callers(void)
{
	char out[PD_PATH_MAX], err[PD_ERRLEN] = "", *dir = name_of(PD_PATH_MAX - 8);

	pd_cache_path("/c", "0123", out, sizeof out);
	CHECK_STR(out, "/c/0123");
	pd_cache_path(dir, "0123456789", out, sizeof out);
	CHECK_STR(out, "");
	errno = 0;
	CHECK(pd_replace_file(dir, "x", 1, 0600, 0, err) == -1);
	CHECK(errno == ENAMETOOLONG);
	CHECK(strncmp(err, "/aaa", 4) == 0); /* the name (cut to PD_ERRLEN), then the reason */
	free(dir);
}

int main(void)
{
	test_fit();
	test_callers();
	return t_done("pathfmt_test");
}
