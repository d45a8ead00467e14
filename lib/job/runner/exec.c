/*
 * exec.c - the runner job: run a program once per record (pd-map CMD ...,
 * pd-opt --fitness-cmd).  Built into its own .so and carried inside the
 * tools (execjob.h), so that every host runs it as any other job.
 *
 * The run's argument string (pd_args) holds the command template:
 *
 *	MODE STDIN OUTPUT then each word as LENGTH ":" BYTES
 *
 * MODE 'a' runs the words as argv, 's' runs the one word with /bin/sh -c
 * (replacements shell-quoted); STDIN 'n' gives the program /dev/null,
 * 'l' the record and a newline, 'j' the record's fields as one JSON array
 * and a newline (the record is then not added as an argument when the
 * words hold no replacement string); OUTPUT 'r' keeps its standard output as the result,
 * bytes exact, 'n' wants one number there.  Example: "anr4:echo2:{}".
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "playdoh.h"
#include "err.h"
#include "shrepl.h"
#include "spawnrun.h"

#define WORDS_MAX 4096 /* words of a template */
#define FIELDS_MAX 4096 /* fields a record is split into */

/* The parsed template, kept while the run's argument string stays. */
static struct {
	char *args;		/* the string it was parsed from */
	char mode, in, outk;
	int nwords, has_repl;
	char *word[WORDS_MAX];	/* NUL-terminated copies */
} T;

/* One record's view: the line and its fields. */
struct recview {
	const char *line;
	size_t len;
	long lineno;
	int nf;
	const char *f[FIELDS_MAX];
	size_t flen[FIELDS_MAX];
};

static struct pd_spawn S;
static struct pd_buf argbuf, inbuf, msg;

/* A job's init hook: buffers, and SIGPIPE ignored (a program may exit
 * without reading its input; spawnrun.h gives the program the default). */
static int exec_init(const pd_ctx *ctx)
{
	(void)ctx;
	signal(SIGPIPE, SIG_IGN);
	pd_buf_init(&S.out);
	pd_buf_init(&S.tail);
	pd_buf_init(&argbuf);
	pd_buf_init(&inbuf);
	pd_buf_init(&msg);
	return 0;
}

/* 1 when word w holds a replacement string. */
static int has_repl(const char *w)
{
	for (; *w; w++)
		if (*w == '{' && pd_repl_len(w))
			return 1;
	return 0;
}

/* Parse the argument string into T; 0, or -1 with why in msg. */
static int parse_template(const char *a)
{
	const char *p = a + 3;
	char *e;
	unsigned long n;
	int i;

	if (T.args && !strcmp(T.args, a))
		return 0;
	for (i = 0; i < T.nwords; i++)
		free(T.word[i]);
	free(T.args);
	T.args = NULL;
	T.nwords = T.has_repl = 0;
	if (strlen(a) < 3 || !strchr("as", a[0]) || !strchr("nlj", a[1]) || !strchr("rn", a[2]))
		return pd_buf_adds(&msg, "bad command template (pd_args)"), -1;
	while (*p) {
		errno = 0;
		n = strtoul(p, &e, 10);
		if (e == p || *e != ':' || errno || n > strlen(e + 1) || T.nwords == WORDS_MAX)
			return pd_buf_adds(&msg, "bad command template (pd_args)"), -1;
		T.word[T.nwords] = strndup(e + 1, n);
		if (!T.word[T.nwords])
			return pd_buf_adds(&msg, "out of memory"), -1;
		T.has_repl |= has_repl(T.word[T.nwords]);
		T.nwords++;
		p = e + 1 + n;
	}
	if (!T.nwords || (a[0] == 's' && T.nwords != 1))
		return pd_buf_adds(&msg, "bad command template (pd_args)"), -1;
	if (a[0] == 's' && pd_sh_repl_unsafe(T.word[0]))
		return pd_buf_adds(&msg, "a replacement string inside quotes, after a backslash or in a here-document "
					 "(a record could break out of it)"), -1;
	T.mode = a[0];
	T.in = a[1];
	T.outk = a[2];
	T.args = strdup(a);
	return T.args ? 0 : (pd_buf_adds(&msg, "out of memory"), -1);
}

/* Split the record: on tabs when it holds one (fields may be empty), else
 * on runs of blanks.  1 when fields past FIELDS_MAX were left out. */
static int split(struct recview *r)
{
	const char *p = r->line, *end = r->line + r->len, *s;
	int tabs = memchr(p, '\t', r->len) != NULL;

	r->nf = 0;
	while (p < end && r->nf < FIELDS_MAX) {
		if (!tabs)
			while (p < end && *p == ' ')
				p++;
		if (p == end)
			break;
		for (s = p; p < end && *p != (tabs ? '\t' : ' '); p++)
			;
		r->f[r->nf] = s;
		r->flen[r->nf++] = (size_t)(p - s);
		if (tabs && p < end && p + 1 == end && r->nf < FIELDS_MAX) {
			r->f[r->nf] = end; /* a trailing tab: one more, empty, field */
			r->flen[r->nf++] = 0;
		}
		if (p < end)
			p++;
	}
	if (!tabs)
		while (p < end && *p == ' ')
			p++;
	return p < end;
}


/* 1 when the template reads the record's fields: {N}, or a JSON array of
 * them on stdin. */
static int uses_fields(void)
{
	const char *w;
	int i;

	if (T.in == 'j')
		return 1;
	for (i = 0; i < T.nwords; i++)
		for (w = T.word[i]; (w = strchr(w, '{')); w++)
			if (w[1] >= '1' && w[1] <= '9' && pd_repl_len(w))
				return 1;
	return 0;
}

/* Append s (n bytes) to b, single-quoted for sh when quote is set. */
static void put(struct pd_buf *b, const char *s, size_t n, int quote)
{
	size_t i;

	if (!quote) {
		pd_buf_add(b, s, n);
		return;
	}
	pd_buf_addc(b, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '\'')
			pd_buf_add(b, "'\\''", 4);
		else
			pd_buf_addc(b, s[i]);
	}
	pd_buf_addc(b, '\'');
}

/* Where the base name of s (n bytes) starts; n when s ends in '/'. */
static size_t base_at(const char *s, size_t n)
{
	size_t i = n;

	while (i && s[i - 1] != '/')
		i--;
	return i;
}

/* Length of s (n bytes) without its extension: the last '.' of the base
 * name that is not its first character. */
static size_t noext_len(const char *s, size_t n)
{
	size_t b = base_at(s, n), i = n;

	while (i > b + 1 && s[i - 1] != '.')
		i--;
	return i > b + 1 ? i - 1 : n;
}

/* Append the value of replacement string `r` (of length rn) for record v. */
static void expand_one(struct pd_buf *b, const char *r, int rn, const struct recview *v, int quote)
{
	const char *s = v->line;
	size_t n = v->len, bs = base_at(s, n);
	char num[32];
	long k;

	if (rn == 3 && r[1] == '#') {
		snprintf(num, sizeof num, "%ld", v->lineno);
		put(b, num, strlen(num), quote);
	} else if (rn == 2)
		put(b, s, n, quote);
	else if (rn == 3 && r[1] == '.')
		put(b, s, noext_len(s, n), quote);
	else if (rn == 3 && r[1] == '/')
		put(b, s + bs, n - bs, quote);
	else if (rn == 4 && r[2] == '/')
		put(b, bs > 1 ? s : bs ? "/" : ".", bs > 1 ? bs - 1 : 1, quote);
	else if (rn == 4 && r[2] == '.')
		put(b, s + bs, noext_len(s + bs, n - bs), quote);
	else {
		k = strtol(r + 1, NULL, 10);
		if (k <= v->nf)
			put(b, v->f[k - 1], v->flen[k - 1], quote);
		else
			put(b, "", 0, quote);
	}
}

/* Append word w with its replacement strings expanded. */
static void expand(struct pd_buf *b, const char *w, const struct recview *v, int quote)
{
	int n;

	for (; *w; w++) {
		if (*w == '{' && (n = pd_repl_len(w))) {
			expand_one(b, w, n, v, quote);
			w += n - 1;
		} else
			pd_buf_addc(b, *w);
	}
}

/* Build the program's argv for record v into argbuf; the pointers into av. */
static void build_argv(const struct recview *v, char **av)
{
	size_t off[WORDS_MAX + 1];
	int i, n = 0;

	pd_buf_reset(&argbuf);
	if (T.mode == 's') {
		expand(&argbuf, T.word[0], v, 1);
		if (!T.has_repl && T.in == 'n') {
			pd_buf_addc(&argbuf, ' ');
			put(&argbuf, v->line, v->len, 1);
		}
		pd_buf_addc(&argbuf, 0);
		av[0] = (char *)"/bin/sh";
		av[1] = (char *)"-c";
		av[2] = argbuf.data;
		av[3] = NULL;
		return;
	}
	for (i = 0; i < T.nwords; i++) {
		off[n++] = argbuf.len;
		expand(&argbuf, T.word[i], v, 0);
		pd_buf_addc(&argbuf, 0);
	}
	if (!T.has_repl && T.in == 'n') {
		off[n++] = argbuf.len;
		pd_buf_add(&argbuf, v->line, v->len);
		pd_buf_addc(&argbuf, 0);
	}
	for (i = 0; i < n; i++)
		av[i] = argbuf.data + off[i];
	av[n] = NULL;
}

/* The program's standard input for record v, into inbuf. */
static void build_input(const struct recview *v)
{
	int i;

	pd_buf_reset(&inbuf);
	if (T.in == 'l') {
		pd_buf_add(&inbuf, v->line, v->len);
	} else if (T.in == 'j') {
		pd_buf_addc(&inbuf, '[');
		for (i = 0; i < v->nf; i++) {
			if (i)
				pd_buf_addc(&inbuf, ',');
			pd_buf_add(&inbuf, v->f[i], v->flen[i]);
		}
		pd_buf_addc(&inbuf, ']');
	}
	pd_buf_addc(&inbuf, '\n');
}

/* The result: stdout as it is, or with OUTPUT 'n' the number it holds
 * (blanks around it allowed) in the form pd-opt reads back. */
static int put_result(pd_out *out)
{
	const char *p = S.out.data;
	char *e;
	double v;

	if (T.outk == 'r')
		return pd_write(out, S.out.data, S.out.len);
	errno = 0;
	v = strtod(p, &e);
	while (e != p && (*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r'))
		e++;
	if (e == p || (size_t)(e - p) != S.out.len || memchr(p, 0, S.out.len))
		return pd_error(out, "%s printed '%.60s%s', not one number", T.mode == 's' ? "sh" : T.word[0], S.out.data,
				S.out.len > 60 ? "..." : "");
	return pd_put_double(out, v);
}

/* Run the command for one record. */
PD_MAP_FLAGS_WITH(exec, PD_RAW_RECORD, exec_init, 0)
{
	static struct recview v;
	static char *av[WORDS_MAX + 4];
	char err[PD_ERRLEN];

	pd_buf_reset(&msg);
	if (parse_template(pd_args(in, NULL) ? pd_args(in, NULL) : ""))
		return pd_error(out, "%s", msg.data);
	v.line = pd_line(in, &v.len);
	v.lineno = pd_lineno(in);
	if (split(&v) && uses_fields())
		return pd_error(out, "the record has more than %d fields", FIELDS_MAX);
	build_argv(&v, av);
	S.argv = av;
	S.in = NULL;
	S.in_len = 0;
	if (T.in != 'n') {
		build_input(&v);
		S.in = inbuf.data;
		S.in_len = inbuf.len;
	}
	if (pd_spawn_run(&S, err))
		return pd_error(out, "%s", err);
	if (pd_spawn_failed(&S, &msg))
		return pd_error(out, "%s: %s", T.mode == 's' ? "sh" : T.word[0], msg.data);
	return put_result(out);
}
