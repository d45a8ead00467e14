/* cache.c - content-addressed job file cache. */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "fdio.h"
#include "pathfmt.h"
#include "seal.h"

void pd_hash_hex(const void *p, size_t n, char hex[PD_HASH_HEX])
{
	unsigned char h[PD_HASH_LEN];

	crypto_generichash(h, sizeof h, p, n, NULL, 0);
	pd_hex_encode(h, sizeof h, hex);
}

int pd_hash_valid(const char *s)
{
	size_t i;

	for (i = 0; i < PD_HASH_HEX - 1; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == 0;
}

void pd_cache_path(const char *dir, const char *hash, char *out, size_t n)
{
	int k = snprintf(out, n, "%s/%s", dir, hash);

	if (k < 0 || (size_t)k >= n)
		out[0] = '\0';
}

int pd_cache_has(const char *dir, const char *hash)
{
	char path[PD_PATH_MAX];

	if (!pd_hash_valid(hash))
		return 0;
	pd_cache_path(dir, hash, path, sizeof path);
	return access(path, R_OK) == 0;
}

int pd_cache_put(const char *dir, const char *hash, const void *p, size_t n, int durable, char *err)
{
	char want[PD_HASH_HEX], path[PD_PATH_MAX], e[PD_ERRLEN];

	if (!pd_hash_valid(hash)) {
		pd_err(err, "malformed job hash");
		return -1;
	}
	pd_hash_hex(p, n, want);
	if (strcmp(want, hash)) {
		pd_err(err, "job file does not match its hash");
		return -1;
	}
	pd_cache_path(dir, hash, path, sizeof path);
	if (pd_replace_file(path, p, n, 0700, durable, e)) {
		pd_err(err, "write %s", e);
		return -1;
	}
	return 0;
}

