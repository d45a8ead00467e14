/* hosts_test.c - host lists (lib/wire/hosts.c) and paths (lib/base/paths.c). */
#include "err.h"
#include "hosts.h"
#include "paths.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

/* Parse spec as -H would be, appending to l; returns the result. */
static int parse(struct pd_hostlist *l, const char *spec, char *err)
{
	err[0] = 0;
	return pd_hosts_parse(l, spec, "-H", err);
}

/* Whether entry i of l is name:port. */
static int is_host(const struct pd_hostlist *l, int i, const char *name, int port)
{
	return i < l->n && !strcmp(l->v[i].name, name) && l->v[i].port == port;
}

/* Check that spec fails with exactly msg and adds nothing. */
static void parse_fails(const char *spec, const char *msg)
{
	struct pd_hostlist l = {NULL, 0};
	char err[PD_ERRLEN];

	CHECK(pd_hosts_parse(&l, "keep", "-H", err) == 0);
	CHECK(parse(&l, spec, err) == -1);
	CHECK_STR(err, msg);
	CHECK(l.n == 1 && is_host(&l, 0, "keep", PD_DEFAULT_PORT));
	pd_hosts_release(&l);
}

/* Lists that parse: separators, ports, IPv6, duplicates, growth. */
static void test_parse_good(void)
{
	struct pd_hostlist l = {NULL, 0};
	char err[PD_ERRLEN], name[300], spec[32];
	int i, ok = 1;

	CHECK(parse(&l, "lab1,lab2:2719", err) == 0);
	CHECK(l.n == 2);
	CHECK(is_host(&l, 0, "lab1", PD_DEFAULT_PORT));
	CHECK(is_host(&l, 1, "lab2", 2719));
	/* whitespace separates too; empty entries are skipped */
	CHECK(parse(&l, " \tlab3:1 ,, lab4:65535\nlab5 ,", err) == 0);
	CHECK(l.n == 5);
	CHECK(is_host(&l, 2, "lab3", 1));
	CHECK(is_host(&l, 3, "lab4", 65535));
	CHECK(is_host(&l, 4, "lab5", PD_DEFAULT_PORT));
	/* IPv6: bracketed with or without port, bare with the default port */
	CHECK(parse(&l, "[::1]:3000 [fe80::2] ::1 2001:db8::7", err) == 0);
	CHECK(l.n == 9);
	CHECK(is_host(&l, 5, "::1", 3000));
	CHECK(is_host(&l, 6, "fe80::2", PD_DEFAULT_PORT));
	CHECK(is_host(&l, 7, "::1", PD_DEFAULT_PORT));
	CHECK(is_host(&l, 8, "2001:db8::7", PD_DEFAULT_PORT));
	/* duplicates (same name ignoring case, same port) are dropped */
	CHECK(parse(&l, "lab1 LAB1:2718 lab2:2719 lab1:2719 [::1]:3000", err) == 0);
	CHECK(l.n == 10);
	CHECK(is_host(&l, 9, "lab1", 2719));
	/* "-", empty and NULL specs add nothing */
	CHECK(parse(&l, "-", err) == 0);
	CHECK(parse(&l, "", err) == 0);
	CHECK(parse(&l, " , ,\t", err) == 0);
	CHECK(pd_hosts_parse(&l, NULL, "-H", err) == 0);
	CHECK(l.n == 10);
	/* leading zeros, dots, dashes, 255-byte names */
	CHECK(parse(&l, "a-b.example.org:080", err) == 0);
	CHECK(is_host(&l, 10, "a-b.example.org", 80));
	pd_hosts_release(&l);
	CHECK(l.n == 0 && l.v == NULL);

	memset(name, 'a', 255);
	name[255] = 0;
	CHECK(parse(&l, name, err) == 0);
	CHECK(l.n == 1 && strlen(l.v[0].name) == 255);
	pd_hosts_release(&l);

	/* the list grows past its first allocations intact */
	for (i = 0; i < 100; i++) {
		snprintf(spec, sizeof spec, "h%d:%d", i, 1000 + i);
		ok &= parse(&l, spec, err) == 0;
	}
	CHECK(ok && l.n == 100);
	for (i = 0, ok = 1; i < 100; i++) {
		snprintf(spec, sizeof spec, "h%d", i);
		ok &= is_host(&l, i, spec, 1000 + i);
	}
	CHECK(ok);
	pd_hosts_release(&l);
}

/* Every way an entry is refused; the list is left as it was. */
static void test_parse_errors(void)
{
	struct pd_hostlist l = {NULL, 0};
	char name[300], spec[400], msg[PD_ERRLEN], err[PD_ERRLEN];
	int i, ok = 1;

	parse_fails("lab2:99999", "-H: bad port in 'lab2:99999'");
	parse_fails("lab2:0", "-H: bad port in 'lab2:0'");
	parse_fails("lab2:65536", "-H: bad port in 'lab2:65536'");
	parse_fails("lab2:", "-H: bad port in 'lab2:'");
	parse_fails("lab2:+80", "-H: bad port in 'lab2:+80'");
	parse_fails("lab2:-80", "-H: bad port in 'lab2:-80'");
	parse_fails("lab2:80x", "-H: bad port in 'lab2:80x'");
	parse_fails("lab2:0x50", "-H: bad port in 'lab2:0x50'");
	parse_fails("lab2:000080", "-H: bad port in 'lab2:000080'");
	parse_fails("[::1]:", "-H: bad port in '[::1]:'");
	parse_fails("[::1]:99999", "-H: bad port in '[::1]:99999'");
	parse_fails(":80", "-H: bad host name ':80'");
	parse_fails("a_b", "-H: bad host name 'a_b'");
	parse_fails("a/b:80", "-H: bad host name 'a/b:80'");
	parse_fails("ok1,bad!,ok2", "-H: bad host name 'bad!'");
	parse_fails("[::1", "-H: bad host name '[::1'");
	parse_fails("[::1]x", "-H: bad host name '[::1]x'");
	parse_fails("[]:80", "-H: bad host name '[]:80'");
	parse_fails("[a b]", "-H: bad host name '[a'");
	parse_fails("caf\xc3\xa9", "-H: bad host name 'caf?" "?'");
	/* the earlier good entries of a failing spec are not kept */
	parse_fails("new1,new2,x:0", "-H: bad port in 'x:0'");

	/* 256-byte names are refused, and quoted cut short */
	memset(name, 'a', 256);
	name[256] = 0;
	snprintf(msg, sizeof msg, "-H: bad host name '%.64s...'", name);
	parse_fails(name, msg);
	snprintf(spec, sizeof spec, "x:%s", name);
	memset(spec + 2, '9', 256);
	snprintf(msg, sizeof msg, "-H: bad port in '%.64s...'", spec);
	parse_fails(spec, msg);

	/* the `where` given names the source */
	CHECK(pd_hosts_parse(&l, "lab2:99999", "PD_HOSTS", err) == -1);
	CHECK_STR(err, "PD_HOSTS: bad port in 'lab2:99999'");

	/* at most PD_HOSTS_MAX entries in all, duplicates not counted */
	for (i = 0; i < PD_HOSTS_MAX; i++) {
		snprintf(spec, sizeof spec, "n%d", i);
		ok &= pd_hosts_parse(&l, spec, "-H", err) == 0;
	}
	CHECK(ok && l.n == PD_HOSTS_MAX);
	CHECK(pd_hosts_parse(&l, "n0 n1:2718 N2", "-H", err) == 0);
	CHECK(l.n == PD_HOSTS_MAX);
	CHECK(pd_hosts_parse(&l, "n0,one-more", "-H", err) == -1);
	CHECK_STR(err, "-H: too many hosts (at most 1024)");
	CHECK(l.n == PD_HOSTS_MAX);
	pd_hosts_release(&l);
}

/* Write text to tmpdir/name and return the path (static storage). */
static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

/* The hosts file: comments, blank lines, bad lines, missing files. */
static void test_file(void)
{
	struct pd_hostlist l = {NULL, 0};
	char err[PD_ERRLEN], msg[PD_ERRLEN + 64], path[256], *line;
	const char *p;
	FILE *f;
	int found = -1;

	p = write_file("hosts",
		       "# the lab cluster\n"
		       "lab1\n"
		       "   lab2:2719, lab3   # two on a line\n"
		       "\n"
		       "\t\n"
		       "[::1]:3000\r\n"
		       "lab1  \n"
		       "#lab9\n"
		       "lab4"); /* no final newline */
	CHECK(pd_hosts_file(&l, p, &found, err) == 0);
	CHECK(found == 1);
	CHECK(l.n == 5);
	CHECK(is_host(&l, 0, "lab1", PD_DEFAULT_PORT));
	CHECK(is_host(&l, 1, "lab2", 2719));
	CHECK(is_host(&l, 2, "lab3", PD_DEFAULT_PORT));
	CHECK(is_host(&l, 3, "::1", 3000));
	CHECK(is_host(&l, 4, "lab4", PD_DEFAULT_PORT));

	/* a bad line: message names file and line; l keeps what it had */
	p = write_file("bad", "# comment\nlab7\na b\nlab8\n");
	CHECK(pd_hosts_file(&l, p, NULL, err) == -1);
	snprintf(msg, sizeof msg, "%s:3: bad host name 'a b'", p);
	CHECK_STR(err, msg);
	CHECK(l.n == 5);
	p = write_file("badport", "lab7\n\n\nx:0 # zero\n");
	CHECK(pd_hosts_file(&l, p, NULL, err) == -1);
	snprintf(msg, sizeof msg, "%s:4: bad port in 'x:0'", p);
	CHECK_STR(err, msg);
	CHECK(l.n == 5);

	/* missing file: nothing, not an error */
	snprintf(path, sizeof path, "%s/none", tmpdir);
	found = -1;
	CHECK(pd_hosts_file(&l, path, &found, err) == 0);
	CHECK(found == 0 && l.n == 5);
	CHECK(pd_hosts_file(&l, path, NULL, err) == 0);

	/* a directory is an error */
	CHECK(pd_hosts_file(&l, tmpdir, &found, err) == -1);
	snprintf(msg, sizeof msg, "read %s: Is a directory", tmpdir);
	CHECK_STR(err, msg);

	/* overlong lines and NUL bytes */
	line = malloc(5000);
	memset(line, 'a', 4999);
	line[4999] = 0;
	p = write_file("long", line);
	free(line);
	CHECK(pd_hosts_file(&l, p, NULL, err) == -1);
	snprintf(msg, sizeof msg, "%s:1: line too long (at most 4095 bytes)", p);
	CHECK_STR(err, msg);
	snprintf(path, sizeof path, "%s/nul", tmpdir);
	f = fopen(path, "w");
	fwrite("lab1\nla\0b\n", 1, 10, f);
	fclose(f);
	CHECK(pd_hosts_file(&l, path, NULL, err) == -1);
	snprintf(msg, sizeof msg, "%s:2: NUL byte in line (not a text file?)", path);
	CHECK_STR(err, msg);
	CHECK(l.n == 5);
	pd_hosts_release(&l);
}

/* Set or (value NULL) unset an environment variable. */
static void env(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

/* pd_paths_init() with and without PD_HOME, HOME and the XDG variables. */
static void test_paths(void)
{
	static struct pd_paths p;
	char err[PD_ERRLEN], want[6200], dir[6000];

	/* PD_HOME: everything under it */
	env("PD_HOME", "/srv/pd");
	env("XDG_RUNTIME_DIR", "/run/user/1");
	CHECK(pd_paths_init(&p, err) == 0);
	CHECK_STR(p.home, "/srv/pd");
	CHECK_STR(p.key, "/srv/pd/key");
	CHECK_STR(p.hosts, "/srv/pd/hosts");
	CHECK_STR(p.state, "/srv/pd/state");
	CHECK_STR(p.sock, "/srv/pd/sock");
	env("PD_HOME", "/srv/pd/");
	CHECK(pd_paths_init(&p, err) == 0);
	CHECK_STR(p.key, "/srv/pd/key");
	CHECK_STR(p.sock, "/srv/pd/sock");

	/* the socket path: 107 bytes fit, 108 do not */
	memset(dir, 'd', sizeof dir);
	dir[0] = '/';
	dir[102] = 0; /* "/" + 101 bytes + "/sock" = 107 */
	env("PD_HOME", dir);
	CHECK(pd_paths_init(&p, err) == 0);
	CHECK(strlen(p.sock) == 107);
	dir[102] = 'd';
	dir[103] = 0;
	env("PD_HOME", dir);
	CHECK(pd_paths_init(&p, err) == -1);
	snprintf(want, sizeof want,
		 "socket path too long: %s/sock (at most 107 bytes); set PD_HOME to a shorter directory",
		 dir);
	CHECK_STR(err, want);
	/* a PD_HOME longer than PATH_MAX */
	dir[103] = 'd';
	dir[5000] = 0;
	env("PD_HOME", dir);
	CHECK(pd_paths_init(&p, err) == -1);
	CHECK(!strncmp(err, "PD_HOME is too long (5000 bytes)", 32));
	dir[5000] = 'd';

	/* without PD_HOME: HOME and the XDG variables */
	env("PD_HOME", "");
	env("HOME", "/home/u");
	env("XDG_CONFIG_HOME", NULL);
	env("XDG_STATE_HOME", NULL);
	env("XDG_RUNTIME_DIR", NULL);
	CHECK(pd_paths_init(&p, err) == 0);
	CHECK_STR(p.home, "");
	CHECK_STR(p.key, "/home/u/.config/playdoh/key");
	CHECK_STR(p.hosts, "/home/u/.config/playdoh/hosts");
	CHECK_STR(p.state, "/home/u/.local/state/playdoh");
	snprintf(want, sizeof want, "/tmp/playdoh-%lu/sock", (unsigned long)getuid());
	CHECK_STR(p.sock, want);
	env("XDG_CONFIG_HOME", "/x/cfg/");
	env("XDG_STATE_HOME", "/x/state");
	env("XDG_RUNTIME_DIR", "/run/user/1000");
	CHECK(pd_paths_init(&p, err) == 0);
	CHECK_STR(p.key, "/x/cfg/playdoh/key");
	CHECK_STR(p.hosts, "/x/cfg/playdoh/hosts");
	CHECK_STR(p.state, "/x/state/playdoh");
	CHECK_STR(p.sock, "/run/user/1000/playdoh.sock");
	/* relative XDG values are ignored */
	env("XDG_CONFIG_HOME", "rel/cfg");
	env("XDG_STATE_HOME", "rel");
	env("XDG_RUNTIME_DIR", "run");
	CHECK(pd_paths_init(&p, err) == 0);
	CHECK_STR(p.key, "/home/u/.config/playdoh/key");
	CHECK_STR(p.state, "/home/u/.local/state/playdoh");
	CHECK_STR(p.sock, want);
	/* a long XDG_RUNTIME_DIR: the socket message */
	memset(dir, 'r', sizeof dir);
	dir[0] = '/';
	dir[300] = 0;
	env("XDG_RUNTIME_DIR", dir);
	CHECK(pd_paths_init(&p, err) == -1);
	CHECK(!strncmp(err, "socket path too long: /rrr", 26));
	CHECK(strstr(err, "... (at most 107 bytes); set PD_HOME to a shorter directory") != NULL);
	env("XDG_RUNTIME_DIR", NULL);
	/* a HOME longer than PATH_MAX is named */
	memset(dir, 'h', sizeof dir);
	dir[0] = '/';
	dir[5000] = 0;
	env("HOME", dir);
	CHECK(pd_paths_init(&p, err) == -1);
	CHECK(!strncmp(err, "HOME is too long (5000 bytes)", 29));
	/* HOME unset: an error unless the XDG variables cover it */
	env("HOME", NULL);
	CHECK(pd_paths_init(&p, err) == -1);
	CHECK_STR(err, "HOME is not set; set HOME or PD_HOME");
	env("HOME", "");
	CHECK(pd_paths_init(&p, err) == -1);
	CHECK_STR(err, "HOME is not set; set HOME or PD_HOME");
	env("XDG_CONFIG_HOME", "/c");
	CHECK(pd_paths_init(&p, err) == -1);
	env("XDG_STATE_HOME", "/s");
	CHECK(pd_paths_init(&p, err) == 0);
	CHECK_STR(p.key, "/c/playdoh/key");
	CHECK_STR(p.state, "/s/playdoh");
	env("PD_HOME", "/p");
	CHECK(pd_paths_init(&p, err) == 0);
	CHECK_STR(p.key, "/p/key");
}

/* pd_mkdirs(): nested, existing, and blocked directories. */
static void test_mkdirs(void)
{
	char err[PD_ERRLEN], dir[300], want[PD_ERRLEN + 64];
	struct stat st;

	snprintf(dir, sizeof dir, "%s/m/a//b/c/", tmpdir);
	CHECK(pd_mkdirs(dir, 0700, err) == 0);
	CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	CHECK(pd_mkdirs(dir, 0700, err) == 0); /* exists: fine */
	CHECK(pd_mkdirs(tmpdir, 0700, err) == 0);
	CHECK(pd_mkdirs("/", 0700, err) == 0);
	CHECK(pd_mkdirs(".", 0700, err) == 0);
	CHECK(pd_mkdirs("", 0700, err) == -1);
	CHECK_STR(err, "mkdir: empty directory name");

	/* a plain file in the way */
	write_file("f", "x");
	snprintf(dir, sizeof dir, "%s/f/sub", tmpdir);
	CHECK(pd_mkdirs(dir, 0700, err) == -1);
	snprintf(want, sizeof want, "mkdir %s/f: Not a directory", tmpdir);
	CHECK_STR(err, want);
	snprintf(dir, sizeof dir, "%s/f", tmpdir);
	CHECK(pd_mkdirs(dir, 0700, err) == -1);
	CHECK_STR(err, want);

	/* no permission (skipped as root, who has it anyway) */
	if (geteuid() != 0) {
		snprintf(dir, sizeof dir, "%s/ro", tmpdir);
		CHECK(pd_mkdirs(dir, 0500, err) == 0);
		snprintf(dir, sizeof dir, "%s/ro/x/y", tmpdir);
		CHECK(pd_mkdirs(dir, 0700, err) == -1);
		snprintf(want, sizeof want, "mkdir %s/ro/x: Permission denied", tmpdir);
		CHECK_STR(err, want);
	}
}

/* Whether entry i of l is the ssh host user@name with slots. */
static int is_ssh(const struct pd_hostlist *l, int i, const char *user, const char *name, int slots)
{
	return i < l->n && l->v[i].ssh && !strcmp(l->v[i].user, user) && !strcmp(l->v[i].name, name) &&
	       l->v[i].slots == slots && l->v[i].port == PD_DEFAULT_PORT;
}

/* -S lists and "ssh" lines of a hosts file. */
static void test_ssh(void)
{
	struct pd_hostlist l = {NULL, 0};
	char err[PD_ERRLEN], msg[PD_ERRLEN + 64];
	const char *p;
	static const struct {
		const char *spec, *msg;
	} bad[] = {
	    {"lab2:0", "-S: bad slots in 'lab2:0'"},
	    {"lab2:1025", "-S: bad slots in 'lab2:1025'"},
	    {"lab2:x", "-S: bad slots in 'lab2:x'"},
	    {"-oProxyCommand=x", "-S: bad host name '-oProxyCommand=x'"},
	    {"me@-lab", "-S: bad host name 'me@-lab'"},
	    {"[-Fx.cfg]", "-S: bad host name '[-Fx.cfg]'"},
	    {"me@[-Fx.cfg]:2", "-S: bad host name 'me@[-Fx.cfg]:2'"},
	    {"-me@lab", "-S: bad user in '-me@lab'"},
	    {"m!e@lab", "-S: bad user in 'm!e@lab'"},
	    {"@lab", "-S: bad user in '@lab'"},
	    {"me@", "-S: bad host name 'me@'"},
	    {"me@la/b", "-S: bad host name 'la/b'"},
	};
	size_t i;

	CHECK(pd_hosts_parse_ssh(&l, "lab1, me@lab2:4 [::1]:2 u.x-y_z@::1 lab1 LAB1", "-S", err) == 0);
	CHECK(l.n == 4);
	CHECK(is_ssh(&l, 0, "", "lab1", 0));
	CHECK(is_ssh(&l, 1, "me", "lab2", 4));
	CHECK(is_ssh(&l, 2, "", "::1", 2));
	CHECK(is_ssh(&l, 3, "u.x-y_z", "::1", 0));
	CHECK(pd_hosts_count_ssh(&l) == 4);
	/* the same name as a plain host is another entry */
	CHECK(pd_hosts_parse(&l, "lab1", "-H", err) == 0);
	CHECK(l.n == 5 && !l.v[4].ssh && pd_hosts_count_ssh(&l) == 4);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = 0;
		CHECK(pd_hosts_parse_ssh(&l, bad[i].spec, "-S", err) == -1);
		CHECK_STR(err, bad[i].msg);
		CHECK(l.n == 5);
	}
	pd_hosts_release(&l);

	p = write_file("sshhosts", "lab1\n  ssh me@lab2:3, lab3 # two over ssh\nsshd\nssh\tlab4\n");
	CHECK(pd_hosts_file(&l, p, NULL, err) == 0);
	CHECK(l.n == 5);
	CHECK(is_host(&l, 0, "lab1", PD_DEFAULT_PORT) && !l.v[0].ssh);
	CHECK(is_ssh(&l, 1, "me", "lab2", 3));
	CHECK(is_ssh(&l, 2, "", "lab3", 0));
	CHECK(is_host(&l, 3, "sshd", PD_DEFAULT_PORT) && !l.v[3].ssh);
	CHECK(is_ssh(&l, 4, "", "lab4", 0));
	pd_hosts_release(&l);
	p = write_file("sshbad", "lab1\nssh lab2:0\n");
	CHECK(pd_hosts_file(&l, p, NULL, err) == -1);
	snprintf(msg, sizeof msg, "%s:2: bad slots in 'lab2:0'", p);
	CHECK_STR(err, msg);
	CHECK(l.n == 0);
	pd_hosts_release(&l);
}

int main(void)
{
	char cmd[256];
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/pd-hosts-XXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_parse_good();
	test_parse_errors();
	test_file();
	test_ssh();
	test_mkdirs();
	test_paths();
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' && rm -rf '%s'", tmpdir, tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "hosts_test: could not remove %s\n", tmpdir);
	return t_done("hosts_test");
}
