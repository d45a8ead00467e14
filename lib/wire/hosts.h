/* hosts.h - host lists: -H, $PD_HOSTS and the hosts file. */
#ifndef PD_HOSTS_H
#define PD_HOSTS_H

#define PD_DEFAULT_PORT 2718
#define PD_HOSTS_MAX 1024

struct pd_host {
	char name[256]; /* host name or address as written, without port */
	int port;
	int ssh;	/* reached through ssh (-S, an "ssh" line): see sshhost.h */
	char user[33];	/* ssh: the login ("" = ssh's choice) */
	int slots;	/* ssh: workers of the server started there (0 = its CPUs) */
};

struct pd_hostlist {
	struct pd_host *v;
	int n;
};

/*
 * Parse "host[:port],host[:port],..." (also accepting whitespace as a
 * separator, "[v6addr]:port" and "-" meaning nothing) and append to l.
 * Ports default to PD_DEFAULT_PORT.  `where` names the source for errors
 * ("-H", "PD_HOSTS").  Returns 0, or -1 with err naming the bad entry,
 * e.g. "PD_HOSTS: bad port in 'lab2:99999'".
 *
 * Details: a port is 1 to 65535 in plain decimal digits; a name is 1 to
 * 255 bytes of [A-Za-z0-9._:-] and is stored without brackets; an entry
 * with two or more colons and no brackets is a bare IPv6 address with the
 * default port.  Empty entries (",,") are skipped.  An entry already in l
 * (same port, name equal ignoring case) is dropped silently.  More than
 * PD_HOSTS_MAX entries in l is an error ("-H: too many hosts (at most
 * 1024)").  On error l is left as it was.  l starts zeroed ({NULL, 0}).
 * A NULL spec adds nothing.
 */
int pd_hosts_parse(struct pd_hostlist *l, const char *spec, const char *where, char *err);

/*
 * Read a hosts file: one host[:port] per line, '#' starts a comment,
 * blank lines ignored; a line "ssh [user@]host[:slots], ..." names ssh
 * hosts (pd_hosts_parse_ssh).  A missing file is not an error (0, nothing
 * added; *found set to 0).  Errors name the file and line, e.g.
 * "/home/u/.config/playdoh/hosts:3: bad port in 'x:0'".  found may be
 * NULL.
 *
 * Entries are as for pd_hosts_parse(), except that only commas separate
 * entries on one line ("a, b"): whitespace around an entry is trimmed,
 * and whitespace inside one is an error ("hosts:3: bad host name 'a b'").
 * Lines are at most 4095 bytes.  On error l is left as it was.
 */
int pd_hosts_file(struct pd_hostlist *l, const char *path, int *found, char *err);

/*
 * Parse ssh hosts, "[user@]host[:slots],..." (whitespace also separates;
 * "[v6addr]" and "user@[v6addr]:slots" as above) and append them to l
 * with ssh set and port PD_DEFAULT_PORT (where a server already running
 * there would listen).  A user is 1 to 32 bytes of [A-Za-z0-9._-]; slots
 * 1 to PD_SLOTS_MAX; neither a name nor a user may start with '-'
 * (it would reach ssh as an option).  Errors as for pd_hosts_parse, e.g.
 * "-S: bad slots in 'lab2:0'".  An entry already in l (same user and
 * name, ignoring case) is dropped.
 */
int pd_hosts_parse_ssh(struct pd_hostlist *l, const char *spec, const char *where, char *err);

/* How many entries of l are ssh hosts. */
int pd_hosts_count_ssh(const struct pd_hostlist *l);

/* Free the list's contents and empty it. */
void pd_hosts_release(struct pd_hostlist *l);

/* The hosts of a list as one "host:port,..." string (malloc'd), the
 * form pd_hosts_parse reads back. */
char *pd_hosts_spec(const struct pd_hostlist *l);

#endif
