/* cli.c - usage, version and error messages for the tools' main(). */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "esc.h"
#include "fdio.h"
#include "num.h"
#include "proto.h"

static const char *cli_prog = "playdoh";
static const char *cli_usage = "";
static FILE *cli_err; /* NULL: stderr */

void pd_cli_init(const char *prog, const char *usage)
{
	cli_prog = prog;
	cli_usage = usage;
}

void pd_cli_start(char **argv, const char *prog, const char *usage)
{
	if (pd_fd_reserve_std())
		exit(PD_EX_OSERR); /* not even /dev/null: nothing to say it on */
	argv[0] = (char *)prog;
	pd_cli_init(prog, usage);
}

void pd_cli_usage(int code)
{
	fputs(cli_usage, code ? stderr : stdout);
	exit(code);
}

void pd_cli_version(void)
{
	printf("%s %s (protocol %d)\n", cli_prog, PD_VERSION, PD_PROTO_VERSION);
	exit(0);
}

int pd_cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, int version)
{
	int ch = getopt_long(argc, argv, shortopts, longopts, NULL);

	if (ch == 'h')
		pd_cli_usage(0);
	if (ch == version)
		pd_cli_version();
	if (ch == '?' || ch == ':')
		pd_cli_usage(PD_EX_USAGE);
	return ch;
}

void pd_cli_errors_to(FILE *f) { cli_err = f; }

/* The common part of say and die; control characters that a peer may
 * have put in the message are shown escaped, never sent to the terminal. */
void pd_cli_vsay(const char *fmt, va_list ap)
{
	FILE *f = cli_err ? cli_err : stderr;
	char *safe = pd_esc_vfmt(PD_ESC_KEEP_NL, fmt, ap);

	fprintf(f, "%s: %s\n", cli_prog, safe);
	free(safe);
}

void pd_cli_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pd_cli_vsay(fmt, ap);
	va_end(ap);
}

void pd_cli_note(const char *msg) { pd_cli_say("%s", msg); }

void pd_cli_note_cb(void *arg, const char *msg)
{
	(void)arg;
	pd_cli_say("%s", msg);
}

void pd_cli_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pd_cli_vsay(fmt, ap);
	va_end(ap);
	exit(code);
}

void pd_cli_epipe(int e)
{
	sigset_t s;

	if (e != EPIPE)
		return;
	fflush(stderr);
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	signal(SIGPIPE, SIG_DFL);
	raise(SIGPIPE);
	_exit(128 + SIGPIPE); /* not reached */
}

double pd_cli_double(const char *name, const char *s, double lo, double hi)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v) || v < lo || v > hi)
		pd_cli_die(PD_EX_USAGE, "%s: '%s' is not a number from %g to %g", name, s, lo, hi);
	return v;
}

long pd_cli_long(const char *name, const char *s, long lo, long hi)
{
	long v;

	if (pd_parse_long(s, lo, hi, &v))
		pd_cli_die(PD_EX_USAGE, "%s: '%s' is not a whole number from %ld to %ld", name, s, lo, hi);
	return v;
}

int pd_cli_word(const char *name, const char *s, const char *const *words)
{
	char list[256];
	size_t at = 0;
	int i, n;

	for (n = 0; words[n]; n++)
		if (!strcmp(s, words[n]))
			return n;
	for (i = 0; i < n && at < sizeof list; i++)
		at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", i ? (i == n - 1 ? " or " : ", ") : "",
				       words[i]);
	pd_cli_die(PD_EX_USAGE, "%s: '%s' is not %s", name, s, list);
}
