/* clock.h - the monotonic clock. */
#ifndef PD_CLOCK_H
#define PD_CLOCK_H

#include <stdint.h>

/* Monotonic clock in nanoseconds. */
uint64_t pd_now_ns(void);

#endif
