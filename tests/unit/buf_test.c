/* buf_test.c - the growable buffer (lib/base/buf.c): a buffer that asks
 * for huge pages keeps every byte across its growth by copies, sits on
 * whole 2 MiB pages from 4 MiB on, and is still a plain malloc block for
 * free() and pd_buf_detach; one that does not ask grows as before. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "t.h"

#define MIB ((size_t)1 << 20)

/* The byte at offset k of the test pattern (not periodic in 4 KiB). */
static char pattern(size_t k) { return (char)(k * 131 + (k >> 12) + (k >> 20)); }

/* Fill b to n bytes in uneven pieces; 1 when every byte, the NUL and the
 * layout (aligned whole huge pages once big, if huge) are right after
 * each growth. */
static int fill(struct pd_buf *b, size_t n, int huge)
{
	char piece[3001];
	size_t k, i, m, ok = 1;

	for (k = 0; k < n; k += m) {
		m = n - k < sizeof piece ? n - k : sizeof piece - (k % 7);
		for (i = 0; i < m; i++)
			piece[i] = pattern(k + i);
		pd_buf_add(b, piece, m);
		if (b->data[b->len] != 0 || b->len != k + m)
			ok = 0;
		if (huge && b->cap >= 4 * MIB && ((uintptr_t)b->data % (2 * MIB) || b->cap % (2 * MIB)))
			ok = 0;
		if (!huge && (b->cap & (b->cap - 1)))
			ok = 0; /* a plain buffer's capacity stays a power of two */
	}
	for (k = 0; k < n; k++)
		if (b->data[k] != pattern(k))
			return 0;
	return ok;
}

int main(void)
{
	struct pd_buf b = PD_BUF_INIT;
	size_t len;
	char *p;
	int huge;

	for (huge = 0; huge <= 1; huge++) {
		if (huge)
			pd_buf_want_huge(&b);
		CHECK(fill(&b, 9 * MIB + 123, huge));
		CHECK(b.huge == huge);
		CHECK(b.cap >= 9 * MIB + 124);
		/* handed over: a malloc block the caller frees */
		p = pd_buf_detach(&b, &len);
		CHECK(len == 9 * MIB + 123 && p[len] == 0 && p[len - 1] == pattern(len - 1));
		free(p);
		CHECK(b.len == 0 && b.cap == 0 && b.data[0] == 0);
		/* a small huge-asking buffer is an ordinary one */
		if (huge)
			pd_buf_want_huge(&b);
		CHECK(fill(&b, 1000, huge));
		CHECK(b.cap < 4 * MIB);
		pd_buf_release(&b);
		CHECK(b.huge == 0 && b.cap == 0);
	}
	return t_done("buf_test");
}
