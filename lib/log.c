// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int verbosity;
static int file_fd = -1;
static int file_level = VZ_LOG_INFO;

void vz_log_set_verbosity(int v)
{
	verbosity = v;
}

int vz_log_verbosity(void)
{
	return verbosity;
}

bool vz_log_debug_wanted(void)
{
	return verbosity >= 1 || (file_fd >= 0 && file_level >= VZ_LOG_DEBUG);
}

int vz_log_open_file(const char *path, int level)
{
	int fd;

	vz_log_close_file();
	if (!path)
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	file_fd = fd;
	file_level = level;
	return 0;
}

void vz_log_close_file(void)
{
	if (file_fd >= 0)
		close(file_fd);
	file_fd = -1;
}

static void write_file_line(const char *text)
{
	char stamp[64], line[2048];
	struct tm tm;
	time_t now = time(NULL);
	int len;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", &tm);
	len = snprintf(line, sizeof(line), "%s vzctl[%d]: %s\n", stamp, (int)getpid(), text);
	if (len > (int)sizeof(line) - 1)
		len = sizeof(line) - 1;
	if (write(file_fd, line, len) < 0) {
		/* Logging must never make an operation fail. */
	}
}

void vz_log_file_only(const char *fmt, ...)
{
	char text[1536];
	va_list ap;

	if (file_fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	write_file_line(text);
}

void vz_log(enum vz_log_level level, const char *prefix, int errnum, const char *fmt, ...)
{
	char text[1536];
	int saved = errno;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	len = strlen(text);
	if (errnum && len < sizeof(text))
		snprintf(text + len, sizeof(text) - len, ": %s", strerror(errnum));

	if (level == VZ_LOG_ERR || (level == VZ_LOG_WARN && verbosity >= 0) ||
	    (level == VZ_LOG_INFO && verbosity >= 0) || (level == VZ_LOG_DEBUG && verbosity >= 1)) {
		if (level == VZ_LOG_DEBUG && prefix)
			fprintf(stderr, "%s: %s\n", prefix, text);
		else if (level == VZ_LOG_INFO)
			fprintf(stdout, "%s\n", text), fflush(stdout);
		else
			fprintf(stderr, "%s\n", text);
	}
	if (file_fd >= 0 && (int)level <= file_level)
		write_file_line(text);
	errno = saved;
}
