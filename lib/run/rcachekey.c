/* rcachekey.c - what a cached result depends on, besides its record: the run's context. */
#include "rcache.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cache.h"
#include "err.h"
#include "jobcc.h"
#include "proto.h"

/* Hash one length-prefixed field into s, so that fields never run together. */
static void field(crypto_generichash_state *s, const char *tag, const void *p, size_t n)
{
	unsigned char len[8];
	int i;

	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)((unsigned long long)n >> (8 * i));
	crypto_generichash_update(s, (const unsigned char *)tag, strlen(tag) + 1);
	crypto_generichash_update(s, len, sizeof len);
	if (n)
		crypto_generichash_update(s, p, n);
}

/* The job's identity: the .so's bytes, or the source's bytes and this
 * host's compiler (the hosts compile it as this one would). */
static void job_field(crypto_generichash_state *s, const struct pd_rcache_job *j)
{
	char src_hash[PD_HASH_HEX], cc_key[PD_HASH_HEX], err[PD_ERRLEN];

	if (!j->src) {
		field(s, "so", j->job, j->job_len);
		return;
	}
	pd_hash_hex(j->job, j->job_len, src_hash);
	field(s, "src", j->job, j->job_len);
	if (pd_jobcc_key(src_hash, cc_key, err) == 0)
		field(s, "cc", cc_key, strlen(cc_key));
	else
		field(s, "cc", "", 0); /* no compiler here: the source alone */
}

void pd_rcache_ctx_make(struct pd_rcache_ctx *ctx, const struct pd_rcache_job *j)
{
	crypto_generichash_state s;
	unsigned char gpu = (unsigned char)(j->gpu != 0);
	int n;

	crypto_generichash_init(&s, NULL, 0, PD_RCACHE_KEY);
	field(&s, "playdoh", PD_VERSION, strlen(PD_VERSION));
	job_field(&s, j);
	field(&s, "sym", j->sym, strlen(j->sym));
	if (j->share_path)
		field(&s, "share", j->share, j->share_len);
	if (j->args)
		field(&s, "args", j->args, strlen(j->args));
	field(&s, "gpu", &gpu, 1);
	crypto_generichash_final(&s, ctx->key, PD_RCACHE_KEY);
	n = snprintf(ctx->desc, sizeof ctx->desc, "%s%s%s", j->job_path, *j->sym ? ":" : "", j->sym);
	if (j->share_path && n >= 0 && (size_t)n < sizeof ctx->desc)
		n += snprintf(ctx->desc + n, sizeof ctx->desc - (size_t)n, " --share %s", j->share_path);
	if (j->args && n >= 0 && (size_t)n < sizeof ctx->desc)
		n += snprintf(ctx->desc + n, sizeof ctx->desc - (size_t)n, " args %s", j->args);
	if (j->gpu && n >= 0 && (size_t)n < sizeof ctx->desc)
		snprintf(ctx->desc + n, sizeof ctx->desc - (size_t)n, " (GPU)");
}
