/* log.c - one-line log records for pd-serve. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "esc.h"

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
	char raw[1024], line[4096];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/* Peers' words end up in here: one record stays one line. */
	pd_esc_ctl(line, sizeof line, raw, 0);
	if (log_syslog) {
		syslog(prio[level], "%s", line);
		return;
	}
	fprintf(log_file ? log_file : stderr, "%s: %s: %s\n", log_tag, name[level], line);
}
