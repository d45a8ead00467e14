/*
 * counter.c - a job that keeps a log of every call it gets, for tests
 * that must prove which records ran (and how often): --resume must not
 * run again what the joblog says is done, --retries must run a failed
 * record again.
 *
 * Every call appends the record's whole line and a newline to the file
 * named by $PD_COUNTER_FILE (one write(2) with O_APPEND, so concurrent
 * workers do not mix their lines), then looks at field 1:
 *	fail		fail the record: pd_error "asked to fail"
 *	flaky K ...	fail while the line has been logged K times or fewer,
 *			succeed (output the line) from the K+1st call on
 *	hold MS ...	count this call as running in $PD_COUNTER_FILE.active
 *			("RUNNING MAX\n", updated under an fcntl lock) for MS
 *			milliseconds, then output the line: MAX is the most
 *			records that ever ran at the same time, for tests of
 *			how many slots a host really uses
 *	anything else	output the line itself
 * Without $PD_COUNTER_FILE every record fails, saying so.
 *
 *	cc -shared -fPIC -O2 -I/path/to/playdoh/include counter.c -o counter.so
 *	seq 5 | PD_COUNTER_FILE=calls pd-map counter.so; sort calls
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <playdoh.h>

/* Append line + newline to path in one write; 0 or an errno value. */
static int log_call(const char *path, const char *line, size_t len)
{
	char *buf = malloc(len + 1);
	ssize_t w;
	int fd, e = 0;

	if (!buf)
		return ENOMEM;
	memcpy(buf, line, len);
	buf[len] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(buf);
		return errno;
	}
	w = write(fd, buf, len + 1);
	if (w != (ssize_t)(len + 1))
		e = w < 0 ? errno : EIO;
	if (close(fd) && !e)
		e = errno;
	free(buf);
	return e;
}

/* How many lines of path equal line exactly; -1 when unreadable. */
static long count_calls(const char *path, const char *line, size_t len)
{
	FILE *f = fopen(path, "r");
	char *l = NULL;
	size_t cap = 0;
	ssize_t n;
	long count = 0;

	if (!f)
		return -1;
	while ((n = getline(&l, &cap, f)) > 0) {
		if (l[n - 1] == '\n')
			n--;
		if ((size_t)n == len && !memcmp(l, line, len))
			count++;
	}
	free(l);
	fclose(f);
	return count;
}

/* Add delta to the running count in the .active file (under a lock),
 * raising the maximum; 0 or an errno value. */
static int active_add(const char *path, int delta)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char file[4096], buf[64];
	long running = 0, max = 0;
	ssize_t n;
	int fd, e = 0;

	snprintf(file, sizeof file, "%s.active", path);
	fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	while (fcntl(fd, F_SETLKW, &fl) < 0)
		if (errno != EINTR) {
			e = errno;
			close(fd);
			return e;
		}
	n = pread(fd, buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	if (sscanf(buf, "%ld %ld", &running, &max) != 2)
		running = max = 0;
	running += delta;
	if (running > max)
		max = running;
	n = snprintf(buf, sizeof buf, "%ld %ld\n", running, max);
	if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n)
		e = errno ? errno : EIO;
	close(fd); /* releases the lock */
	return e;
}

/* Run for ms milliseconds, counted in the .active file. */
static int hold(const char *path, long long ms, pd_out *out)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	int e;

	if (ms < 0)
		return pd_error(out, "hold: negative time %lld", ms);
	e = active_add(path, 1);
	if (e)
		return pd_error(out, "hold: %s.active: %s", path, strerror(e));
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	e = active_add(path, -1);
	if (e)
		return pd_error(out, "hold: %s.active: %s", path, strerror(e));
	return PD_OK;
}

PD_MAP(counter)
{
	const char *path = getenv("PD_COUNTER_FILE"), *w;
	size_t len;
	const char *line = pd_line(in, &len);
	long k, seen;
	int e;

	if (!path || !*path)
		return pd_error(out, "PD_COUNTER_FILE is not set");
	e = log_call(path, line, len);
	if (e)
		return pd_error(out, "append to %s: %s", path, strerror(e));
	w = pd_str(in, 0);
	if (w && !strcmp(w, "fail"))
		return pd_error(out, "asked to fail");
	if (w && !strcmp(w, "flaky")) {
		k = pd_int(in, 1);
		seen = count_calls(path, line, len);
		if (seen < 0)
			return pd_error(out, "read %s: %s", path, strerror(errno));
		if (seen <= k)
			return pd_error(out, "flaky: call %ld of %ld failing", seen, k);
	}
	if (w && !strcmp(w, "hold") && hold(path, pd_int(in, 1), out) != PD_OK)
		return PD_ERROR;
	return pd_write(out, line, len);
}
