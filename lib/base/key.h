/* key.h - the cluster key file. */
#ifndef PD_KEY_H
#define PD_KEY_H

#define PD_KEY_LEN 32

/*
 * Create `path` holding PD_KEY_LEN random bytes (libsodium), mode 0600,
 * creating missing parent directories with mode 0700.  Refuses to
 * overwrite an existing file.  Returns 0, or -1 with err filled.
 */
int pd_key_generate(const char *path, char *err);

/*
 * Load the key at `path` into key[].  Refused (-1, err filled) when the
 * file is missing ("no cluster key at PATH; create one with: pd-serve
 * --keygen"), a symbolic link, not a regular file, readable or writable
 * by group or others ("key file PATH is accessible by group or others
 * (mode 0644); fix it with: chmod 600 PATH"), or not exactly PD_KEY_LEN
 * bytes.
 * Returns 0, or -1 and sets *perm to 1 when the refusal is a permission
 * problem (the mode above, or open() failing with EACCES; callers map that
 * to exit 77), 0 otherwise.  perm may be NULL.
 */
int pd_key_load(const char *path, unsigned char key[PD_KEY_LEN], int *perm, char *err);

#endif
