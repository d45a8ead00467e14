/* suite.c - the AEAD offer, choice and transcript of a handshake. */
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "esc.h"
#include "json.h"

/* Append name to v (n entries) unless it is there already. */
static int add_once(enum pd_aead v[PD_AEAD_N], int n, enum pd_aead a)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == a)
			return n;
	v[n] = a;
	return n + 1;
}

int pd_suite_local(enum pd_aead v[PD_AEAD_N], char *err)
{
	const char *env = getenv("PD_AEAD");
	char name[64], shown[128];
	size_t len;
	enum pd_aead a;
	int n = 0;

	if (!env || !*env) {
		if (pd_aead_usable(PD_AEAD_AES))
			v[n++] = PD_AEAD_AES;
		v[n++] = PD_AEAD_CHACHA;
		return n;
	}
	while (*env) {
		len = strcspn(env, ",");
		snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name - 1 ? len : sizeof name - 1), env);
		env += len + (env[len] == ',');
		a = pd_aead_parse(name);
		if (!a) {
			pd_err(err, "PD_AEAD: unknown AEAD '%s' (known: aes256gcm, chacha20poly1305)",
			       pd_esc_ctl(shown, sizeof shown, name, 0));
			return -1;
		}
		if (!pd_aead_usable(a)) {
			pd_err(err, "PD_AEAD: %s is not usable here (this CPU lacks the AES instructions libsodium needs)",
			       name);
			return -1;
		}
		n = add_once(v, n, a);
	}
	if (!n) {
		pd_err(err, "PD_AEAD names no AEAD");
		return -1;
	}
	return n;
}

/* Append text to su's transcript (sizes are bounded by the offer's caps). */
static void t_add(struct pd_suite *su, const char *text)
{
	size_t len = strlen(su->t);

	snprintf(su->t + len, sizeof su->t - len, "%s", text);
}

int pd_suite_offer(cJSON *hello, struct pd_suite *su, char *err)
{
	enum pd_aead v[PD_AEAD_N];
	cJSON *a;
	int n = pd_suite_local(v, err), i;

	if (n < 0)
		return -1;
	a = cJSON_AddArrayToObject(hello, "aead");
	su->aead = 0;
	su->t[0] = 0;
	for (i = 0; i < n; i++) {
		cJSON_AddItemToArray(a, cJSON_CreateString(pd_aead_name(v[i])));
		if (i)
			t_add(su, ",");
		t_add(su, pd_aead_name(v[i]));
	}
	return 0;
}

/* 1 when s is a well-formed AEAD name (known or not). */
static int name_ok(const char *s)
{
	size_t len = strlen(s);

	return len >= 1 && len <= PD_SUITE_NAME_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

/* 1 when a is among v[0..n). */
static int has(const enum pd_aead *v, int n, enum pd_aead a)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == a)
			return 1;
	return 0;
}

/* v[0..n) as a comma-separated list of names into buf. */
static const char *names(const enum pd_aead *v, int n, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", pd_aead_name(v[i]));
	return buf;
}

/* The server's side with a hello that offers nothing: an older client. */
static int choose_legacy(const enum pd_aead *v, int n, struct pd_suite *su, char *err)
{
	if (!has(v, n, PD_AEAD_CHACHA)) {
		pd_err(err, "the client offers no AEAD (it predates the negotiation), and PD_AEAD here allows "
			    "only aes256gcm");
		return -1;
	}
	su->aead = PD_AEAD_CHACHA;
	su->t[0] = 0;
	return 0;
}

int pd_suite_choose(const cJSON *hello, cJSON *challenge, struct pd_suite *su, char *err)
{
	const cJSON *offer = cJSON_GetObjectItemCaseSensitive(hello, "aead"), *it;
	enum pd_aead v[PD_AEAD_N], a, pick = 0;
	char mine[64];
	int n = pd_suite_local(v, err), i = 0;

	if (n < 0)
		return -1;
	if (!offer)
		return choose_legacy(v, n, su, err);
	su->t[0] = 0;
	if (!cJSON_IsArray(offer) || cJSON_GetArraySize(offer) < 1 || cJSON_GetArraySize(offer) > PD_SUITE_OFFER_MAX) {
		pd_err(err, "hello: member 'aead' is not a list of 1 to %d AEAD names", PD_SUITE_OFFER_MAX);
		return -1;
	}
	cJSON_ArrayForEach(it, offer) {
		if (!cJSON_IsString(it) || !name_ok(it->valuestring)) {
			pd_err(err, "hello: member 'aead' holds something that is not an AEAD name");
			return -1;
		}
		if (i++)
			t_add(su, ",");
		t_add(su, it->valuestring);
		a = pd_aead_parse(it->valuestring);
		if (!pick && a && has(v, n, a))
			pick = a;
	}
	if (!pick) {
		pd_err(err, "no AEAD in common: the client offers %s; this side allows %s", su->t,
		       names(v, n, mine, sizeof mine));
		return -1;
	}
	t_add(su, ">");
	t_add(su, pd_aead_name(pick));
	su->aead = pick;
	cJSON_AddStringToObject(challenge, "aead", pd_aead_name(pick));
	return 0;
}

int pd_suite_accept(const cJSON *challenge, struct pd_suite *su, char *err)
{
	const char *choice = pd_json_str(challenge, "aead", NULL);
	char offer[PD_SUITE_TRANSCRIPT_MAX], shown[128], *p, *save = NULL;
	enum pd_aead a;

	if (!choice) {
		pd_err(err, "the server chose no AEAD (a pd-serve older than this client, or an altered challenge)");
		return -1;
	}
	a = pd_aead_parse(choice);
	snprintf(offer, sizeof offer, "%s", su->t);
	for (p = strtok_r(offer, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (a && !strcmp(p, choice))
			break;
	if (!p) {
		pd_err(err, "the server chose AEAD '%s', which this side did not offer (%s)",
		       pd_esc_ctl(shown, sizeof shown, choice, 0), su->t);
		return -1;
	}
	t_add(su, ">");
	t_add(su, choice);
	su->aead = a;
	return 0;
}
