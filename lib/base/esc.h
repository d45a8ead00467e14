/* esc.h - make peer-supplied text safe for a log line or a terminal. */
#ifndef PD_ESC_H
#define PD_ESC_H

#include <stdarg.h>
#include <stddef.h>

#define PD_ESC_KEEP_NL 1 /* leave '\n' as it is (multi-line messages) */
#define PD_ESC_TAB 2	 /* write '\t' as "\t" too (a text shown inside one line) */

struct pd_buf;

/*
 * Copy src to dst (sz bytes, always NUL-terminated, truncated to fit),
 * writing each control character as a visible escape: "\n", "\r", "\e"
 * for ESC, "\xHH" for the other C0 bytes and DEL, and "\u0080".."\u009f"
 * for C1 controls in UTF-8 (C2 80..C2 9F), so that text from a peer can
 * neither start a new log line nor send escape sequences to a terminal.
 * '\t' is kept (unless PD_ESC_TAB is in flags); '\n' too with
 * PD_ESC_KEEP_NL in flags.  Returns dst.
 */
char *pd_esc_ctl(char *dst, size_t sz, const char *src, int flags);

/* Append the n bytes at src to b, escaped as pd_esc_ctl does (a NUL byte
 * is "\x00"). */
void pd_esc_buf(struct pd_buf *b, const void *src, size_t n, int flags);

/* Format like vsnprintf, whatever the length, and escape the result as
 * pd_esc_ctl does.  A string the caller frees (aborts when out of memory). */
char *pd_esc_vfmt(int flags, const char *fmt, va_list ap);

#endif
