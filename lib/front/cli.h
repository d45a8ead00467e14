/* cli.h - the binaries' shared front end: usage and the error grammar. */
#ifndef PD_CLI_H
#define PD_CLI_H

#include <stdarg.h>
#include <stdio.h>

/*
 * The one module of lib/ that prints and exits, for the tools' main()
 * only: every message reads "PROG: what failed: why" on stderr, and
 * usage goes to stdout for -h (exit 0) and to stderr otherwise.
 */

/* Name the program and its usage text (the man page's SYNOPSIS). */
void pd_cli_init(const char *prog, const char *usage);

/* The opening of every main(): fds 0-2 open (on /dev/null where closed;
 * exit PD_EX_OSERR silently when even that fails), argv[0] set to prog so
 * that getopt's messages name the tool, not its path, then pd_cli_init. */
void pd_cli_start(char **argv, const char *prog, const char *usage);

/* Print usage (stdout when code is 0, else stderr) and exit with code. */
void pd_cli_usage(int code) __attribute__((noreturn));

/* Print --version and exit 0. */
void pd_cli_version(void) __attribute__((noreturn));

struct option;

/* getopt_long for a main()'s loop, with what every tool does alike:
 * -h/--help prints usage and exits 0, the option whose code is version
 * (--version) prints the version and exits 0, and an unknown option or a
 * missing argument prints usage and exits PD_EX_USAGE.  Returns the
 * other options' codes, then -1. */
int pd_cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts, int version);

/* Send the messages of pd_cli_say and pd_cli_die to f instead of
 * stderr (NULL: stderr again); a daemon starting up uses its caller's. */
void pd_cli_errors_to(FILE *f);

/* "PROG: message" on stderr. */
void pd_cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with a va_list, for a tool's own say() that does more first
 * (pd-map clears its progress bar). */
void pd_cli_vsay(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A library's note (a host that did not resolve, ...) said as "PROG: msg":
 * the two shapes of note callback that lib/ takes. */
void pd_cli_note(const char *msg);
void pd_cli_note_cb(void *arg, const char *msg);

/* A write of the tool's output failed with e: when the reader went away
 * (EPIPE, as in `pd-opt --trace /dev/stdout ... | head -1`), end the
 * process quietly by SIGPIPE, as the standard tools end; else return. */
void pd_cli_epipe(int e);

/* "PROG: message" on stderr, then exit with code. */
void pd_cli_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* The number option `name` gives in s: a finite double in [lo, hi], or a
 * whole number in [lo, hi]; else exit PD_EX_USAGE naming the option. */
double pd_cli_double(const char *name, const char *s, double lo, double hi);
long pd_cli_long(const char *name, const char *s, long lo, long hi);

/* The index in words (NULL-terminated) of the word option `name` gives
 * in s; else exit PD_EX_USAGE naming the option and every word. */
int pd_cli_word(const char *name, const char *s, const char *const *words);

#endif
