/* shrepl.c - replacement strings in command templates, and where sh may hold them. */
#include "shrepl.h"

#include <string.h>

int pd_repl_len(const char *p)
{
	static const char *const fixed[] = {"{}", "{#}", "{.}", "{/}", "{//}", "{/.}"};
	size_t i;
	int n = 1;

	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (!strncmp(p, fixed[i], strlen(fixed[i])))
			return (int)strlen(fixed[i]);
	if (p[1] < '1' || p[1] > '9')
		return 0;
	while (p[n] >= '0' && p[n] <= '9' && n < 8)
		n++;
	return p[n] == '}' ? n + 1 : 0;
}

const char *pd_sh_repl_unsafe(const char *s)
{
	char quote = 0; /* 0, '\'' or '"' */
	int heredoc = 0, n;

	for (; *s; s++) {
		if (*s == '{' && (n = pd_repl_len(s))) {
			if (quote || heredoc)
				return s;
			s += n - 1;
		} else if (*s == '\\' && quote != '\'') {
			if (s[1] == '{' && pd_repl_len(s + 1))
				return s + 1;
			if (s[1])
				s++;
		} else if (quote && *s == quote) {
			quote = 0;
		} else if (!quote && (*s == '\'' || *s == '"')) {
			quote = *s;
		} else if (!quote && s[0] == '<' && s[1] == '<') {
			heredoc = 1;
		}
	}
	return NULL;
}
