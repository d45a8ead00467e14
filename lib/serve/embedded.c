/* embedded.c - a private pd-serve in a child process, for a tool with no server to use. */
#include "embedded.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "err.h"
#include "fdio.h"
#include "log.h"
#include "pathfmt.h"
#include "server.h"
#include "tmpstate.h"

/* The embedded server: serve fd until it closes, then clean up. */
static void embedded_main(int fd, int slots, int gpus) __attribute__((noreturn));
static void embedded_main(int fd, int slots, int gpus)
{
	struct pd_server_opts o = {0};
	char dir[PD_PATH_MAX], err[PD_ERRLEN];
	struct event_base *base;
	struct pd_server *s;

	/* Out of the terminal's process group: ^C reaches pd-map, whose exit
	 * closes the socket, and this server then cleans up and exits. */
	setpgid(0, 0);
	/* Nor does it hold pd-map's input or output open: a pipeline ends
	 * when pd-map does. */
	{
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			close(null);
		}
	}
	pd_log_open("pd-map (embedded server)", PD_LOG_WARN, 0);
	base = event_base_new();
	if (!base || pd_tmpstate_make(dir, "embedded")) {
		fprintf(stderr, "pd-map: embedded server: cannot start\n");
		_exit(PD_EX_OSERR);
	}
	o.state = dir;
	o.cpus_total = slots;
	o.cpus_shared = slots;
	o.host = "embedded";
	o.preload = 1; /* one run: its first records start together on all slots */
	o.no_gpus = !gpus;
	s = pd_server_new(base, &o, err);
	if (!s) {
		fprintf(stderr, "pd-map: embedded server: %s\n", err);
		rmdir(dir);
		_exit(PD_EX_OSERR);
	}
	pd_server_add_local(s, fd);
	pd_server_exit_when_alone(s);
	event_base_dispatch(base);
	pd_server_free(s);
	pd_tmpstate_remove(dir);
	_exit(0);
}

int pd_embedded_start(int slots, int gpus, int *fd, pid_t *pid, char *err)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		pd_err(err, "socketpair: %s", strerror(errno));
		return -1;
	}
	pd_fd_wide(sv[0]);
	pd_fd_wide(sv[1]);
	*pid = fork();
	if (*pid < 0) {
		pd_err(err, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (*pid == 0) {
		close(sv[0]);
		embedded_main(sv[1], slots, gpus);
	}
	close(sv[1]);
	*fd = sv[0];
	return 0;
}
