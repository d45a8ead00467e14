/*
 * faulty.c - a job that misbehaves on request; it exists to test how
 * Playdoh handles failing jobs (crashes, hangs, huge outputs), so the
 * tests can check that one bad record fails alone and workers recover.
 *
 * The first field of each record says what to do:
 *	ok	output "ok"
 *	segv	crash with SIGSEGV
 *	abort	abort()
 *	exit	_exit(3) in the middle of the record
 *	loop	spin forever (for timeouts)
 *	fail	pd_error(out, "asked to fail")
 *	big N	output N bytes of 'x'
 *	other	output the word back
 *
 *	cc -shared -fPIC -O2 -I/path/to/playdoh/include faulty.c -o faulty.so
 *	printf 'ok\nfail\nsegv\nbig 10\n' | pd-map faulty.so
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <playdoh.h>

/* Output n bytes of 'x'. */
static int big(pd_out *out, long long n)
{
	char x[4096];

	if (n < 0)
		return pd_error(out, "big: negative size %lld", n);
	memset(x, 'x', sizeof x);
	for (; n > 0; n -= (long long)sizeof x)
		pd_write(out, x, n < (long long)sizeof x ? (size_t)n : sizeof x);
	return PD_OK;
}

PD_MAP(faulty)
{
	const char *w = pd_str(in, 0);
	volatile int spin = 1;

	if (!w)
		return PD_OK;
	if (!strcmp(w, "ok"))
		return pd_put_str(out, "ok");
	if (!strcmp(w, "segv"))
		raise(SIGSEGV);
	if (!strcmp(w, "abort"))
		abort();
	if (!strcmp(w, "exit"))
		_exit(3);
	if (!strcmp(w, "loop"))
		while (spin)
			;
	if (!strcmp(w, "fail"))
		return pd_error(out, "asked to fail");
	if (!strcmp(w, "big"))
		return big(out, pd_int(in, 1));
	return pd_put_str(out, w);
}
