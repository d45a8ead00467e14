/* msgtab.c - prints the protocol's message table (wire/msgcheck.c) as
 * "client OP" / "server OP" lines, and pd-serve's dispatch table
 * (serve/server.c) as "handles OP" lines, for tests/protocol-table.bats. */
#include <stdio.h>

#include "msgcheck.h"
#include "server.h"

int main(void)
{
	const struct pd_msgdef *d;
	const char *op;
	size_t i;

	for (i = 0; (d = pd_msgdef(i)); i++)
		printf("%s %s\n", d->from == PD_ROLE_CLIENT ? "client" : "server", d->op);
	for (i = 0; (op = pd_server_op(i)); i++)
		printf("handles %s\n", op);
	return 0;
}
