/* jsonbytes.h - arbitrary bytes in JSON strings, and back, losslessly. */
#ifndef PD_JSONBYTES_H
#define PD_JSONBYTES_H

#include <stddef.h>

#include "buf.h"

/*
 * Records and results are bytes, JSON strings are Unicode text.  The
 * bridge, used by --json and the joblog: valid UTF-8 goes through as it
 * is; '"', '\' and control characters (NUL included) are escaped; every
 * byte that is not part of valid UTF-8 becomes the lone surrogate
 * \udcXX, XX its value (0x80-0xff), as Python's "surrogateescape" does
 * (PEP 383).  Every line stays valid JSON text, and
 * s.encode("utf-8", "surrogateescape") gives the bytes back exactly.
 */

/* Append s[0..n) to b as a quoted JSON string, with the escapes above. */
void pd_json_quote(struct pd_buf *b, const char *s, size_t n);

/* Decode the JSON string token at p (its opening quote) up to end into
 * out (appended), undoing pd_json_quote (and any standard escape).
 * Returns a pointer just past the closing quote, or NULL when malformed. */
const char *pd_json_unquote(const char *p, const char *end, struct pd_buf *out);

/*
 * Find top-level member `key` of the flat JSON object in line[0..n) (its
 * values strings, numbers, true/false/null): its value's text, from the
 * opening quote for a string, in *val and *vlen.  0 when found, -1 when
 * absent or the line is not such an object.  For lines that cJSON cannot
 * read because they hold lone surrogates.
 */
int pd_json_flat_get(const char *line, size_t n, const char *key, const char **val, size_t *vlen);

/* Member key of a flat object line as a number (NAN when absent or not
 * a number), or as a decoded string into out (reset first; 0, or -1 when
 * absent or not a string). */
double pd_json_flat_num(const char *line, size_t n, const char *key);
int pd_json_flat_str(const char *line, size_t n, const char *key, struct pd_buf *out);

#endif
