/* suite_test.c - unit tests for the AEAD offer, choice and transcript. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "suite.h"
#include "t.h"

/* The client's offer under PD_AEAD=env (NULL: unset), as JSON text. */
static char *offer(const char *env, struct pd_suite *su, int *rc)
{
	cJSON *j = cJSON_CreateObject();
	char err[PD_ERRLEN] = "", *text;

	if (env)
		setenv("PD_AEAD", env, 1);
	else
		unsetenv("PD_AEAD");
	*rc = pd_suite_offer(j, su, err);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

/* Server side: choose from hello (JSON text); the challenge's text into
 * out, the error into err. */
static int choose(const char *hello, struct pd_suite *su, char *out, size_t n, char *err)
{
	cJSON *h = cJSON_Parse(hello), *c = cJSON_CreateObject();
	char *text;
	int rc;

	err[0] = 0;
	rc = pd_suite_choose(h, c, su, err);
	text = cJSON_PrintUnformatted(c);
	snprintf(out, n, "%s", text);
	cJSON_free(text);
	cJSON_Delete(h);
	cJSON_Delete(c);
	return rc;
}

/* Client side: accept the challenge (JSON text). */
static int accept_choice(const char *challenge, struct pd_suite *su, char *err)
{
	cJSON *c = cJSON_Parse(challenge);
	int rc;

	err[0] = 0;
	rc = pd_suite_accept(c, su, err);
	cJSON_Delete(c);
	return rc;
}

/* What each side may use, by CPU and PD_AEAD. */
static void test_local(void)
{
	enum pd_aead v[PD_AEAD_N];
	char err[PD_ERRLEN];
	int aes = pd_aead_usable(PD_AEAD_AES), n;

	unsetenv("PD_AEAD");
	n = pd_suite_local(v, err);
	CHECK(n == 1 + aes);
	CHECK(v[0] == (aes ? PD_AEAD_AES : PD_AEAD_CHACHA) && v[n - 1] == PD_AEAD_CHACHA);
	setenv("PD_AEAD", "chacha20poly1305", 1);
	CHECK(pd_suite_local(v, err) == 1 && v[0] == PD_AEAD_CHACHA);
	setenv("PD_AEAD", "chacha20poly1305,chacha20poly1305", 1);
	CHECK(pd_suite_local(v, err) == 1);
	setenv("PD_AEAD", "rot13", 1);
	CHECK(pd_suite_local(v, err) == -1);
	CHECK_STR(err, "PD_AEAD: unknown AEAD 'rot13' (known: aes256gcm, chacha20poly1305)");
	setenv("PD_AEAD", ",", 1);
	CHECK(pd_suite_local(v, err) == -1);
	setenv("PD_AEAD", "aes256gcm", 1);
	CHECK(pd_suite_local(v, err) == (aes ? 1 : -1));
	unsetenv("PD_AEAD");
}

/* The whole negotiation, and both transcripts equal. */
static void test_negotiate(void)
{
	struct pd_suite c, s;
	char out[512], err[PD_ERRLEN], *hello;
	int aes = pd_aead_usable(PD_AEAD_AES), rc;

	/* default on both ends: AES where the CPU has it */
	hello = offer(NULL, &c, &rc);
	CHECK(rc == 0);
	CHECK_STR(hello, aes ? "{\"aead\":[\"aes256gcm\",\"chacha20poly1305\"]}" : "{\"aead\":[\"chacha20poly1305\"]}");
	CHECK(choose(hello, &s, out, sizeof out, err) == 0);
	CHECK_STR(out, aes ? "{\"aead\":\"aes256gcm\"}" : "{\"aead\":\"chacha20poly1305\"}");
	CHECK(accept_choice(out, &c, err) == 0);
	CHECK_STR(c.t, aes ? "aes256gcm,chacha20poly1305>aes256gcm" : "chacha20poly1305>chacha20poly1305");
	CHECK_STR(c.t, s.t);
	CHECK(c.aead == s.aead && c.aead == (aes ? PD_AEAD_AES : PD_AEAD_CHACHA));
	free(hello);

	/* the server limited to ChaCha (a CPU without AES): ChaCha */
	hello = offer(NULL, &c, &rc);
	setenv("PD_AEAD", "chacha20poly1305", 1);
	CHECK(choose(hello, &s, out, sizeof out, err) == 0);
	CHECK_STR(out, "{\"aead\":\"chacha20poly1305\"}");
	CHECK(accept_choice(out, &c, err) == 0);
	CHECK_STR(c.t, s.t);
	CHECK(c.aead == PD_AEAD_CHACHA && s.aead == PD_AEAD_CHACHA);
	free(hello);

	/* the client limited to ChaCha, the server not: ChaCha */
	hello = offer("chacha20poly1305", &c, &rc);
	unsetenv("PD_AEAD");
	CHECK_STR(hello, "{\"aead\":[\"chacha20poly1305\"]}");
	CHECK(choose(hello, &s, out, sizeof out, err) == 0);
	CHECK(accept_choice(out, &c, err) == 0);
	CHECK_STR(c.t, "chacha20poly1305>chacha20poly1305");
	CHECK_STR(c.t, s.t);
	free(hello);

	/* the client's order wins; unknown names are skipped but bound */
	CHECK(choose("{\"aead\":[\"future-aead\",\"chacha20poly1305\",\"aes256gcm\"]}", &s, out, sizeof out, err) == 0);
	CHECK_STR(out, "{\"aead\":\"chacha20poly1305\"}");
	CHECK_STR(s.t, "future-aead,chacha20poly1305,aes256gcm>chacha20poly1305");

	/* an older client offers nothing: ChaCha, empty transcript */
	CHECK(choose("{\"op\":\"hello\"}", &s, out, sizeof out, err) == 0);
	CHECK_STR(out, "{}");
	CHECK(s.aead == PD_AEAD_CHACHA);
	CHECK_STR(s.t, "");
}

/* Offers and choices that fail, each with its message. */
static void test_refuse(void)
{
	struct pd_suite c, s;
	char out[512], err[PD_ERRLEN], *hello;
	int rc;

	unsetenv("PD_AEAD");
	CHECK(choose("{\"aead\":[\"rot13\"]}", &s, out, sizeof out, err) == -1);
	CHECK_STR(err, pd_aead_usable(PD_AEAD_AES)
			   ? "no AEAD in common: the client offers rot13; this side allows aes256gcm, chacha20poly1305"
			   : "no AEAD in common: the client offers rot13; this side allows chacha20poly1305");
	CHECK_STR(out, "{}");
	CHECK(choose("{\"aead\":[]}", &s, out, sizeof out, err) == -1);
	CHECK_STR(err, "hello: member 'aead' is not a list of 1 to 8 AEAD names");
	CHECK(choose("{\"aead\":\"aes256gcm\"}", &s, out, sizeof out, err) == -1);
	CHECK(choose("{\"aead\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]}", &s, out, sizeof out, err) == -1);
	CHECK(choose("{\"aead\":[\"AES256GCM\"]}", &s, out, sizeof out, err) == -1);
	CHECK_STR(err, "hello: member 'aead' holds something that is not an AEAD name");
	CHECK(choose("{\"aead\":[1]}", &s, out, sizeof out, err) == -1);
	CHECK(choose("{\"aead\":[\"chacha20poly1305,aes256gcm\"]}", &s, out, sizeof out, err) == -1);

	/* an older client, and a server allowed only AES */
	if (pd_aead_usable(PD_AEAD_AES)) {
		setenv("PD_AEAD", "aes256gcm", 1);
		CHECK(choose("{\"op\":\"hello\"}", &s, out, sizeof out, err) == -1);
		CHECK(strstr(err, "the client offers no AEAD") != NULL);
		unsetenv("PD_AEAD");
	}

	/* the client: no choice, a choice it did not offer, an unknown one */
	hello = offer("chacha20poly1305", &c, &rc);
	free(hello);
	CHECK(accept_choice("{}", &c, err) == -1);
	CHECK_STR(err, "the server chose no AEAD (a pd-serve older than this client, or an altered challenge)");
	CHECK(accept_choice("{\"aead\":\"aes256gcm\"}", &c, err) == -1);
	CHECK_STR(err, "the server chose AEAD 'aes256gcm', which this side did not offer (chacha20poly1305)");
	CHECK(accept_choice("{\"aead\":\"rot13\"}", &c, err) == -1);
	CHECK(accept_choice("{\"aead\":\"chacha\"}", &c, err) == -1);
	CHECK(accept_choice("{\"aead\":\"\\u001b[2J\"}", &c, err) == -1);
	CHECK(strchr(err, 0x1b) == NULL);
	CHECK(accept_choice("{\"aead\":7}", &c, err) == -1);
	CHECK(accept_choice("{\"aead\":\"chacha20poly1305\"}", &c, err) == 0);

	/* a bad PD_AEAD fails the offer, naming the variable */
	hello = offer("rot13", &c, &rc);
	CHECK(rc == -1);
	free(hello);
	unsetenv("PD_AEAD");
}

int main(void)
{
	test_local();
	test_negotiate();
	test_refuse();
	return t_done("suite");
}
