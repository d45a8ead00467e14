/* log.c - one-line log records for pd-serve. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

static const char *log_tag = "playdoh";
static int log_max = PD_LOG_WARN;
static int log_syslog;
static FILE *log_file; /* NULL: stderr */

void pd_log_open(const char *tag, int level, int use_syslog)
{
	log_tag = tag;
	log_max = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(tag, LOG_PID, LOG_DAEMON);
}

int pd_log_level(void) { return log_max; }

void pd_log_to(FILE *f) { log_file = f; }

void pd_log(int level, const char *fmt, ...)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};
	static const char *name[] = {"error", "warning", "notice", "info", "debug"};
	char line[1024];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (log_syslog) {
		syslog(prio[level], "%s", line);
		return;
	}
	fprintf(log_file ? log_file : stderr, "%s: %s: %s\n", log_tag, name[level], line);
}
