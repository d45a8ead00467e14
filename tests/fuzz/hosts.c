/* hosts.c - fuzz target: the hosts-file parser and -H/PD_HOSTS lists
 * (lib/wire/hosts.c).
 *
 * The input is read as a hosts file (through a memory file, by
 * pd_hosts_file as pd-map reads ~/.config/playdoh/hosts) and, up to its
 * first NUL, as a -H list.  Whatever is accepted must be a list of valid
 * entries; whatever is refused must leave the list as it was and say why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "err.h"
#include "hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() unless every entry of l is well-formed. */
static void check_list(const struct pd_hostlist *l)
{
	int i;

	if (l->n < 0 || l->n > PD_HOSTS_MAX || (l->n && !l->v))
		abort();
	for (i = 0; i < l->n; i++)
		if (!l->v[i].name[0] || strlen(l->v[i].name) > 255 || l->v[i].port < 1 ||
		    l->v[i].port > 65535)
			abort();
}

/* Parse p as a hosts file; the list starts with one entry. */
static void parse_file(const uint8_t *p, size_t n)
{
	struct pd_hostlist l = {NULL, 0};
	char path[64], err[PD_ERRLEN];
	int fd = memfd_create("hosts", MFD_CLOEXEC), found = 0, rc;

	if (fd < 0)
		return;
	if (write(fd, p, n) != (ssize_t)n || pd_hosts_parse(&l, "seed:1", "-H", err)) {
		close(fd);
		pd_hosts_release(&l);
		return;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	err[0] = 0;
	rc = pd_hosts_file(&l, path, &found, err);
	if (rc == 0)
		check_list(&l);
	else if (!err[0] || l.n != 1 || strcmp(l.v[0].name, "seed") || l.v[0].port != 1)
		abort(); /* refused: says why, leaves the list as it was */
	pd_hosts_release(&l);
	close(fd);
}

/* Parse p (up to a NUL) as a -H list. */
static void parse_spec(const uint8_t *p, size_t n)
{
	struct pd_hostlist l = {NULL, 0};
	char *spec = malloc(n + 1), err[PD_ERRLEN];

	if (!spec)
		return;
	memcpy(spec, p, n);
	spec[n] = 0;
	err[0] = 0;
	if (pd_hosts_parse(&l, spec, "-H", err) == 0)
		check_list(&l);
	else if (!err[0] || l.n != 0)
		abort();
	pd_hosts_release(&l);
	free(spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_file(data, size);
	parse_spec(data, size);
	return 0;
}
