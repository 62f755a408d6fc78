/* cmd_images.c: `sandbox images [--json]` lists the store's images (name,
 * layers, size, creation time), as a table or as JSON for scripts; `sandbox
 * rmi NAME...` removes images, and with them the layers no image uses. */
#include "config.h"
#include "cmd.h"
#include "image_rm.h"
#include "log.h"
#include "store.h"
#include "util.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static void images_usage(FILE *f)
{
	fprintf(f,
		"Usage: sandbox images [--json]\n"
		"\n"
		"List the images in the store: name, layers, size and when each was created\n"
		"(or imported, when the image does not say).\n"
		"\n"
		"Options:\n"
		"  --json       one JSON array, for scripts\n"
		"  -h, --help   show this help\n");
}

#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
		    JSON_C_TO_STRING_NOSLASHESCAPE)

static void add_str(json_object *o, const char *key, const char *value)
{
	if (value != NULL)
		json_object_object_add(o, key, json_object_new_string(value));
}

static void print_json(const struct image_record *v, size_t n)
{
	json_object *a = json_object_new_array();

	if (a == NULL)
		sb_oom();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object *layers = json_object_new_array();

		int64_t size = (int64_t)image_record_size(&v[i]);

		add_str(o, "name", v[i].name);
		for (size_t j = 0; j < v[i].n_layers; j++)
			json_object_array_add(layers, json_object_new_string(v[i].layers[j].diffid));
		json_object_object_add(o, "layers", layers);
		json_object_object_add(o, "size", json_object_new_int64(size));
		add_str(o, "created", v[i].config.created);
		add_str(o, "imported", v[i].imported);
		add_str(o, "format", v[i].format);
		add_str(o, "digest", v[i].source_digest);
		json_object_array_add(a, o);
	}
	printf("%s\n", json_object_to_json_string_ext(a, JSON_FLAGS));
	json_object_put(a);
}

/* "2024-06-01T12:00:00.123Z" -> "2024-06-01 12:00" */
static void short_time(const char *t, char buf[static 17])
{
	if (t == NULL || strlen(t) < 16) {
		snprintf(buf, 17, "%s", t ? t : "-");
		return;
	}
	memcpy(buf, t, 16);
	buf[10] = ' ';
	buf[16] = '\0';
}

static void print_table(const struct image_record *v, size_t n)
{
	int w = 4;

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(v[i].name) > w)
			w = (int)strlen(v[i].name);
	printf("%-*s  %6s  %10s  %s\n", w, "NAME", "LAYERS", "SIZE", "CREATED");
	for (size_t i = 0; i < n; i++) {
		char size[16], when[17];

		image_size_str(image_record_size(&v[i]), size);
		short_time(v[i].config.created ? v[i].config.created : v[i].imported, when);
		printf("%-*s  %6zu  %10s  %s\n", w, v[i].name, v[i].n_layers, size, when);
	}
}

int cmd_images(int argc, char **argv)
{
	struct image_record *v = NULL;
	struct store s;
	sb_error err = NULL;
	bool json = false;
	size_t n = 0;

	log_init(false, false);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			images_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
			continue;
		}
		sb_fail(&err, 0, "unknown argument '%s' (see sandbox images --help)", argv[i]);
		return sb_error_report(&err);
	}
	if (store_open(&s, false, &err) < 0 || store_images(&s, false, &v, &n, &err) < 0) {
		store_close(&s);
		return sb_error_report(&err);
	}
	store_close(&s);
	if (json)
		print_json(v, n);
	else
		print_table(v, n);
	store_images_free(v, n);
	return 0;
}

int cmd_rmi(int argc, char **argv)
{
	sb_error err = NULL;
	int first = 1;

	log_init(false, false);
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: sandbox rmi NAME...\n"
		       "\n"
		       "Remove images from the store, and the layers no other image uses.\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (first >= argc) {
		sb_fail(&err, 0, "no image name given (see sandbox rmi --help)");
		return sb_error_report(&err);
	}
	if (image_remove(argv + first, (size_t)(argc - first), &err) < 0)
		return sb_error_report(&err);
	return 0;
}
