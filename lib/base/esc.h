/* esc.h - make peer-supplied text safe for a log line or a terminal. */
#ifndef PD_ESC_H
#define PD_ESC_H

#include <stdarg.h>
#include <stddef.h>

#define PD_ESC_KEEP_NL 1 /* leave '\n' as it is (multi-line messages) */

/*
 * Copy src to dst (sz bytes, always NUL-terminated, truncated to fit),
 * writing each control character as a visible escape: "\n", "\r", "\e"
 * for ESC, "\xHH" for the other C0 bytes and DEL, and "\u0080".."\u009f"
 * for C1 controls in UTF-8 (C2 80..C2 9F), so that text from a peer can
 * neither start a new log line nor send escape sequences to a terminal.
 * '\t' is kept; '\n' too with PD_ESC_KEEP_NL in flags.  Returns dst.
 */
char *pd_esc_ctl(char *dst, size_t sz, const char *src, int flags);

/* Format like vsnprintf, whatever the length, and escape the result as
 * pd_esc_ctl does.  A string the caller frees (aborts when out of memory). */
char *pd_esc_vfmt(int flags, const char *fmt, va_list ap);

#endif
