/* f64.c - doubles on the wire: little-endian IEEE-754 binary64, or text that reads back. */
#include "f64.h"

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_IS_LE 1
#else
#define HOST_IS_LE 0
#endif

/* Reverse the bytes of one 8-byte word (a big-endian host's double). */
static uint64_t swap64(uint64_t v)
{
	uint64_t r = 0;
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		r = r << 8 | (v & 0xff);
	return r;
}

/* Copy n 8-byte words from src to dst, in little-endian order on either
 * side: the same on a little-endian host, reversed on a big-endian one.
 * Putting and getting are the same copy. */
static void copy_le(void *dst, const void *src, size_t n)
{
	const unsigned char *s = src;
	unsigned char *d = dst;
	uint64_t v;
	size_t i;

	if (HOST_IS_LE) {
		memcpy(dst, src, n * PD_F64_SIZE);
		return;
	}
	for (i = 0; i < n; i++) {
		memcpy(&v, s + i * PD_F64_SIZE, sizeof v);
		v = swap64(v);
		memcpy(d + i * PD_F64_SIZE, &v, sizeof v);
	}
}

int pd_f64_native(void) { return HOST_IS_LE; }

void pd_f64_put(void *dst, const double *x, size_t n) { copy_le(dst, x, n); }

void pd_f64_get(double *x, const void *src, size_t n) { copy_le(x, src, n); }

void pd_f64_lines(struct pd_buf *out, const void *src, size_t n, int dim)
{
	const unsigned char *p = src;
	double v;
	size_t i;
	int j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < dim; j++, p += PD_F64_SIZE) {
			pd_f64_get(&v, p, 1);
			pd_buf_addf(out, j ? " %.17g" : "%.17g", v);
		}
		pd_buf_addc(out, '\n');
	}
}
