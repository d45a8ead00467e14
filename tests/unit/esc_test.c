/* esc_test.c - escaping peer text (base/esc) and a forked child's
 * signals (base/child). */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "child.h"
#include "esc.h"
#include "t.h"

/* pd_esc_ctl against escapes written out by hand from esc.h's rules. */
static void test_ctl(void)
{
	char out[64];

	CHECK_STR(pd_esc_ctl(out, sizeof out, "a\nb\tc\rd\033e\001f\177g", 0), "a\\nb\tc\\rd\\ee\\x01f\\x7fg");
	CHECK_STR(pd_esc_ctl(out, sizeof out, "a\nb", PD_ESC_KEEP_NL), "a\nb");
	CHECK_STR(pd_esc_ctl(out, sizeof out, "a\tb", PD_ESC_TAB), "a\\tb");
	/* C1 controls in UTF-8 are escaped; other UTF-8 (é) is kept. */
	CHECK_STR(pd_esc_ctl(out, sizeof out, "x\xc2\x85y\xc3\xa9", 0), "x\\u0085y\xc3\xa9");
	/* Cut to fit: never half an escape. */
	CHECK_STR(pd_esc_ctl(out, 5, "ab\ncd", 0), "ab\\n");
	CHECK_STR(pd_esc_ctl(out, 4, "ab\ncd", 0), "ab");
}

/* pd_esc_buf: the same escapes over n bytes, NUL bytes included. */
static void test_buf(void)
{
	static const char *texts[] = {"plain", "a\nb\tc\rd\033e\001f\177g", "x\xc2\x85y\xc3\xa9", "\xc2"};
	struct pd_buf b = PD_BUF_INIT;
	char out[64];
	size_t i;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		pd_buf_reset(&b);
		pd_esc_buf(&b, texts[i], strlen(texts[i]), PD_ESC_TAB);
		CHECK_STR(b.data, pd_esc_ctl(out, sizeof out, texts[i], PD_ESC_TAB));
	}
	pd_buf_reset(&b);
	pd_esc_buf(&b, "a\0b\n", 4, 0);
	CHECK_STR(b.data, "a\\x00b\\n");
	CHECK(b.len == 8);
	pd_buf_reset(&b);
	pd_esc_buf(&b, "x\xc2\x85", 2, 0); /* a C1 pair cut in two is not one */
	CHECK_STR(b.data, "x\xc2");
	pd_buf_release(&b);
}

static void on_sig(int sig) { (void)sig; }

/* In a child of a process that catches, ignores and blocks signals,
 * pd_child_reset_signals leaves each at its default and none blocked. */
static void test_child(void)
{
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};
	sigset_t all, old;
	size_t i;
	int status = -1;
	pid_t pid;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], i % 2 ? SIG_IGN : on_sig);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		sigset_t now;
		int bad = 0;

		pd_child_reset_signals();
		for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			bad |= sigaction(sigs[i], NULL, &sa) || sa.sa_handler != SIG_DFL;
		sigprocmask(SIG_SETMASK, NULL, &now);
		for (i = 1; i < 32; i++)
			bad |= sigismember(&now, (int)i) == 1;
		_exit(bad);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
}

int main(void)
{
	test_ctl();
	test_buf();
	test_child();
	return t_done("esc_test");
}
