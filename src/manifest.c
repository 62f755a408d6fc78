/* manifest.c: parsing of docker-save and OCI image documents (see
 * manifest.h). Every field is checked for its JSON type; an unexpected
 * shape is refused with the field's name rather than guessed at. */
#include "config.h"
#include "manifest.h"
#include "util.h"

#include <json-c/json.h>
#include <string.h>

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define REF_NAME "org.opencontainers.image.ref.name"

static void json_putp(json_object **o)
{
	json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(json_putp)))

static int parse(const char *json, const char *what, json_object **out, sb_error *err)
{
	enum json_tokener_error jerr = json_tokener_success;

	*out = json_tokener_parse_verbose(json, &jerr);
	if (*out == NULL)
		return sb_fail(err, 0, "%s is not valid JSON: %s", what,
			       json_tokener_error_desc(jerr));
	return 0;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

/* Optional string field: *out NULL when absent. */
static int get_str(json_object *o, const char *key, const char *what, char **out,
		   sb_error *err)
{
	json_object *v = get(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return sb_fail(err, 0, "%s: '%s' is not a string", what, key);
	*out = xstrdup(json_object_get_string(v));
	return 0;
}

/* Optional array of strings: NULL-terminated vector, NULL when absent. */
static int get_strv(json_object *o, const char *key, const char *what, char ***out,
		    sb_error *err)
{
	json_object *v = get(o, key);
	size_t n;
	char **r;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return sb_fail(err, 0, "%s: '%s' is not a list", what, key);
	n = json_object_array_length(v);
	r = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (!json_object_is_type(s, json_type_string)) {
			strv_free(r);
			return sb_fail(err, 0, "%s: '%s' holds something that is not a string",
				       what, key);
		}
		r[i] = xstrdup(json_object_get_string(s));
	}
	*out = r;
	return 0;
}

static size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

int docker_manifest_parse(const char *json, struct docker_manifest *m, sb_error *err)
{
	cleanup_json json_object *root = NULL;
	json_object *img;
	char **tags = NULL;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (parse(json, "manifest.json", &root, err) < 0)
		return -1;
	if (!json_object_is_type(root, json_type_array))
		return sb_fail(err, 0, "manifest.json is not a list of images");
	n = json_object_array_length(root);
	if (n != 1)
		return sb_fail(err, 0, "manifest.json lists %zu images; sandbox imports one "
			       "image at a time", n),
		       sb_hint(err, "save one image per archive");
	img = json_object_array_get_idx(root, 0);
	if (get_str(img, "Config", "manifest.json", &m->config, err) < 0 ||
	    get_strv(img, "Layers", "manifest.json", &m->layers, err) < 0 ||
	    get_strv(img, "RepoTags", "manifest.json", &tags, err) < 0) {
		docker_manifest_free(m);
		return -1;
	}
	if (tags != NULL && tags[0] != NULL)
		m->repo_tag = xstrdup(tags[0]);
	strv_free(tags);
	if (m->config == NULL || m->layers == NULL) {
		const char *missing = m->config == NULL ? "Config" : "Layers";
		docker_manifest_free(m);
		return sb_fail(err, 0, "manifest.json: the image has no '%s'", missing);
	}
	m->n_layers = strv_len(m->layers);
	return 0;
}

void docker_manifest_free(struct docker_manifest *m)
{
	free(m->config);
	strv_free(m->layers);
	free(m->repo_tag);
	memset(m, 0, sizeof(*m));
}

static int desc_parse(json_object *o, const char *what, struct oci_desc *d, sb_error *err)
{
	json_object *size = get(o, "size");
	cleanup_free char *digest = NULL;

	memset(d, 0, sizeof(*d));
	d->size = -1;
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return sb_fail(err, 0, "%s: a descriptor is not an object", what);
	if (get_str(o, "digest", what, &digest, err) < 0 ||
	    get_str(o, "mediaType", what, &d->media_type, err) < 0 ||
	    get_str(get(o, "annotations"), REF_NAME, what, &d->ref_name, err) < 0) {
		oci_desc_free(d);
		return -1;
	}
	if (digest == NULL) {
		oci_desc_free(d);
		return sb_fail(err, 0, "%s: a descriptor has no digest", what);
	}
	if (!digest_valid(digest)) {
		oci_desc_free(d);
		return sb_fail(err, 0, "%s: unsupported digest '%s' (sandbox reads sha256 "
			       "digests)", what, digest);
	}
	memcpy(d->digest, digest, sizeof(d->digest));
	if (size != NULL) {
		if (!json_object_is_type(size, json_type_int) || json_object_get_int64(size) < 0) {
			oci_desc_free(d);
			return sb_fail(err, 0, "%s: descriptor %s has a bad size", what, digest);
		}
		d->size = json_object_get_int64(size);
	}
	d->is_index = d->media_type != NULL && (strcmp(d->media_type, MT_OCI_INDEX) == 0 ||
						strcmp(d->media_type, MT_DOCKER_LIST) == 0);
	return 0;
}

int oci_index_pick(const char *json, const char *arch, struct oci_desc *out, sb_error *err)
{
	cleanup_json json_object *root = NULL;
	json_object *list;
	size_t n, found = 0;

	memset(out, 0, sizeof(*out));
	if (parse(json, "index.json", &root, err) < 0)
		return -1;
	list = get(root, "manifests");
	if (list == NULL || !json_object_is_type(list, json_type_array))
		return sb_fail(err, 0, "index.json has no 'manifests' list");
	n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(list, i);
		json_object *plat = get(o, "platform");
		json_object *a = get(plat, "architecture");
		struct oci_desc d;

		if (a != NULL && json_object_is_type(a, json_type_string) &&
		    strcmp(json_object_get_string(a), arch) != 0)
			continue;
		if (desc_parse(o, "index.json", &d, err) < 0) {
			oci_desc_free(out);
			return -1;
		}
		if (found++ == 0) {
			*out = d;
			continue;
		}
		oci_desc_free(&d);
	}
	if (found == 0)
		return sb_fail(err, 0, "index.json lists no image for this machine (%s)", arch);
	if (found > 1) {
		oci_desc_free(out);
		return sb_fail(err, 0, "index.json lists %zu images for this machine; sandbox "
			       "imports one image at a time", found),
		       sb_hint(err, "copy one image into its own layout, e.g. with skopeo");
	}
	return 0;
}

int oci_manifest_parse(const char *json, struct oci_manifest *m, sb_error *err)
{
	cleanup_json json_object *root = NULL;
	json_object *layers;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (parse(json, "the image manifest", &root, err) < 0)
		return -1;
	if (desc_parse(get(root, "config"), "the image manifest's config", &m->config, err) < 0)
		return -1;
	layers = get(root, "layers");
	if (layers == NULL || !json_object_is_type(layers, json_type_array)) {
		oci_manifest_free(m);
		return sb_fail(err, 0, "the image manifest has no 'layers' list");
	}
	n = json_object_array_length(layers);
	m->layers = xcalloc(n, sizeof(*m->layers));
	for (size_t i = 0; i < n; i++) {
		if (desc_parse(json_object_array_get_idx(layers, i), "the image manifest's layers",
			       &m->layers[i], err) < 0) {
			oci_manifest_free(m);
			return -1;
		}
		m->n_layers = i + 1;
	}
	return 0;
}

void oci_desc_free(struct oci_desc *d)
{
	free(d->media_type);
	free(d->ref_name);
	d->media_type = d->ref_name = NULL;
}

void oci_manifest_free(struct oci_manifest *m)
{
	oci_desc_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		oci_desc_free(&m->layers[i]);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

int image_config_parse(const char *json, struct image_config *c, char ***diff_ids,
		       sb_error *err)
{
	cleanup_json json_object *root = NULL;
	json_object *cfg;
	const char *what = "the image config";

	memset(c, 0, sizeof(*c));
	*diff_ids = NULL;
	if (parse(json, what, &root, err) < 0)
		return -1;
	if (!json_object_is_type(root, json_type_object))
		return sb_fail(err, 0, "%s is not an object", what);
	cfg = get(root, "config");
	if (cfg != NULL && !json_object_is_type(cfg, json_type_object))
		return sb_fail(err, 0, "%s: 'config' is not an object", what);
	if (get_strv(cfg, "Entrypoint", what, &c->entrypoint, err) < 0 ||
	    get_strv(cfg, "Cmd", what, &c->cmd, err) < 0 ||
	    get_strv(cfg, "Env", what, &c->env, err) < 0 ||
	    get_str(cfg, "WorkingDir", what, &c->workdir, err) < 0 ||
	    get_str(cfg, "User", what, &c->user, err) < 0 ||
	    get_str(root, "created", what, &c->created, err) < 0 ||
	    get_strv(get(root, "rootfs"), "diff_ids", what, diff_ids, err) < 0) {
		image_config_free(c);
		return -1;
	}
	for (size_t i = 0; *diff_ids != NULL && (*diff_ids)[i] != NULL; i++) {
		if (!digest_valid((*diff_ids)[i])) {
			sb_fail(err, 0, "%s: unsupported diff id '%s' (sandbox reads sha256 "
				"digests)", what, (*diff_ids)[i]);
			image_config_free(c);
			strv_free(*diff_ids);
			*diff_ids = NULL;
			return -1;
		}
	}
	return 0;
}

const char *oci_arch_name(const char *machine)
{
	static const char *const map[][2] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i386", "386" },
		{ "i686", "386" },     { "armv7l", "arm" },    { "armv6l", "arm" },
		{ "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(machine, map[i][0]) == 0)
			return map[i][1];
	return machine;
}
