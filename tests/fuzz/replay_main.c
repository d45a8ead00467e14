/* replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput on files,
 * without libFuzzer: `make check` replays every corpus and regression
 * input through each target this way, on every build (SAN=1 included). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read all of path into a fresh buffer; NULL with errno on failure. */
static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL, *q;
	size_t cap = 0, got;

	*n = 0;
	if (!f)
		return NULL;
	do {
		if (*n == cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(q = realloc(p, cap))) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
		}
		got = fread(p + *n, 1, cap - *n, f);
		*n += got;
	} while (got > 0);
	if (ferror(f)) {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

/* Replay one file; 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
	size_t n;
	unsigned char *p = slurp(path, &n);

	if (!p) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno ? errno : EIO));
		return -1;
	}
	LLVMFuzzerTestOneInput(p, n);
	free(p);
	return 0;
}

/* Replay a file, or every regular file in a directory (not recursive).
 * Adds the number replayed to *count; 0 or -1. */
static int replay_path(const char *path, long *count)
{
	struct dirent **names;
	struct stat st;
	char sub[4096];
	int i, k, rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = replay_file(path);
		*count += rc == 0;
		return rc;
	}
	if ((k = scandir(path, &names, NULL, alphasort)) < 0) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < k; i++) {
		snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && !stat(sub, &st) && S_ISREG(st.st_mode)) {
			if (replay_file(sub))
				rc = -1;
			else
				++*count;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	long count = 0;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 64;
	}
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count))
			rc = 1;
	printf("replayed %ld inputs\n", count);
	return rc;
}
