/* pd-task - not implemented yet: it has its own issue. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "proto.h"

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: pd-task (not implemented yet)");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("pd-task %s (protocol %d)\n", PD_VERSION, PD_PROTO_VERSION);
		return 0;
	}
	fputs("pd-task: not implemented yet\n", stderr);
	return PD_EX_UNAVAILABLE;
}
