// SPDX-License-Identifier: GPL-2.0-or-later
#define VZ_LOG_PREFIX "config"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "fileutil.h"

bool vz_conf_key_valid(const char *key)
{
	if (!*key || !(isalpha((unsigned char)*key) || *key == '_'))
		return false;
	for (const char *p = key + 1; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return false;
	return true;
}

struct vz_conf *vz_conf_new(const char *path)
{
	struct vz_conf *conf = calloc(1, sizeof(*conf));

	if (!conf)
		return NULL;
	conf->path = strdup(path ? path : "");
	if (!conf->path) {
		free(conf);
		return NULL;
	}
	return conf;
}

void vz_conf_free(struct vz_conf *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->nr_lines; i++) {
		free(conf->lines[i].text);
		free(conf->lines[i].key);
		free(conf->lines[i].value);
	}
	free(conf->lines);
	free(conf->path);
	free(conf);
}

static int append_line(struct vz_conf *conf, char *text, char *key, char *value, unsigned lineno)
{
	struct vz_conf_line *lines;

	lines = realloc(conf->lines, (conf->nr_lines + 1) * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	conf->lines = lines;
	lines[conf->nr_lines++] = (struct vz_conf_line){ text, key, value, lineno };
	return 0;
}

/*
 * Split one line into key and unquoted value.  Returns 1 for a key line,
 * 0 for a comment or blank line, a negative errno for a malformed line.
 */
static int parse_line(const char *line, char **key, char **value, const char **why)
{
	const char *p = line, *eq, *v, *end;
	__vz_free char *k = NULL;
	size_t vlen;

	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	eq = strchr(p, '=');
	if (!eq) {
		*why = "expected KEY=\"value\"";
		return -EINVAL;
	}
	k = strndup(p, eq - p);
	if (!k)
		return -ENOMEM;
	if (!vz_conf_key_valid(k)) {
		*why = "invalid key name";
		return -EINVAL;
	}
	v = eq + 1;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (*v == '"' || *v == '\'') {
		char quote = *v;

		if (end - v < 2 || end[-1] != quote) {
			*why = "unterminated quoted value";
			return -EINVAL;
		}
		v++;
		end--;
		if (memchr(v, quote, end - v)) {
			*why = "unexpected quote inside the value";
			return -EINVAL;
		}
	} else {
		/* Bare values may not contain characters a shell would split on. */
		for (const char *c = v; c < end; c++) {
			if (*c == ' ' || *c == '\t' || *c == '"' || *c == '\'') {
				*why = "unquoted value contains spaces or quotes";
				return -EINVAL;
			}
		}
	}
	vlen = end - v;
	*value = strndup(v, vlen);
	if (!*value)
		return -ENOMEM;
	*key = take_ptr(k);
	return 1;
}

int vz_conf_parse(struct vz_conf **out, const char *path, const char *text, struct vz_error *err)
{
	struct vz_conf *conf = vz_conf_new(path);
	const char *p = text;
	unsigned lineno = 0;
	int ret;

	if (!conf)
		return vz_error_sys(err, VZ_E_SYSTEM, ENOMEM, "Cannot parse '%s'", path);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, len), *key = NULL, *value = NULL;
		const char *why = NULL;

		lineno++;
		if (!line) {
			ret = -ENOMEM;
			goto err_free;
		}
		ret = parse_line(line, &key, &value, &why);
		if (ret < 0) {
			if (ret == -EINVAL)
				vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "Syntax error in '%s' line %u: %s: %s",
					     path, lineno, why, line);
			free(line);
			if (ret == -EINVAL)
				goto err_free_quiet;
			goto err_free;
		}
		ret = append_line(conf, line, key, value, lineno);
		if (ret < 0) {
			free(line);
			free(key);
			free(value);
			goto err_free;
		}
		p = nl ? nl + 1 : p + len;
	}
	*out = conf;
	return 0;

err_free:
	vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot parse '%s'", path);
err_free_quiet:
	vz_conf_free(conf);
	return ret;
}

int vz_conf_load(struct vz_conf **out, const char *path, struct vz_error *err)
{
	__vz_free char *text = NULL;
	int ret;

	ret = vz_read_file(path, &text, NULL);
	if (ret < 0)
		return vz_error_sys(err, VZ_E_SYSTEM, -ret, "Cannot read '%s'", path);
	if (memchr(text, '\0', strlen(text)) != NULL || strlen(text) != (size_t)ret)
		return vz_error_set(err, VZ_E_BAD_VALUE, EINVAL, "'%s' is not a text file", path);
	return vz_conf_parse(out, path, text, err);
}

static struct vz_conf_line *find_last(const struct vz_conf *conf, const char *key)
{
	for (size_t i = conf->nr_lines; i-- > 0;)
		if (conf->lines[i].key && !strcmp(conf->lines[i].key, key))
			return &conf->lines[i];
	return NULL;
}

const char *vz_conf_get(const struct vz_conf *conf, const char *key)
{
	struct vz_conf_line *line = conf ? find_last(conf, key) : NULL;

	return line ? line->value : NULL;
}

unsigned vz_conf_lineno(const struct vz_conf *conf, const char *key)
{
	struct vz_conf_line *line = conf ? find_last(conf, key) : NULL;

	return line ? line->lineno : 0;
}

static char *format_line(const char *key, const char *value)
{
	char *text;

	if (asprintf(&text, "%s=\"%s\"", key, value) < 0)
		return NULL;
	return text;
}

int vz_conf_set(struct vz_conf *conf, const char *key, const char *value)
{
	struct vz_conf_line *line = find_last(conf, key);

	if (!vz_conf_key_valid(key) || (value && strpbrk(value, "\"\n")))
		return -EINVAL;
	if (!value) {
		/* Remove every line setting the key. */
		size_t w = 0;

		for (size_t i = 0; i < conf->nr_lines; i++) {
			if (conf->lines[i].key && !strcmp(conf->lines[i].key, key)) {
				free(conf->lines[i].text);
				free(conf->lines[i].key);
				free(conf->lines[i].value);
				conf->dirty = true;
				continue;
			}
			conf->lines[w++] = conf->lines[i];
		}
		conf->nr_lines = w;
		return 0;
	}
	if (line) {
		char *text, *v;

		if (!strcmp(line->value, value))
			return 0;
		text = format_line(key, value);
		v = strdup(value);
		if (!text || !v) {
			free(text);
			free(v);
			return -ENOMEM;
		}
		free(line->text);
		free(line->value);
		line->text = text;
		line->value = v;
	} else {
		char *text = format_line(key, value), *k = strdup(key), *v = strdup(value);

		if (!text || !k || !v || append_line(conf, text, k, v, 0) < 0) {
			free(text);
			free(k);
			free(v);
			return -ENOMEM;
		}
	}
	conf->dirty = true;
	return 0;
}

int vz_conf_save(struct vz_conf *conf, const char *path, struct vz_error *err)
{
	__vz_free char *text = NULL;
	size_t len = 0, cap = 0;

	for (size_t i = 0; i < conf->nr_lines; i++) {
		size_t l = strlen(conf->lines[i].text);

		if (len + l + 2 > cap) {
			char *n;

			cap = (len + l + 2) * 2;
			n = realloc(text, cap);
			if (!n)
				return vz_error_sys(err, VZ_E_SAVE_CONFIG, ENOMEM, "Cannot save '%s'", path);
			text = n;
		}
		memcpy(text + len, conf->lines[i].text, l);
		len += l;
		text[len++] = '\n';
	}
	return vz_write_file_atomic(path, text ? text : "", len, 0644, err);
}
