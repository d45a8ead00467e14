/* cache.h - job files stored by content hash under the state directory. */
#ifndef PD_CACHE_H
#define PD_CACHE_H

#include <stddef.h>

#define PD_HASH_LEN 32
#define PD_HASH_HEX (2 * PD_HASH_LEN + 1)

/* Hex content hash (BLAKE2b-256) of n bytes. */
void pd_hash_hex(const void *p, size_t n, char hex[PD_HASH_HEX]);

/* 1 when s is a well-formed hex hash (64 lower-case hex digits). */
int pd_hash_valid(const char *s);

/* Path of the cached file for hash under dir ("DIR/HASH"): job files and
 * --share data alike.  out holds n bytes (PD_PATH_MAX, pathfmt.h); it is
 * "" when the path does not fit, as pd_path_fmt leaves it. */
void pd_cache_path(const char *dir, const char *hash, char *out, size_t n);

/* 1 when the cache holds hash. */
int pd_cache_has(const char *dir, const char *hash);

/* Store n bytes as hash after checking they hash to it (written to a
 * temporary file, then renamed; synced to disk first when durable).
 * 0, or -1 with err. */
int pd_cache_put(const char *dir, const char *hash, const void *p, size_t n, int durable, char *err);

#endif
