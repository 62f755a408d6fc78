/* imagerec.c: the image record to JSON and back (see imagerec.h). The
 * reader is strict: a record that does not parse is reported with its file
 * name, never half used, since layer garbage collection trusts it. */
#include "config.h"
#include "imagerec.h"
#include "util.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

void strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

char **strv_dup(char *const *v)
{
	size_t n = 0;
	char **r;

	if (v == NULL)
		return NULL;
	while (v[n] != NULL)
		n++;
	r = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static void add_str(json_object *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_object_add(o, key, json_object_new_string(v));
}

static void add_strv(json_object *o, const char *key, char *const *v)
{
	json_object *a;

	if (v == NULL)
		return;
	a = json_object_new_array();
	for (size_t i = 0; v[i] != NULL; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	json_object_object_add(o, key, a);
}

char *image_record_to_json(const struct image_record *r)
{
	json_object *root = json_object_new_object();
	json_object *src = json_object_new_object();
	json_object *layers = json_object_new_array();
	json_object *cfg = json_object_new_object();
	char *s;

	if (root == NULL || src == NULL || layers == NULL || cfg == NULL)
		sb_oom();
	add_str(root, "name", r->name);
	add_str(root, "imported", r->imported);
	add_str(src, "format", r->format);
	add_str(src, "digest", r->source_digest);
	json_object_object_add(root, "source", src);
	for (size_t i = 0; i < r->n_layers; i++) {
		json_object *l = json_object_new_object();
		add_str(l, "diffid", r->layers[i].diffid);
		json_object_object_add(l, "size",
				       json_object_new_int64((int64_t)r->layers[i].size));
		json_object_array_add(layers, l);
	}
	json_object_object_add(root, "layers", layers);
	add_strv(cfg, "Entrypoint", r->config.entrypoint);
	add_strv(cfg, "Cmd", r->config.cmd);
	add_strv(cfg, "Env", r->config.env);
	add_str(cfg, "WorkingDir", r->config.workdir);
	add_str(cfg, "User", r->config.user);
	add_str(cfg, "created", r->config.created);
	json_object_object_add(root, "config", cfg);
	s = xasprintf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_SPACED |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return s;
}

static json_object *field(json_object *o, const char *key, json_type type)
{
	json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static char *opt_str(json_object *o, const char *key)
{
	json_object *v = field(o, key, json_type_string);
	return v ? xstrdup(json_object_get_string(v)) : NULL;
}

/* NULL when absent; false when present but not a list of strings. */
static bool opt_strv(json_object *o, const char *key, char ***out)
{
	json_object *v = NULL;
	size_t n;

	*out = NULL;
	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return true;
	if (!json_object_is_type(v, json_type_array))
		return false;
	n = json_object_array_length(v);
	*out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (!json_object_is_type(s, json_type_string))
			return false;
		(*out)[i] = xstrdup(json_object_get_string(s));
	}
	return true;
}

static int record_fill(json_object *root, const char *what, struct image_record *r,
		       sb_error *err)
{
	json_object *layers = field(root, "layers", json_type_array);
	json_object *src = field(root, "source", json_type_object);
	json_object *cfg = field(root, "config", json_type_object);
	size_t n;

	r->name = opt_str(root, "name");
	r->imported = opt_str(root, "imported");
	r->format = opt_str(src, "format");
	r->source_digest = opt_str(src, "digest");
	if (r->name == NULL || layers == NULL)
		return sb_fail(err, 0, "image record '%s' has no name or no layers", what);
	n = json_object_array_length(layers);
	r->layers = xcalloc(n, sizeof(*r->layers));
	for (size_t i = 0; i < n; i++) {
		json_object *l = json_object_array_get_idx(layers, i);
		json_object *d = field(l, "diffid", json_type_string);
		json_object *sz = field(l, "size", json_type_int);
		if (d == NULL || !digest_valid(json_object_get_string(d)))
			return sb_fail(err, 0, "image record '%s': layer %zu has no valid diffid",
				       what, i + 1);
		memcpy(r->layers[i].diffid, json_object_get_string(d), sizeof(digest_str));
		r->layers[i].size = sz ? (uint64_t)json_object_get_int64(sz) : 0;
		r->n_layers = i + 1;
	}
	if (!opt_strv(cfg, "Entrypoint", &r->config.entrypoint) ||
	    !opt_strv(cfg, "Cmd", &r->config.cmd) || !opt_strv(cfg, "Env", &r->config.env))
		return sb_fail(err, 0, "image record '%s': a config list is malformed", what);
	r->config.workdir = opt_str(cfg, "WorkingDir");
	r->config.user = opt_str(cfg, "User");
	r->config.created = opt_str(cfg, "created");
	return 0;
}

int image_record_from_json(const char *json, const char *what, struct image_record *r,
			   sb_error *err)
{
	enum json_tokener_error jerr = json_tokener_success;
	json_object *root;
	int ret;

	memset(r, 0, sizeof(*r));
	root = json_tokener_parse_verbose(json, &jerr);
	if (root == NULL)
		return sb_fail(err, 0, "image record '%s' is not valid JSON: %s", what,
			       json_tokener_error_desc(jerr));
	ret = record_fill(root, what, r, err);
	json_object_put(root);
	if (ret < 0)
		image_record_free(r);
	return ret;
}

uint64_t image_record_size(const struct image_record *r)
{
	uint64_t t = 0;
	for (size_t i = 0; i < r->n_layers; i++)
		t += r->layers[i].size;
	return t;
}

void image_size_str(uint64_t bytes, char buf[static 16])
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, 16, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, 16, "%.1f %s", v, units[u]);
}

void image_config_free(struct image_config *c)
{
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	strv_free(c->env);
	free(c->workdir);
	free(c->user);
	free(c->created);
	memset(c, 0, sizeof(*c));
}

void image_record_free(struct image_record *r)
{
	free(r->name);
	free(r->format);
	free(r->source_digest);
	free(r->imported);
	free(r->layers);
	image_config_free(&r->config);
	memset(r, 0, sizeof(*r));
}
