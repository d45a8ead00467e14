/* mapcache.c - pd-map --cache: opening the result cache for a run, its summary, --cache-list and --cache-prune. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jobcc.h"
#include "xmalloc.h"
#include "map.h"

/* Coordinator: is this record's result in the cache? */
int cached_cb(void *arg, const char *line, size_t len, struct pd_coord_hit *hit)
{
	struct pd_rcache_hit h;

	(void)arg;
	if (!pd_rcache_get(M.rc, line, len, &h))
		return 0;
	*hit = (struct pd_coord_hit){h.out, h.host, h.outlen, h.ms, h.tries};
	return 1;
}

/* --cache and its fellows: cross-option checks. */
void check_cache_options(int argc)
{
	if (M.cache_list + M.cache_prune + M.cache > 1)
		say("--cache, --cache-list and --cache-prune cannot be combined"), exit(PD_EX_USAGE);
	if ((M.cache_list || M.cache_prune) && (optind != argc || M.fetch || M.cancel))
		say("--cache-%s takes no job", M.cache_list ? "list" : "prune"), exit(PD_EX_USAGE);
	if (M.cache_size && !M.cache && !M.cache_prune)
		say("--cache-size goes with --cache or --cache-prune"), exit(PD_EX_USAGE);
	if (M.cache && M.detach)
		say("--cache runs attached only, not with --detach (the cache is this host's)"), exit(PD_EX_USAGE);
	if (M.cache && (M.fetch || M.cancel))
		say("--cache goes with a run, not with --%s", M.fetch ? "fetch" : "cancel"), exit(PD_EX_USAGE);
}

/* 1 when the command given (not a job file) holds {#}: its result
 * depends on the record's number. */
static int command_uses_lineno(void)
{
	int i;

	for (i = 0; M.cmd && i < M.ncmd; i++)
		if (strstr(M.cmd[i], "{#}"))
			return 1;
	return 0;
}

/* --cache: open the result cache for this run's context, unless the job
 * says its results are not worth keeping.  0 or an exit status. */
int open_cache(const struct pd_hostsel *sel, const struct files *f)
{
	struct pd_rcache_ctx *ctx;
	char dir[PD_PATH_MAX], err[PD_ERRLEN];
	long long limit = M.cache_size ? M.cache_size : pd_rcache_limit_env();

	if (!M.cache)
		return 0;
	if (M.nondet) {
		say("--cache: job '%s' is marked PD_NONDETERMINISTIC: its results are not cached",
		    *f->sym ? f->sym : f->jobpath);
		return 0;
	}
	if (command_uses_lineno()) {
		say("--cache: the command uses {#}, the record's number, which is not in the cache's key: its results "
		    "are not cached");
		return 0;
	}
	if (limit < 0) {
		say("PD_CACHE_SIZE: '%s' is not a size (bytes, or a number with K, M, G or T)", getenv("PD_CACHE_SIZE"));
		return PD_EX_USAGE;
	}
	ctx = pd_xmalloc(sizeof *ctx);
	pd_rcache_ctx_make(ctx, &(struct pd_rcache_job){
	    .job_path = f->jobpath, .sym = f->sym, .job = f->job, .job_len = f->joblen,
	    .src = pd_jobcc_is_source(f->jobpath), .gpu = M.gpu != 0,
	    .share_path = M.share ? f->sharepath : NULL, .share = f->share, .share_len = f->sharelen,
	    .args = f->args,
	});
	if (pd_rcache_dir(sel->paths.state, dir, err) == 0)
		M.rc = pd_rcache_open(dir, ctx, limit, err);
	free(ctx);
	if (!M.rc) {
		say("--cache: %s", err);
		return PD_EX_OSERR;
	}
	return 0;
}

/* --cache: write out what the run adds and say what the cache did. */
void close_cache(long records)
{
	struct pd_rcache_stats st;
	char err[PD_ERRLEN];

	if (!M.rc)
		return;
	if (pd_rcache_close(M.rc, &st, err))
		say("--cache: %s (the results not written run again next time)", err);
	M.rc = NULL;
	if (st.damaged)
		say("--cache: skipped %lld bytes of damaged or torn entries (a result there is computed again)",
		    st.damaged);
	say("--cache: %ld of %ld records from the cache, %ld results stored%s", st.hits, records, st.stored,
	    st.evicted ? ", least recently used ones dropped to keep the size limit" : "");
}

/* One context of the cache, a line of --cache-list. */
static void list_one(void *arg, const struct pd_rcache_info *i)
{
	char when[32];
	time_t t = (time_t)i->last_used;
	struct tm tm;

	(void)arg;
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	printf("%s %8ld %12lld  %s  %s\n", i->id, i->entries, i->bytes, when, shown(i->desc, strlen(i->desc), 400));
}

/* --cache-list and --cache-prune [--cache-size SIZE]. */
int cache_admin(void)
{
	struct pd_rcache_stats st;
	struct pd_paths paths;
	char dir[PD_PATH_MAX], err[PD_ERRLEN];

	if (pd_paths_init(&paths, err) || pd_rcache_dir(paths.state, dir, err)) {
		say("%s", err);
		return PD_EX_USAGE;
	}
	if (M.cache_list) {
		printf("%-24s %8s %12s  %-20s  %s\n", "CONTEXT", "RESULTS", "BYTES", "LAST USED", "JOB");
		if (pd_rcache_list(dir, list_one, NULL, &st, err)) {
			say("--cache-list: %s", err);
			return PD_EX_OSERR;
		}
		printf("%-24s %8ld %12lld  (the log, in %s)\n", "total", st.entries, st.size, dir);
		if (st.damaged)
			say("--cache-list: %lld bytes of damaged or torn entries (dropped at the next --cache-prune)", st.damaged);
		return 0;
	}
	if (pd_rcache_prune(dir, M.cache_size, &st, err)) {
		say("--cache-prune: %s", err);
		return PD_EX_OSERR;
	}
	say("--cache-prune: %ld results dropped, %ld kept (%lld bytes)", st.evicted, st.entries, st.size);
	return 0;
}
