/* jobcc.c - compiling a job's C source: compiler identity, cache key, the compile. */
#include "jobcc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "dirs.h"
#include "err.h"
#include "fdio.h"
#include "jobfile.h"
#include "pathfmt.h"
#include "seal.h"

#define CC_WORDS_MAX 16
/* What every compile adds after the compiler command (never from the network). */
#define CC_FLAGS "-shared -fPIC -O2 -I. -o job.so NAME -lm"

int pd_jobcc_timeout_s(char *err)
{
	const char *v = getenv("PD_CC_TIMEOUT");
	char *end;
	long n;

	if (!v || !*v)
		return PD_JOBCC_TIMEOUT_S;
	errno = 0;
	n = strtol(v, &end, 10);
	if (!errno && !*end && n >= 1 && n <= PD_JOBCC_TIMEOUT_MAX)
		return (int)n;
	if (err)
		pd_err(err, "PD_CC_TIMEOUT='%.40s' is not a number of seconds from 1 to %d; using %d", v,
		       PD_JOBCC_TIMEOUT_MAX, PD_JOBCC_TIMEOUT_S);
	return PD_JOBCC_TIMEOUT_S;
}

int pd_jobcc_is_source(const char *path)
{
	size_t n = strlen(path);

	return n > 2 && !strcmp(path + n - 2, ".c");
}

int pd_jobcc_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n < 3 || n > PD_JOBCC_NAME_MAX || name[0] == '.' || name[0] == '-' || strcmp(name + n - 2, ".c"))
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '.' || name[i] == '_' || name[i] == '-'))
			return 0;
	return 1;
}

/* The compiler command, split at blanks into argv (pointing into buf). */
static int compiler_words(char *buf, size_t n, char **argv, int max)
{
	const char *cc = getenv("PD_CC");
	int argc = 0;
	char *w, *save;

	if (!cc || !*cc)
		cc = getenv("CC");
	if (!cc || !*cc)
		cc = "cc";
	snprintf(buf, n, "%s", cc);
	for (w = strtok_r(buf, " \t", &save); w && argc < max - 1; w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return argc;
}

/* Find prog as execvp would: as given when it holds a '/', else on PATH. */
static int find_program(const char *prog, char *out, size_t n)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat st;

	if (strchr(prog, '/')) {
		snprintf(out, n, "%s", prog);
		return stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0 ? 0 : -1;
	}
	for (p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin"; p; p = *end ? end + 1 : NULL) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		snprintf(out, n, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", prog);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* Add a string and its terminating NUL to the hash. */
static void hash_str(crypto_generichash_state *h, const char *s)
{
	crypto_generichash_update(h, (const unsigned char *)s, strlen(s) + 1);
}

int pd_jobcc_key(const char *src_hash, char key[PD_HASH_HEX], char *err)
{
	char words[1024], *argv[CC_WORDS_MAX], exe[PD_PATH_MAX], real[PD_PATH_MAX], line[256];
	unsigned char h[PD_HASH_LEN];
	crypto_generichash_state st;
	struct utsname u;
	struct stat sb;
	int i, argc = compiler_words(words, sizeof words, argv, CC_WORDS_MAX);

	if (argc == 0 || find_program(argv[0], exe, sizeof exe) || !realpath(exe, real) || stat(real, &sb)) {
		pd_err(err, "no C compiler '%s' on this host (set PD_CC or CC in pd-serve's environment, or put cc on its PATH)",
		       argc ? argv[0] : "");
		return -1;
	}
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	hash_str(&st, "playdoh-jobcc-1");
	hash_str(&st, src_hash);
	for (i = 0; i < argc; i++)
		hash_str(&st, argv[i]);
	hash_str(&st, real);
	snprintf(line, sizeof line, "%lld %lld %llu", (long long)sb.st_size, (long long)sb.st_mtime,
		 (unsigned long long)sb.st_ino);
	hash_str(&st, line);
	line[0] = 0;
#ifdef _CS_GNU_LIBC_VERSION
	confstr(_CS_GNU_LIBC_VERSION, line, sizeof line);
#endif
	hash_str(&st, line);
	hash_str(&st, uname(&u) == 0 ? u.machine : "");
	hash_str(&st, pd_jobcc_header);
	hash_str(&st, CC_FLAGS);
	crypto_generichash_final(&st, h, sizeof h);
	pd_hex_encode(h, sizeof h, key);
	return 0;
}

/* Path of key's entry in the cache dir: the hash of the .so it made. */
static void entry_path(const char *dir, const char *key, char *out, size_t n)
{
	snprintf(out, n, "%s/cc-%s", dir, key);
}

int pd_jobcc_lookup(const char *dir, const char *key, char so[PD_HASH_HEX])
{
	char path[PD_PATH_MAX], buf[PD_HASH_HEX + 1];
	ssize_t r;
	int fd;

	entry_path(dir, key, path, sizeof path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r < PD_HASH_HEX - 1)
		return 0;
	buf[PD_HASH_HEX - 1] = 0;
	if (!pd_hash_valid(buf) || !pd_cache_has(dir, buf))
		return 0;
	memcpy(so, buf, PD_HASH_HEX);
	return 1;
}

/* Point key's entry at the cached .so (a temporary file, renamed). */
static int write_entry(const char *dir, const char *key, const char *so, struct pd_buf *msg)
{
	char path[PD_PATH_MAX], line[PD_HASH_HEX + 1], e[PD_ERRLEN];

	entry_path(dir, key, path, sizeof path);
	snprintf(line, sizeof line, "%s\n", so);
	if (pd_replace_file(path, line, strlen(line), 0600, 0, e)) {
		pd_buf_addf(msg, "cannot record the compiled job: %s", e);
		return -1;
	}
	return 0;
}

/* 0 when a compiler output line that starts a diagnostic is located in
 * a file other than the job's own source (or playdoh.h), or says which
 * file included it: FILE:LINE: of another file, "In file included from". */
static int own_line(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name), i = 0;

	if ((n > k && !strncmp(line, name, k) && line[k] == ':') || (n > 10 && !strncmp(line, "playdoh.h:", 10)))
		return 1;
	if (!strncmp(line, "In file included from", 21))
		return 0;
	while (i < n && line[i] != ':' && line[i] != ' ')
		i++;
	/* FILE:DIGITS: is a location in another file */
	return !(i < n && line[i] == ':' && i + 1 < n && line[i + 1] >= '0' && line[i + 1] <= '9');
}

/* Keep of the compiler's output only what is about the job's own source:
 * a source may #include any file the server can read, and the compiler's
 * messages would quote it.  Lines starting with a space (the quoted
 * source and carets) go with the diagnostic above them. */
static void own_diagnostics(struct pd_buf *out, const char *name)
{
	struct pd_buf keep = PD_BUF_INIT;
	const char *p = out->data, *nl;
	int on = 0, dropped = 0;
	size_t n;

	while (*p) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n && p[0] != ' ')
			on = own_line(p, n, name);
		if (on || !n)
			pd_buf_addf(&keep, "%.*s\n", (int)n, p);
		else
			dropped++;
		p += n + (nl != NULL);
	}
	if (dropped)
		pd_buf_addf(&keep, "[%d line%s about other files left out]\n", dropped, dropped == 1 ? "" : "s");
	pd_buf_reset(out);
	pd_buf_add(out, keep.data, keep.len);
	pd_buf_release(&keep);
}

/* Say how the compiler ended, when it did not succeed. */
static void describe_failure(const char *name, const char *cc, int status, int timed_out,
			     const struct pd_buf *out, struct pd_buf *msg)
{
	if (timed_out)
		pd_buf_addf(msg, "%s did not compile: %s ran over %d s and was killed", name, cc,
			    pd_jobcc_timeout_s(NULL));
	else if (WIFSIGNALED(status))
		pd_buf_addf(msg, "%s did not compile: %s was killed by signal %d", name, cc, WTERMSIG(status));
	else if (WEXITSTATUS(status) == 127 && !strncmp(out->data, "exec ", 5)) {
		/* exec_compiler's own message: the compiler never ran */
		pd_buf_addf(msg, "cannot compile %s: %s", name, out->data);
		out = NULL;
	} else
		pd_buf_addf(msg, "%s did not compile:", name);
	if (out && out->len)
		pd_buf_addf(msg, "\n%s", out->data);
	while (msg->len && msg->data[msg->len - 1] == '\n')
		pd_buf_setlen(msg, msg->len - 1);
}

/* Store the compiler's job.so in the cache and key's entry. */
static int keep_result(const char *dir, const char *key, const char *tmpdir, int durable,
		       char so[PD_HASH_HEX], struct pd_buf *msg)
{
	char path[PD_PATH_MAX], err[PD_ERRLEN], *data;
	size_t n;

	pd_path_fmt(path, "%s/job.so", tmpdir);
	if (pd_read_file(path, PD_JOB_MAX, &data, &n, err)) {
		pd_buf_addf(msg, "the compiler left no job file: %s", err);
		return -1;
	}
	pd_hash_hex(data, n, so);
	if (pd_cache_put(dir, so, data, n, durable, err)) {
		pd_buf_addf(msg, "cannot cache the compiled job: %s", err);
		free(data);
		return -1;
	}
	free(data);
	return write_entry(dir, key, so, msg);
}

int pd_jobcc_compile(const char *dir, const char *key, const char *name, const void *src, size_t len,
		     int durable, char so[PD_HASH_HEX], struct pd_buf *msg)
{
	char words[1024], *argv[CC_WORDS_MAX + 12], tmpdir[PD_PATH_MAX], path[PD_PATH_MAX], e[PD_ERRLEN];
	const char *tmp = getenv("TMPDIR");
	const char *flags[] = {"-shared", "-fPIC", "-O2", "-I.", "-o", "job.so", name, "-lm", NULL};
	struct pd_buf out = PD_BUF_INIT;
	int argc, status, timed_out = 0, rc = -1, i;

	pd_buf_reset(msg);
	if (!pd_jobcc_name_ok(name)) {
		pd_buf_addf(msg, "'%.*s' is not a plain C source file name", PD_JOBCC_NAME_MAX, name);
		return -1;
	}
	argc = compiler_words(words, sizeof words, argv, CC_WORDS_MAX);
	for (i = 0; flags[i]; i++)
		argv[argc + i] = (char *)flags[i];
	argv[argc + i] = NULL;
	pd_path_fmt(tmpdir, "%s/pd-cc-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (!mkdtemp(tmpdir)) {
		pd_buf_addf(msg, "cannot compile %s: mkdtemp %s: %s", name, tmpdir, strerror(errno));
		return -1;
	}
	pd_path_fmt(path, "%s/playdoh.h", tmpdir);
	if (pd_replace_file(path, pd_jobcc_header, strlen(pd_jobcc_header), 0600, 0, e) ||
	    (pd_path_fmt(path, "%s/%s", tmpdir, name), pd_replace_file(path, src, len, 0600, 0, e))) {
		pd_buf_addf(msg, "cannot compile %s: write %s", name, e);
		goto out;
	}
	status = pd_jobcc_i_run(argv, tmpdir, &out, &timed_out, msg);
	if (status < 0)
		goto out;
	if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!(WIFEXITED(status) && WEXITSTATUS(status) == 127))
			own_diagnostics(&out, name);
		describe_failure(name, argv[0], status, timed_out, &out, msg);
		goto out;
	}
	rc = keep_result(dir, key, tmpdir, durable, so, msg);
out:
	pd_buf_release(&out);
	pd_dir_remove(tmpdir); /* and whatever the compiler left there */
	return rc;
}
