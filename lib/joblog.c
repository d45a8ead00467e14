/* joblog.c - append-only log of finished records, for --resume. */
#include "joblog.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "err.h"
#include "proto.h"

/* 64-bit keyed hash of an input line (not secret, just a checksum). */
static unsigned long long line_hash(const char *in, size_t n)
{
	unsigned char h[8];
	unsigned long long v = 0;
	int i;

	crypto_generichash(h, sizeof h, (const unsigned char *)in, n, NULL, 0);
	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v;
}

/* Make room for entry `line`. */
static void fit(struct pd_joblog *j, long line)
{
	long ncap = j->cap ? j->cap : 1024, i;

	if (line < j->cap)
		return;
	while (ncap <= line)
		ncap *= 2;
	j->out = realloc(j->out, sizeof *j->out * (size_t)ncap);
	j->outlen = realloc(j->outlen, sizeof *j->outlen * (size_t)ncap);
	j->hash = realloc(j->hash, sizeof *j->hash * (size_t)ncap);
	if (!j->out || !j->outlen || !j->hash)
		abort();
	for (i = j->cap; i < ncap; i++)
		j->out[i] = NULL;
	j->cap = ncap;
}

/* Take one log line; entries that are not "ok" are ignored. */
static void load_entry(struct pd_joblog *j, const cJSON *e)
{
	const cJSON *line = cJSON_GetObjectItemCaseSensitive(e, "line");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(e, "in");
	const cJSON *out = cJSON_GetObjectItemCaseSensitive(e, "output");
	const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "status"));
	long n;

	if (!cJSON_IsNumber(line) || !cJSON_IsString(in) || !cJSON_IsString(out) || !st || strcmp(st, "ok"))
		return;
	n = (long)line->valuedouble;
	if (n < 1 || n > (1L << 40))
		return;
	fit(j, n);
	free(j->out[n]);
	j->out[n] = strdup(out->valuestring);
	j->outlen[n] = strlen(out->valuestring);
	j->hash[n] = strtoull(in->valuestring, NULL, 16);
	j->loaded++;
}

/* Read the existing log. */
static int load(struct pd_joblog *j, const char *path, char *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	cJSON *e;

	if (!f)
		return errno == ENOENT ? 0 : (pd_err(err, "open %s: %s", path, strerror(errno)), -1);
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break; /* cut short by an interruption: run it again */
		e = cJSON_ParseWithLength(line, (size_t)n);
		if (e)
			load_entry(j, e);
		cJSON_Delete(e);
	}
	free(line);
	fclose(f);
	return 0;
}

int pd_joblog_open(struct pd_joblog *j, const char *path, int resume, int mode, char *err)
{
	int fd;

	memset(j, 0, sizeof *j);
	if (resume && load(j, path, err))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (resume ? O_APPEND : O_TRUNC), mode);
	j->f = fd < 0 ? NULL : fdopen(fd, resume ? "a" : "w");
	if (!j->f) {
		if (fd >= 0)
			close(fd);
		pd_err(err, "open %s: %s", path, strerror(errno));
		pd_joblog_close(j);
		return -1;
	}
	return 0;
}

static const char *rstatus_names[] = {"ok", "error", "crash", "timeout", "lost"};

const char *pd_rstatus_name(int status)
{
	return status >= 0 && status <= PD_R_LOST ? rstatus_names[status] : "error";
}

int pd_rstatus_parse(const char *name)
{
	int i;

	for (i = 0; i <= PD_R_LOST; i++)
		if (!strcmp(name, rstatus_names[i]))
			return i;
	return -1;
}

void pd_joblog_add(struct pd_joblog *j, long line, const char *in, size_t inlen, int status,
		   double ms, const char *host, const char *out, size_t outlen)
{
	int ok = status == PD_R_OK;
	cJSON *e = cJSON_CreateObject();
	char hex[17], *text, *o = strndup(out, outlen);

	snprintf(hex, sizeof hex, "%016llx", line_hash(in, inlen));
	cJSON_AddNumberToObject(e, "line", (double)line);
	cJSON_AddStringToObject(e, "in", hex);
	if (j->with_input) {
		char *input = strndup(in, inlen);

		cJSON_AddStringToObject(e, "input", input ? input : "");
		free(input);
	}
	cJSON_AddStringToObject(e, "status", pd_rstatus_name(status));
	cJSON_AddNumberToObject(e, "ms", round(ms * 1000) / 1000);
	cJSON_AddStringToObject(e, "host", host);
	cJSON_AddStringToObject(e, ok ? "output" : "error", o ? o : "");
	text = cJSON_PrintUnformatted(e);
	if (text)
		fprintf(j->f, "%s\n", text);
	cJSON_free(text);
	cJSON_Delete(e);
	free(o);
}

int pd_joblog_lookup(const struct pd_joblog *j, long line, const char *in, size_t inlen,
		     struct pd_buf *out)
{
	if (line >= j->cap || !j->out[line] || j->hash[line] != line_hash(in, inlen))
		return 0;
	pd_buf_add(out, j->out[line], j->outlen[line]);
	return 1;
}

void pd_joblog_flush(struct pd_joblog *j)
{
	if (j->f)
		fflush(j->f);
}

void pd_joblog_close(struct pd_joblog *j)
{
	long i;

	if (j->f)
		fclose(j->f);
	for (i = 0; i < j->cap; i++)
		free(j->out[i]);
	free(j->out);
	free(j->outlen);
	free(j->hash);
	memset(j, 0, sizeof *j);
}
