/* pd-opt - not implemented yet: it has its own issue. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "proto.h"

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: pd-opt (not implemented yet)");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("pd-opt %s (protocol %d)\n", PD_VERSION, PD_PROTO_VERSION);
		return 0;
	}
	fputs("pd-opt: not implemented yet\n", stderr);
	return PD_EX_UNAVAILABLE;
}
