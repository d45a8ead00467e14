/* execargs.c - the runner job's argument string, built by the tools. */
#include "execjob.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "err.h"
#include "proto.h"
#include "shrepl.h"

char *pd_execjob_args(enum pd_exec_mode mode, enum pd_exec_in in, enum pd_exec_out out,
		      char *const *words, int n, char *err)
{
	struct pd_buf b = PD_BUF_INIT, script = PD_BUF_INIT;
	const char *bad;
	int i;

	pd_buf_addf(&b, "%c%c%c", (char)mode, (char)in, (char)out);
	if (mode == PD_EXEC_SHELL) {
		for (i = 0; i < n; i++)
			pd_buf_addf(&script, i ? " %s" : "%s", words[i]);
		pd_buf_addf(&b, "%zu:%s", script.len, script.data);
	} else {
		for (i = 0; i < n; i++)
			pd_buf_addf(&b, "%zu:%s", strlen(words[i]), words[i]);
	}
	if (mode == PD_EXEC_SHELL && script.data && (bad = pd_sh_repl_unsafe(script.data))) {
		pd_err(err, "'%.*s' at byte %zu of the shell command is inside quotes, after a backslash or in a "
			    "here-document, where a record could break out of the quoting it gets; write it bare "
			    "(it is single-quoted for you)", pd_repl_len(bad), bad, (size_t)(bad - script.data) + 1);
		pd_buf_release(&script);
		pd_buf_release(&b);
		return NULL;
	}
	pd_buf_release(&script);
	if (b.len > PD_JOB_ARGS_MAX) {
		pd_err(err, "the command is %zu bytes long; at most %u fit", b.len, PD_JOB_ARGS_MAX);
		pd_buf_release(&b);
		return NULL;
	}
	return pd_buf_detach(&b, NULL);
}

int pd_execjob_is_script(const char *word)
{
	return strpbrk(word, " \t\n|&;<>()$`\\\"'*?[#~") != NULL;
}

int pd_execjob_is_jobfile(const char *arg)
{
	size_t n = strlen(arg);
	struct stat st;

	if ((n > 3 && !strcmp(arg + n - 3, ".so")) || (n > 2 && !strcmp(arg + n - 2, ".c")) ||
	    strstr(arg, ".so:") != NULL || strstr(arg, ".c:") != NULL)
		return 1;
	/* A file that no one may run is no command: the job checks say what
	 * it is (a relocatable object, a text file ...). */
	return strchr(arg, '/') && stat(arg, &st) == 0 && S_ISREG(st.st_mode) &&
	       !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH));
}

char *pd_execjob_fitness_args(const char *cmd, int in, int dim, char *err)
{
	struct pd_buf script = PD_BUF_INIT;
	char *args, *word;
	int i;

	pd_buf_adds(&script, cmd);
	for (i = 1; in == 'a' && i <= dim; i++)
		pd_buf_addf(&script, " {%d}", i);
	word = script.data;
	args = pd_execjob_args(PD_EXEC_SHELL, in == 'l' ? PD_EXEC_IN_LINE : in == 'j' ? PD_EXEC_IN_JSON : PD_EXEC_IN_NULL,
			       in == 'l' ? PD_EXEC_OUT_RAW : PD_EXEC_OUT_NUMBER, &word, 1, err);
	pd_buf_release(&script);
	return args;
}
