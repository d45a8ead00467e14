/* f64.h - doubles on the wire: little-endian IEEE-754 binary64, or text that reads back. */
#ifndef PD_F64_H
#define PD_F64_H

#include <stddef.h>

#include "buf.h"

#define PD_F64_SIZE 8 /* bytes of one double on the wire */

/* Write n doubles to dst (n * 8 bytes, any alignment), little-endian. */
void pd_f64_put(void *dst, const double *x, size_t n);
/* Read n little-endian doubles from src (any alignment) into x. */
void pd_f64_get(double *x, const void *src, size_t n);

/* 1 when this host's doubles are already the wire's bytes (little-endian). */
int pd_f64_native(void);
/* Append n points of dim little-endian doubles (src) as text lines,
 * numbers "%.17g" separated by blanks: text that reads back to the same
 * bits with strtod (the text form of a fitness record). */
void pd_f64_lines(struct pd_buf *out, const void *src, size_t n, int dim);

#endif
