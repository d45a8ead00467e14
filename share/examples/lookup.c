/*
 * lookup.c - reads read-only data shared with --share FILE.
 *
 * The shared file is mapped once per host and handed to every job; here
 * it is a table of "KEY VALUE" lines, and each record is a key whose
 * value is printed (an unknown key fails that record).
 *
 *	printf 'pi 3.14159\ne 2.71828\n' > table
 *	printf 'e\npi\n' | pd-map --share table lookup.so
 */
#include <string.h>

#include "playdoh.h"

PD_MAP(lookup)
{
	const char *key = pd_str(in, 0), *p, *end, *nl, *sp;
	size_t len, klen;

	p = pd_share(in, &len);
	if (!key)
		return pd_error(out, "no key given");
	if (!p)
		return pd_error(out, "no table: run with --share FILE");
	klen = strlen(key);
	for (end = p + len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (sp && (size_t)(sp - p) == klen && !memcmp(p, key, klen))
			return pd_write(out, sp + 1, (size_t)(nl - sp - 1));
	}
	return pd_error(out, "key '%s' not in the table", key);
}
