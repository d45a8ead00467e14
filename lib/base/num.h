/* num.h - numbers from strings, checked, and from the system. */
#ifndef PD_NUM_H
#define PD_NUM_H

/* Number of online CPUs (at least 1). */
int pd_ncpus(void);

/* Parse a decimal integer in [lo, hi] with nothing after it.  0 or -1. */
int pd_parse_long(const char *s, long lo, long hi, long *out);

/* Parse seconds (a decimal number >= 0, e.g. "2.5") into milliseconds. */
int pd_parse_seconds_ms(const char *s, long *ms);

#endif
