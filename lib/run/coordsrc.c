/* coordsrc.c - a map run whose job is C source: each host's compile, and the job picked from it. */
#include <stdio.h>
#include <string.h>

#include "coordint.h"
#include "jobcc.h"
#include "jobfile.h"
#include "json.h"
#include "playdoh.h"

const char *pd_coord_i_src_name(const struct pd_coord *c)
{
	return pd_jobcc_name_ok(c->job_name) ? c->job_name : "job.c";
}

/* How the user knows the host: its address, or "localhost". */
static const char *host_name(const struct chost *h)
{
	return pd_target_sealed(&h->t) ? h->t.name : "localhost";
}

/* The jobs a host found in its compile, as pd_jobfile_inspect_kinds
 * lists them; -1 when the answer is malformed. */
static int answer_jobs(const cJSON *j, struct pd_buf *names, struct pd_buf *kinds, int *n)
{
	const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(j, "jobs"), *one;
	const char *name;
	double kind;

	*n = 0;
	if (!cJSON_IsArray(jobs))
		return -1;
	cJSON_ArrayForEach(one, jobs) {
		name = pd_json_str(one, "name", NULL);
		kind = pd_json_num(one, "kind", -1);
		if (!name || !*name || strlen(name) > PD_JOB_NAME_MAX || kind < 0 || kind > 255)
			return -1;
		pd_buf_add(names, name, strlen(name) + 1);
		pd_buf_addc(kinds, (char)kind);
		(*n)++;
	}
	return 0;
}

/* Pick the job to run among what the host compiled, as for a .so. */
static int pick(struct chost *h, const cJSON *j, char *err)
{
	struct pd_coord *c = h->c;
	struct pd_buf names = PD_BUF_INIT, kinds = PD_BUF_INIT;
	unsigned mask = c->o.fitness ? 1u << PD_KIND_FITNESS | 1u << PD_KIND_FITNESS_BATCH : 1u << PD_KIND_MAP;
	char why[PD_ERRLEN];
	int n, rc = -1;

	if (answer_jobs(j, &names, &kinds, &n))
		pd_err(err, "host %s: malformed answer about the compiled job", host_name(h));
	else if (pd_jobfile_pick(c->job_name, &names, &kinds, n, c->o.sym, mask,
				 c->o.fitness ? "fitness function" : "map job", h->sym, sizeof h->sym, why))
		pd_err(err, "host %s: %s", host_name(h), why);
	else
		rc = 0;
	pd_buf_release(&names);
	pd_buf_release(&kinds);
	return rc;
}

int pd_coord_i_src_answer(struct chost *h, const cJSON *j, struct pd_buf *msg, char *err)
{
	const char *cerr = pd_json_str(j, "compile_error", NULL), *so = pd_json_str(j, "so", NULL);
	const char *nl;
	size_t len;

	if (cerr) {
		nl = strchr(cerr, '\n');
		if (nl) /* the compiler's message follows the first line */
			pd_buf_addf(msg, "host %s: %s", host_name(h), cerr);
		len = nl ? (size_t)(nl - cerr) : strlen(cerr);
		if (len && cerr[len - 1] == ':')
			len--; /* "NAME did not compile:" introduces the message */
		pd_err(err, "run stopped: host %s: %.*s", host_name(h), (int)len, cerr);
		return -1;
	}
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "ok")))
		return 0; /* the host needs the source */
	if (!so || !pd_hash_valid(so)) {
		pd_err(err, "host %s: malformed answer about the compiled job", host_name(h));
		return -1;
	}
	if (pick(h, j, err))
		return -1;
	snprintf(h->hash, sizeof h->hash, "%s", so);
	return 0;
}
