/* rec.c - record fields and result building: the worker side of playdoh.h. */
#include "rec.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xmalloc.h"

#define JSON_DEPTH_MAX 64 /* nesting levels accepted in a JSON line */
#define QUOTE_MAX 64	  /* bytes of a field's text quoted in messages */

/* Outcome of converting a field's text. */
enum conv { CONV_OK, CONV_BAD, CONV_NONFINITE, CONV_RANGE };

/* Process-wide values reported by pd_share() / pd_ctx_gpu(). */
static const void *api_share_data;
static size_t api_share_len;
static int api_gpu = -1;
static const char *api_args_str; /* the current dispatch's args, or NULL */

void pd_record_init(struct pd_record *r)
{
	memset(r, 0, sizeof *r);
	pd_buf_init(&r->scratch);
	pd_buf_init(&r->err);
	r->line = pd_buf_empty;
	r->share = api_share_data;
	r->share_len = api_share_len;
	r->gpu = api_gpu;
}

void pd_record_release(struct pd_record *r)
{
	free(r->f);
	pd_buf_release(&r->scratch);
	pd_buf_release(&r->err);
	pd_record_init(r);
}

static inline int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Make room for one more field; -1 with err past PD_REC_FIELDS_MAX. */
static int field_room(struct pd_record *r, char *err)
{
	struct pd_field *nf;
	int ncap;

	if (r->nf < r->capf)
		return 0;
	if (r->nf >= PD_REC_FIELDS_MAX) {
		pd_err(err, "too many fields (more than %d)", PD_REC_FIELDS_MAX);
		return -1;
	}
	ncap = r->capf ? r->capf * 2 : 16;
	if (ncap > PD_REC_FIELDS_MAX)
		ncap = PD_REC_FIELDS_MAX;
	nf = pd_xrealloc(r->f, (size_t)ncap * sizeof *nf);
	r->f = nf;
	r->capf = ncap;
	return 0;
}

/* If tok (a NUL-terminated copy of len bytes) is key=value with a valid
 * key, cut it at the '=' and name the field. */
static inline void split_named(struct pd_field *f, char *tok, size_t len)
{
	size_t k = 1;

	if (!(isalpha((unsigned char)tok[0]) || tok[0] == '_'))
		return;
	while (k < len && (isalnum((unsigned char)tok[k]) || tok[k] == '_'))
		k++;
	if (k == len || tok[k] != '=')
		return;
	tok[k] = 0;
	f->name = tok;
	f->val = tok + k + 1;
}

/*
 * Split on blanks.  Copies of the tokens, each with its NUL, never take
 * more than len + 1 bytes, so scratch is grown once up front and cannot
 * move while the fields point into it: no allocation per record once
 * scratch and f have reached the size of the longest line.
 */
static int parse_plain(struct pd_record *r, const char *s, size_t len, char *err)
{
	size_t i = 0, start, n;
	char *out;

	if (len && s[len - 1] == '\r')
		len--;
	pd_buf_grow(&r->scratch, len + 1);
	out = r->scratch.data;
	while (i < len) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		for (start = i; i < len && !is_blank(s[i]); i++)
			;
		if (field_room(r, err) < 0)
			return -1;
		n = i - start;
		memcpy(out, s + start, n);
		out[n] = 0;
		r->f[r->nf].name = NULL;
		r->f[r->nf].val = out;
		split_named(&r->f[r->nf], out, n);
		r->nf++;
		out += n + 1;
	}
	*out = 0;
	r->scratch.len = (size_t)(out - r->scratch.data);
	return 0;
}

/* Whether the brackets in a JSON text nest deeper than JSON_DEPTH_MAX
 * (checked before parsing, to bound the parser's recursion). */
static int json_too_deep(const char *s, size_t len)
{
	int depth = 0, instr = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (instr) {
			if (c == '\\')
				i++;
			else if (c == '"')
				instr = 0;
		} else if (c == '"') {
			instr = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > JSON_DEPTH_MAX)
				return 1;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 0;
}

/* Append a JSON number as text: integers exactly, other values with the
 * fewest of 15, 16 or 17 significant digits that read back the same. */
static void add_json_number(struct pd_buf *b, double v)
{
	char tmp[40];
	int prec;

	if (v == floor(v) && fabs(v) < 9007199254740992.0) { /* 2^53 */
		pd_buf_addf(b, "%lld", (long long)v);
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	pd_buf_addf(b, "%.*g", prec, v);
}

/* Append a member's value as field text; -1 with err if printing fails. */
static int add_json_value(struct pd_buf *b, const cJSON *item, char *err)
{
	char *p;

	if (cJSON_IsString(item))
		pd_buf_adds(b, item->valuestring);
	else if (cJSON_IsNumber(item))
		add_json_number(b, item->valuedouble);
	else if (cJSON_IsTrue(item))
		pd_buf_adds(b, "true");
	else if (cJSON_IsFalse(item))
		pd_buf_adds(b, "false");
	else if (cJSON_IsNull(item))
		pd_buf_adds(b, "null");
	else {
		if (!(p = cJSON_PrintUnformatted(item))) {
			pd_err(err, "cannot print a JSON member value");
			return -1;
		}
		pd_buf_adds(b, p);
		cJSON_free(p);
	}
	return 0;
}

/*
 * Point the fields into scratch once it has stopped growing: it holds
 * "name\0value\0" per field, in order, with no NUL inside any text
 * (cJSON strings end at their first NUL).
 */
static void json_fixup(struct pd_record *r)
{
	const char *p = r->scratch.data;
	int i;

	for (i = 0; i < r->nf; i++) {
		r->f[i].name = p;
		p += strlen(p) + 1;
		r->f[i].val = p;
		p += strlen(p) + 1;
	}
}

/* Copy the members of a parsed object into scratch as fields. */
static int json_members(struct pd_record *r, const cJSON *root, char *err)
{
	const cJSON *item;

	for (item = root->child; item; item = item->next) {
		if (field_room(r, err) < 0)
			return -1;
		pd_buf_add(&r->scratch, item->string, strlen(item->string) + 1);
		if (add_json_value(&r->scratch, item, err) < 0)
			return -1;
		pd_buf_addc(&r->scratch, 0);
		r->nf++;
	}
	json_fixup(r);
	return 0;
}

/* Explain why a JSON line failed to parse; positions count from 1 at
 * the start of the line. */
static void json_error(const struct pd_record *r, const cJSON *root, const char *end,
		       char *err)
{
	const char *lim = r->line + r->len;

	if (root && end && end < lim)
		pd_err(err, "line is not valid JSON (unexpected text at byte %zu)",
		       (size_t)(end - r->line) + 1);
	else if (!root && end && end >= r->line && end < lim)
		pd_err(err, "line is not valid JSON (error near byte %zu)",
		       (size_t)(end - r->line) + 1);
	else if (!root && end)
		pd_err(err, "line is not valid JSON (unexpected end of line)");
	else
		pd_err(err, "line is not valid JSON");
}

/* Parse a JSON object (s, len: the line from its '{' on): one named
 * field per member. */
static int parse_json(struct pd_record *r, const char *s, size_t len, char *err)
{
	const char *end = NULL;
	cJSON *root;
	int rc;

	if (json_too_deep(s, len)) {
		pd_err(err, "JSON nested too deeply (more than %d levels)", JSON_DEPTH_MAX);
		return -1;
	}
	root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (root && end)
		while (end < s + len && (is_blank(*end) || *end == '\r'))
			end++;
	if (!root || !cJSON_IsObject(root) || end != s + len) {
		json_error(r, root, end, err);
		cJSON_Delete(root);
		return -1;
	}
	rc = json_members(r, root, err);
	cJSON_Delete(root);
	return rc;
}

int pd_record_parse(struct pd_record *r, const char *line, size_t len, long lineno, char *err)
{
	size_t i = 0;
	int rc;

	if (!line)
		line = pd_buf_empty, len = 0;
	r->line = line;
	r->len = len;
	r->lineno = lineno;
	r->nf = 0;
	pd_buf_reset(&r->scratch);
	pd_buf_reset(&r->err);
	while (i < len && is_blank(line[i]))
		i++;
	if (i < len && line[i] == '{')
		rc = parse_json(r, line + i, len - i, err);
	else
		rc = parse_plain(r, line + i, len - i, err);
	if (rc < 0)
		r->nf = 0;
	return rc;
}

void pd_record_raw(struct pd_record *r, const char *line, size_t len, long lineno)
{
	r->line = line ? line : pd_buf_empty;
	r->len = line ? len : 0;
	r->lineno = lineno;
	r->nf = 0;
	pd_buf_reset(&r->scratch);
	pd_buf_reset(&r->err);
}

void pd_result_init(struct pd_result *res)
{
	pd_buf_init(&res->text);
	res->fmt = NULL;
	pd_buf_init(&res->err);
	res->nput = 0;
}

/* Move what pd_printf's stream holds into text, so that text is whole. */
static void res_sync(struct pd_result *res)
{
	if (res->fmt)
		fflush(res->fmt);
}

void pd_result_reset(struct pd_result *res)
{
	res_sync(res);
	pd_buf_reset(&res->text);
	pd_buf_reset(&res->err);
	res->nput = 0;
}

void pd_result_release(struct pd_result *res)
{
	if (res->fmt)
		fclose(res->fmt);
	res->fmt = NULL;
	pd_buf_release(&res->text);
	pd_buf_release(&res->err);
	res->nput = 0;
}

struct pd_buf *pd_result_out(struct pd_result *res)
{
	res_sync(res);
	return &res->text;
}

void pd_api_set_share(const void *p, size_t len)
{
	api_share_data = p;
	api_share_len = p ? len : 0;
}

void pd_api_set_gpu(int gpu) { api_gpu = gpu; }

void pd_api_set_args(const char *args) { api_args_str = args; }

/* ---- record accessors ---- */

static inline struct pd_record *rec_of(const pd_rec *pr) { return pr->impl; }

/* Keep the first field error of the record; later ones are dropped. */
static void field_error(struct pd_record *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void field_error(struct pd_record *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err.len)
		return;
	va_start(ap, fmt);
	pd_buf_vaddf(&r->err, fmt, ap);
	va_end(ap);
}

/* Name a field in a message.  Messages number fields from 1, as users
 * count them, although the API's indices are 0-based: "field 1" is
 * index 0. */
static void field_label(char *lab, size_t n, int i, const char *name)
{
	if (name)
		snprintf(lab, n, "field '%.*s'", QUOTE_MAX, name);
	else
		snprintf(lab, n, "field %lld", (long long)i + 1);
}

/* Record that field i (or `name`, when not NULL) is missing. */
static void field_missing(struct pd_record *r, int i, const char *name)
{
	char lab[QUOTE_MAX + 16];

	field_label(lab, sizeof lab, i, name);
	if (name)
		field_error(r, "%s: missing", lab);
	else
		field_error(r, "%s: missing (the record has %d field%s)", lab, r->nf,
			    r->nf == 1 ? "" : "s");
}

/* Conversion failures as described in messages. */
static const char *conv_why(int rc, int integer)
{
	if (rc == CONV_NONFINITE)
		return "is not a finite number";
	if (rc == CONV_RANGE)
		return "is out of the integer range";
	return integer ? "is not an integer" : "is not a number";
}

/* Record that the text s of a field failed conversion with outcome rc. */
static void field_bad(struct pd_record *r, int i, const char *name, const char *s, int rc,
		      int integer)
{
	char lab[QUOTE_MAX + 16];

	field_label(lab, sizeof lab, i, name);
	field_error(r, "%s: '%.*s%s' %s", lab, QUOTE_MAX, s,
		    strlen(s) > QUOTE_MAX ? "..." : "", conv_why(rc, integer));
}

/* 1 when s cannot be a whole number field: empty, or led by space
 * (which strtod and strtoll would skip). */
static int conv_blank(const char *s)
{
	return !*s || isspace((unsigned char)*s);
}

/* Field text as a finite double: all of s must be consumed. */
static int conv_num(const char *s, double *v)
{
	char *end;

	if (conv_blank(s))
		return CONV_BAD;
	*v = strtod(s, &end);
	if (*end)
		return CONV_BAD;
	return isfinite(*v) ? CONV_OK : CONV_NONFINITE;
}

/* Field text as a base-10 long long: all of s must be consumed. */
static int conv_int(const char *s, long long *v)
{
	char *end;

	if (conv_blank(s))
		return CONV_BAD;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (*end)
		return CONV_BAD;
	if (errno == ERANGE)
		return CONV_RANGE;
	return CONV_OK;
}

/* Text of field i, or NULL when out of range. */
static inline const char *field_at(const struct pd_record *r, int i)
{
	return i >= 0 && i < r->nf ? r->f[i].val : NULL;
}

/* Text of the first field named `name`, or NULL. */
static const char *field_named(const struct pd_record *r, const char *name)
{
	int i;

	if (!name)
		return NULL;
	for (i = 0; i < r->nf; i++)
		if (r->f[i].name && !strcmp(r->f[i].name, name))
			return r->f[i].val;
	return NULL;
}

/* Convert a looked-up field (s, NULL when missing) to a double; NaN and
 * a recorded error when it is missing or not a finite number. */
static double get_num(struct pd_record *r, const char *s, int i, const char *name)
{
	double v;
	int rc;

	if (!s) {
		field_missing(r, i, name);
		return NAN;
	}
	if ((rc = conv_num(s, &v)) == CONV_OK)
		return v;
	field_bad(r, i, name, s, rc, 0);
	return NAN;
}

/* As get_num for integers; 0 on failure. */
static long long get_int(struct pd_record *r, const char *s, int i, const char *name)
{
	long long v;
	int rc;

	if (!s) {
		field_missing(r, i, name);
		return 0;
	}
	if ((rc = conv_int(s, &v)) == CONV_OK)
		return v;
	field_bad(r, i, name, s, rc, 1);
	return 0;
}

static int api_nfields(const pd_rec *pr) { return rec_of(pr)->nf; }

static const char *api_str(const pd_rec *pr, int i) { return field_at(rec_of(pr), i); }

static double api_num(const pd_rec *pr, int i)
{
	struct pd_record *r = rec_of(pr);

	return get_num(r, field_at(r, i), i, NULL);
}

static long long api_integer(const pd_rec *pr, int i)
{
	struct pd_record *r = rec_of(pr);

	return get_int(r, field_at(r, i), i, NULL);
}

static const char *api_named_str(const pd_rec *pr, const char *name)
{
	return field_named(rec_of(pr), name);
}

static double api_named_num(const pd_rec *pr, const char *name)
{
	struct pd_record *r = rec_of(pr);

	return get_num(r, field_named(r, name), -1, name ? name : "(null)");
}

static long long api_named_int(const pd_rec *pr, const char *name)
{
	struct pd_record *r = rec_of(pr);

	return get_int(r, field_named(r, name), -1, name ? name : "(null)");
}

static const char *api_line(const pd_rec *pr, size_t *len)
{
	const struct pd_record *r = rec_of(pr);

	if (len)
		*len = r->len;
	return r->line;
}

static long api_lineno(const pd_rec *pr) { return rec_of(pr)->lineno; }

/* ---- output ---- */

static inline struct pd_result *res_of(pd_out *o) { return o->impl; }

static int api_write(pd_out *o, const void *p, size_t n)
{
	if (n)
		pd_buf_add(pd_result_out(res_of(o)), p, n);
	return 0;
}

/* pd_printf's stream writes its buffer into the result's text. */
static ssize_t fmt_write(void *cookie, const char *p, size_t n)
{
	pd_buf_add(&((struct pd_result *)cookie)->text, p, n);
	return (ssize_t)n;
}

/*
 * pd_printf formats through one stdio stream per result, buffered, rather
 * than vsnprintf per call: glibc sets a string stream up for every
 * vsnprintf, which made a result of 4 million "%.17g" values (heat.c)
 * about 25% slower to build than the same printf to stdout.  Direct
 * appends to the text flush the stream first, so the order holds.
 */
static int api_vprintf(pd_out *o, const char *fmt, va_list ap)
{
	static const cookie_io_functions_t io = {NULL, fmt_write, NULL, NULL};
	struct pd_result *res = res_of(o);

	if (!res->fmt) {
		res->fmt = fopencookie(res, "w", io);
		if (!res->fmt) {
			pd_buf_vaddf(&res->text, fmt, ap);
			return 0;
		}
		__fsetlocking(res->fmt, FSETLOCKING_BYCALLER);
		setvbuf(res->fmt, NULL, _IOFBF, 1 << 16);
	}
	vfprintf(res->fmt, fmt, ap);
	return 0;
}

/* Start a pd_put_* field: a space after the previous one. */
static struct pd_buf *put_begin(pd_out *o)
{
	struct pd_result *res = res_of(o);
	struct pd_buf *b = pd_result_out(res);

	if (res->nput++ > 0)
		pd_buf_addc(b, ' ');
	return b;
}

/* A double with 17 significant digits (reads back exactly); NaN and the
 * infinities as nan, inf, -inf whatever the sign bit of a NaN. */
static int api_put_double(pd_out *o, double v)
{
	struct pd_buf *b = put_begin(o);
	int n;

	if (isnan(v)) {
		pd_buf_adds(b, "nan");
	} else if (isinf(v)) {
		pd_buf_adds(b, v > 0 ? "inf" : "-inf");
	} else {
		pd_buf_grow(b, 32); /* "%.17g" needs at most 24 bytes */
		n = snprintf(b->data + b->len, 32, "%.17g", v);
		if (n > 0 && n < 32)
			b->len += (size_t)n;
		b->data[b->len] = 0;
	}
	return 0;
}

static int api_put_int(pd_out *o, long long v)
{
	pd_buf_addf(put_begin(o), "%lld", v);
	return 0;
}

/* A string field; NULL is taken as the empty string. */
static int api_put_str(pd_out *o, const char *s)
{
	struct pd_buf *b = put_begin(o);

	if (s)
		pd_buf_adds(b, s);
	return 0;
}

/* Fail the record: the message replaces any earlier one. */
static int api_verror(pd_out *o, const char *fmt, va_list ap)
{
	struct pd_result *res = res_of(o);

	pd_buf_reset(&res->err);
	if (fmt)
		pd_buf_vaddf(&res->err, fmt, ap);
	if (!res->err.len)
		pd_buf_adds(&res->err, "job reported an error");
	return 0;
}

static const void *api_share(size_t *len)
{
	if (len)
		*len = api_share_len;
	return api_share_data;
}

static int api_gpu_index(void) { return api_gpu; }

static const char *api_args(size_t *len)
{
	if (len)
		*len = api_args_str ? strlen(api_args_str) : 0;
	return api_args_str;
}

const struct pd_api pd_worker_api = {
    .abi = PD_ABI_VERSION,
    .size = sizeof(struct pd_api),
    .nfields = api_nfields,
    .str = api_str,
    .num = api_num,
    .integer = api_integer,
    .named_str = api_named_str,
    .named_num = api_named_num,
    .named_int = api_named_int,
    .line = api_line,
    .lineno = api_lineno,
    .write = api_write,
    .vprintf = api_vprintf,
    .put_double = api_put_double,
    .put_int = api_put_int,
    .put_str = api_put_str,
    .verror = api_verror,
    .share = api_share,
    .gpu = api_gpu_index,
    .args = api_args,
};
