/* log.h - the daemon's log: stderr in the foreground, syslog otherwise. */
#ifndef PD_LOG_H
#define PD_LOG_H

/* NOTICE: normal but worth saying at the default level (where the
 * server listens), written without the word "warning". */
enum pd_log_level { PD_LOG_ERR, PD_LOG_WARN, PD_LOG_NOTICE, PD_LOG_INFO, PD_LOG_DEBUG };

/* Configure: `tag` names the program, `level` the most verbose level
 * written, use_syslog sends lines to syslog instead of stderr. */
void pd_log_open(const char *tag, int level, int use_syslog);
void pd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pd_log_level(void);

#endif
