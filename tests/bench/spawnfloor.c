/*
 * spawnfloor.c - the floor for running a program per record: read records
 * (lines) from stdin and run `CMD ARGS... RECORD` for each, at most P at a
 * time, with posix_spawn (vfork and exec, no shell), each child's standard
 * output read through a pipe and copied to ours as it ends (completion
 * order).  No scheduling, no protocol, no order: what any tool that keeps
 * the outputs must at least do.  Not part of the product (`make bench`).
 *
 *	spawnfloor P CMD [ARG...] < RECORDS
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define PMAX 64

struct kid {
	pid_t pid;
	int fd;
	char *out;
	size_t len, cap;
};

/* Start one child for record rec, its stdout on a pipe. */
static int start(struct kid *k, char **argv, int argc, char *rec)
{
	posix_spawn_file_actions_t fa;
	int p[2], rc;

	argv[argc] = rec;
	argv[argc + 1] = NULL;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	rc = posix_spawnp(&k->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc) {
		fprintf(stderr, "spawnfloor: %s: %s\n", argv[0], strerror(rc));
		close(p[0]);
		return -1;
	}
	k->fd = p[0];
	k->len = 0;
	return 0;
}

/* Read from a child; at the end, copy its output out and reap it. */
static int step(struct kid *k)
{
	ssize_t n;
	int st;

	if (k->cap - k->len < 4096) {
		k->cap = k->cap * 2 + 4096;
		k->out = realloc(k->out, k->cap);
		if (!k->out)
			return -1;
	}
	n = read(k->fd, k->out + k->len, k->cap - k->len);
	if (n > 0) {
		k->len += (size_t)n;
		return 0;
	}
	if (n < 0 && errno == EINTR)
		return 0;
	close(k->fd);
	k->fd = -1;
	fwrite(k->out, 1, k->len, stdout);
	if (waitpid(k->pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	k->pid = 0;
	return 0;
}

int main(int argc, char **argv)
{
	struct kid k[PMAX] = {{0}};
	struct pollfd pf[PMAX];
	char **av, *line = NULL;
	size_t cap = 0;
	int P, i, n, running = 0, eof = 0;
	ssize_t len;

	if (argc < 3 || (P = atoi(argv[1])) < 1 || P > PMAX) {
		fprintf(stderr, "usage: spawnfloor P CMD [ARG...] < RECORDS\n");
		return 64;
	}
	av = calloc((size_t)argc + 2, sizeof *av);
	memcpy(av, argv + 2, sizeof *av * (size_t)(argc - 2));
	for (;;) {
		for (i = 0; i < P && !eof; i++) {
			if (k[i].pid)
				continue;
			if ((len = getline(&line, &cap, stdin)) < 0) {
				eof = 1;
				break;
			}
			if (len && line[len - 1] == '\n')
				line[len - 1] = 0;
			if (start(&k[i], av, argc - 2, line))
				return 1;
			running++;
		}
		if (!running)
			break;
		for (i = n = 0; i < P; i++)
			pf[i] = (struct pollfd){k[i].pid ? k[i].fd : -1, POLLIN, 0};
		if (poll(pf, (nfds_t)P, -1) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < P; i++) {
			if (!pf[i].revents)
				continue;
			if (step(&k[i]))
				return 1;
			running -= k[i].pid == 0;
		}
	}
	return fflush(stdout) ? 1 : 0;
}
