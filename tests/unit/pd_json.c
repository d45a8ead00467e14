/*
 * pd_json.c - a JSON checker for the Bats tests, which may not depend on
 * jq: reads JSON from stdin, one value per line, and prints the named
 * members of each object on one line, separated by tabs.
 *
 *	pd_json KEY...
 *
 * A line holding an array stands for its elements, one output line
 * each (pd-status --json prints one array).  Strings print raw, numbers
 * with %.17g, true/false/null as words, objects and arrays as compact
 * JSON; a missing member prints "<missing>".  Exits 1 (naming the line)
 * when a line is not valid JSON or an element is not an object, 2 on
 * usage errors, so `run pd_json ...` both validates and extracts.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Print one member's value. */
static void print_value(const cJSON *v)
{
	char *text;

	if (!v)
		fputs("<missing>", stdout);
	else if (cJSON_IsString(v))
		fputs(v->valuestring, stdout);
	else if (cJSON_IsNumber(v))
		printf("%.17g", v->valuedouble);
	else if (cJSON_IsTrue(v))
		fputs("true", stdout);
	else if (cJSON_IsFalse(v))
		fputs("false", stdout);
	else if (cJSON_IsNull(v))
		fputs("null", stdout);
	else {
		text = cJSON_PrintUnformatted(v);
		fputs(text ? text : "?", stdout);
		cJSON_free(text);
	}
}

/* Print the requested members of one object; -1 if it is not one. */
static int print_object(const cJSON *o, int nkeys, char **keys)
{
	int i;

	if (!cJSON_IsObject(o))
		return -1;
	for (i = 0; i < nkeys; i++) {
		if (i)
			putchar('\t');
		print_value(cJSON_GetObjectItemCaseSensitive(o, keys[i]));
	}
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	const cJSON *e;
	cJSON *j;
	int bad = 0;

	if (argc < 2) {
		fputs("usage: pd_json KEY... < JSON-LINES\n", stderr);
		return 2;
	}
	while ((n = getline(&line, &cap, stdin)) > 0) {
		lineno++;
		j = cJSON_ParseWithLengthOpts(line, (size_t)n + 1, NULL, 1); /* the NUL too: no trailing junk */
		if (!j) {
			fprintf(stderr, "pd_json: line %ld: not valid JSON: %s", lineno, line);
			bad = 1;
			continue;
		}
		if (cJSON_IsArray(j)) {
			cJSON_ArrayForEach(e, j)
				if (print_object(e, argc - 1, argv + 1))
					bad = 1, fprintf(stderr, "pd_json: line %ld: element not an object\n", lineno);
		} else if (print_object(j, argc - 1, argv + 1)) {
			bad = 1;
			fprintf(stderr, "pd_json: line %ld: not a JSON object\n", lineno);
		}
		cJSON_Delete(j);
	}
	free(line);
	return bad;
}
