/*
 * shrepl.h - GNU parallel's replacement strings in a command template
 * ({}, {N}, {#}, {.}, {/}, {//}, {/.}), and where a shell script may hold
 * them safely.
 */
#ifndef PD_SHREPL_H
#define PD_SHREPL_H

/* Length of the replacement string at p ("{}", "{3}", "{/.}", ...), or 0
 * when p starts none. */
int pd_repl_len(const char *p);

/*
 * The first replacement string of the sh script s that a record could
 * escape from once it is put there single-quoted: inside '...' or "..."
 * (the quotes would close or not apply), after a backslash, or after a
 * here-document's "<<".  NULL when every one stands in plain words.
 */
const char *pd_sh_repl_unsafe(const char *s);

#endif
