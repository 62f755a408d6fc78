/* test-image.c: unit tests of the pure parts of the image store: image
 * names (src/imgname.c), tar entry names and whiteouts (src/tarpath.c),
 * manifests and configs (src/manifest.c), the image record
 * (src/imagerec.c) and digests (src/digest.c). */
#include "config.h"
#include "digest.h"
#include "imagerec.h"
#include "imgname.h"
#include "manifest.h"
#include "tarpath.h"
#include "tap.h"

#include <stdlib.h>

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEX_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static void name_ok(const char *name, const char *file)
{
	sb_error err = NULL;
	char *f = NULL, *back = NULL;
	int r = image_name_check(name, &err);

	if (r == 0) {
		f = image_name_to_file(name);
		back = image_file_to_name(f);
	}
	CHECK(r == 0 && f && strcmp(f, file) == 0 && back && strcmp(back, name) == 0,
	      "name '%s' is valid, file '%s' (got %s)", name, file, err ? err->msg : f);
	free(f);
	free(back);
	sb_error_free(&err);
}

static void name_bad(const char *name, const char *why)
{
	sb_error err = NULL;
	int r = image_name_check(name, &err);

	CHECK(r < 0 && err && strstr(err->msg, why), "name '%s' refused: %s (got '%s')", name,
	      why, err ? err->msg : "(accepted)");
	sb_error_free(&err);
}

static void names(void)
{
	char *s;

	name_ok("demo", "demo.json");
	name_ok("debian:12", "debian+12.json");
	name_ok("my-image_2.0:v1.2-rc_3", "my-image_2.0+v1.2-rc_3.json");
	name_ok("x:_tag", "x+_tag.json");
	name_bad("", "empty");
	name_bad("library/debian", "must not contain '/'");
	name_bad("a..b", "'..'");
	name_bad("..", "'..'");
	name_bad("a:b:c", "more than one ':'");
	name_bad(".hidden", "must start with a letter or digit");
	name_bad("-x", "must start with a letter or digit");
	name_bad("x:", "tag after ':'");
	name_bad("x:.y", "tag after ':'");
	name_bad("a b", "the character ' '");
	name_bad("a+b", "the character '+'");
	name_bad("a\\b", "the character '\\'");
	name_bad("0123456789012345678901234567890123456789012345678901234567890123456789"
		 "012345678901234567890123456789012345678901234567890123456789", "longer than");
	CHECK(image_file_to_name("a+b+c.json") == NULL, "two '+' in a file name: not an image");
	CHECK(image_file_to_name("x.json.tmp") == NULL, "other files: not images");
	CHECK(image_file_to_name(".json") == NULL, "'.json': not an image");
	s = image_name_from_ref("docker.io/library/debian:12");
	CHECK_STR(s, "debian:12", "name from a full reference");
	free(s);
	s = image_name_from_ref("busybox@sha256:" HEX_A);
	CHECK_STR(s, "busybox", "digest dropped from a reference");
	free(s);
	s = image_name_from_path("/srv/images/busybox.tar.gz");
	CHECK_STR(s, "busybox", "name from a .tar.gz path");
	free(s);
	s = image_name_from_path("rootfs.tar.zst");
	CHECK_STR(s, "rootfs", "name from a .tar.zst path");
	free(s);
	s = image_name_from_path("layout/");
	CHECK_STR(s, "layout", "name from a directory");
	free(s);
	CHECK(image_name_from_path("/x/.tar") == NULL, "no name from '.tar'");
}

static void clean_ok(const char *in, const char *want)
{
	sb_error err = NULL;
	char *out = NULL;
	int r = tarpath_clean(in, "entry", &out, &err);

	CHECK(r == 0 && out && strcmp(out, want) == 0, "entry '%s' -> '%s' (got '%s')", in, want,
	      out ? out : err->msg);
	free(out);
	sb_error_free(&err);
}

static void clean_bad(const char *in, const char *why)
{
	sb_error err = NULL;
	char *out = NULL;
	int r = tarpath_clean(in, "entry", &out, &err);

	CHECK(r < 0 && err && strstr(err->msg, why) && (in[0] == '\0' || strstr(err->msg, in)),
	      "entry '%s' refused, named: %s (got '%s')", in, why, err ? err->msg : out);
	free(out);
	sb_error_free(&err);
}

static void link_case(const char *link, const char *target, const char *want)
{
	sb_error err = NULL;
	char *out = NULL;
	int r = tarpath_resolve_link(link, target, &out, &err);

	if (want != NULL)
		CHECK(r == 0 && strcmp(out, want) == 0, "link %s -> %s resolves to %s (got %s)",
		      link, target, want, out ? out : err->msg);
	else
		CHECK(r < 0 && strstr(err->msg, "outside the archive"),
		      "link %s -> %s leaves the archive (got %s)", link, target,
		      err ? err->msg : out);
	free(out);
	sb_error_free(&err);
}

static void paths(void)
{
	char *dir = NULL;
	const char *base;

	clean_ok("./", "");
	clean_ok(".", "");
	clean_ok("./etc/passwd", "etc/passwd");
	clean_ok("usr//bin/", "usr/bin");
	clean_ok("a/./b/.", "a/b");
	clean_ok("..foo/bar..", "..foo/bar..");
	clean_ok(".wh..wh..opq", ".wh..wh..opq");
	clean_bad("../x", "'..' component");
	clean_bad("a/../../x", "'..' component");
	clean_bad("a/..", "'..' component");
	clean_bad("/etc/x", "absolute path");
	clean_bad("//x", "absolute path");
	clean_bad("", "empty name");
	{
		char deep[2 * (TARPATH_MAX_DEPTH + 1) + 1];
		sb_error err = NULL;
		char *out = NULL;
		int r;

		for (size_t i = 0; i < TARPATH_MAX_DEPTH + 1; i++)
			memcpy(deep + 2 * i, "a/", 2);
		deep[2 * TARPATH_MAX_DEPTH + 1] = '\0';   /* 513 components */
		r = tarpath_clean(deep, "entry", &out, &err);
		CHECK(r < 0 && strstr(err->msg, "nested more than 512 levels"),
		      "513 levels refused");
		sb_error_free(&err);
		deep[2 * TARPATH_MAX_DEPTH - 1] = '\0';   /* 512 components */
		r = tarpath_clean(deep, "entry", &out, &err);
		CHECK(r == 0, "512 levels accepted");
		free(out);
	}

	base = tarpath_split("usr/bin/env", &dir);
	CHECK(strcmp(dir, "usr/bin") == 0 && strcmp(base, "env") == 0, "split usr/bin/env");
	free(dir);
	base = tarpath_split("top", &dir);
	CHECK(strcmp(dir, "") == 0 && strcmp(base, "top") == 0, "split a top-level name");
	free(dir);

	link_case("a/layer.tar", "../b/layer.tar", "b/layer.tar");
	link_case("a/layer.tar", "./x", "a/x");
	link_case("top", "other", "other");
	link_case("a/layer.tar", "../../etc/passwd", NULL);
	link_case("a/layer.tar", "/etc/passwd", NULL);
}

static void wh_case(const char *base, enum whiteout_kind want, const char *hidden,
		    const char *why)
{
	sb_error err = NULL;
	enum whiteout_kind k;
	const char *h = NULL;
	int r = whiteout_parse(base, &k, &h, &err);

	if (why != NULL)
		CHECK(r < 0 && strstr(err->msg, why) && strstr(err->msg, base),
		      "'%s' refused: %s (got %s)", base, why, err ? err->msg : "accepted");
	else
		CHECK(r == 0 && k == want && (hidden == NULL ? h == NULL : strcmp(h, hidden) == 0),
		      "'%s' is whiteout kind %d hiding '%s'", base, want, hidden ? hidden : "");
	sb_error_free(&err);
}

static void whiteouts(void)
{
	wh_case("file", WHITEOUT_NONE, NULL, NULL);
	wh_case(".whfile", WHITEOUT_NONE, NULL, NULL);
	wh_case(".wh.file", WHITEOUT_FILE, "file", NULL);
	wh_case(".wh..hidden", WHITEOUT_FILE, ".hidden", NULL);
	wh_case(".wh..wh..opq", WHITEOUT_OPAQUE, NULL, NULL);
	wh_case(".wh.", 0, NULL, "bad whiteout name");
	wh_case(".wh..", 0, NULL, "bad whiteout name");
	wh_case(".wh...", 0, NULL, "bad whiteout name");
	wh_case(".wh..wh.plnk", 0, NULL, "unsupported whiteout metadata");
}

static void docker(void)
{
	struct docker_manifest m;
	sb_error err = NULL;
	int r;

	r = docker_manifest_parse("[{\"Config\":\"" HEX_A ".json\",\"RepoTags\":[\"demo:1\"],"
				  "\"Layers\":[\"x/layer.tar\",\"y/layer.tar\"]}]", &m, &err);
	CHECK(r == 0 && strcmp(m.config, HEX_A ".json") == 0 && m.n_layers == 2 &&
	      strcmp(m.layers[1], "y/layer.tar") == 0 && strcmp(m.repo_tag, "demo:1") == 0,
	      "docker manifest parsed");
	docker_manifest_free(&m);
	r = docker_manifest_parse("[{\"Config\":\"c.json\",\"Layers\":[]}]", &m, &err);
	CHECK(r == 0 && m.n_layers == 0 && m.repo_tag == NULL, "no RepoTags, no layers");
	docker_manifest_free(&m);
	r = docker_manifest_parse("[]", &m, &err);
	CHECK(r < 0 && strstr(err->msg, "lists 0 images"), "empty manifest refused");
	sb_error_free(&err);
	r = docker_manifest_parse("[{\"Config\":\"c\",\"Layers\":[\"a\"]},{}]", &m, &err);
	CHECK(r < 0 && strstr(err->msg, "lists 2 images"), "two images refused");
	sb_error_free(&err);
	r = docker_manifest_parse("[{\"Config\":1,\"Layers\":[]}]", &m, &err);
	CHECK(r < 0 && strstr(err->msg, "'Config' is not a string"), "bad Config type");
	sb_error_free(&err);
	r = docker_manifest_parse("[{\"Config\":\"c\",\"Layers\":[1]}]", &m, &err);
	CHECK(r < 0 && strstr(err->msg, "'Layers' holds something that is not a string"),
	      "bad Layers entry");
	sb_error_free(&err);
	r = docker_manifest_parse("[{\"Layers\":[]}]", &m, &err);
	CHECK(r < 0 && strstr(err->msg, "no 'Config'"), "missing Config");
	sb_error_free(&err);
	r = docker_manifest_parse("[{\"Config\":", &m, &err);
	CHECK(r < 0 && strstr(err->msg, "not valid JSON"), "truncated JSON");
	sb_error_free(&err);
}

static void oci(void)
{
	struct oci_desc d;
	struct oci_manifest m;
	sb_error err = NULL;
	int r;

	r = oci_index_pick("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
			   "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
			   HEX_A "\",\"size\":401,\"annotations\":{\"org.opencontainers.image."
			   "ref.name\":\"tag\"}}]}", "amd64", &d, &err);
	CHECK(r == 0 && strcmp(d.digest, "sha256:" HEX_A) == 0 && d.size == 401 &&
	      strcmp(d.ref_name, "tag") == 0 && !d.is_index, "index with one manifest");
	oci_desc_free(&d);
	r = oci_index_pick("{\"manifests\":[{\"digest\":\"sha256:" HEX_A "\",\"platform\":"
			   "{\"architecture\":\"arm64\",\"os\":\"linux\"}},{\"digest\":\"sha256:"
			   HEX_B "\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}",
			   "amd64", &d, &err);
	CHECK(r == 0 && strcmp(d.digest, "sha256:" HEX_B) == 0, "index: platform picked");
	oci_desc_free(&d);
	r = oci_index_pick("{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index."
			   "v1+json\",\"digest\":\"sha256:" HEX_A "\"}]}", "amd64", &d, &err);
	CHECK(r == 0 && d.is_index, "nested index recognised");
	oci_desc_free(&d);
	r = oci_index_pick("{\"manifests\":[{\"digest\":\"sha256:" HEX_A "\"},{\"digest\":"
			   "\"sha256:" HEX_B "\"}]}", "amd64", &d, &err);
	CHECK(r < 0 && strstr(err->msg, "lists 2 images"), "two images refused");
	sb_error_free(&err);
	r = oci_index_pick("{\"manifests\":[{\"digest\":\"sha512:abc\"}]}", "amd64", &d, &err);
	CHECK(r < 0 && strstr(err->msg, "unsupported digest 'sha512:abc'"), "sha512 refused");
	sb_error_free(&err);
	r = oci_index_pick("{\"manifests\":[{\"digest\":\"sha256:" HEX_A "\",\"size\":-1}]}",
			   "amd64", &d, &err);
	CHECK(r < 0 && strstr(err->msg, "bad size"), "negative size refused");
	sb_error_free(&err);
	r = oci_index_pick("{\"manifests\":[{\"digest\":\"sha256:" HEX_A "\",\"platform\":"
			   "{\"architecture\":\"s390x\"}}]}", "amd64", &d, &err);
	CHECK(r < 0 && strstr(err->msg, "no image for this machine"), "no image for amd64");
	sb_error_free(&err);

	r = oci_manifest_parse("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
			       "vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" HEX_A "\","
			       "\"size\":200},\"layers\":[{\"mediaType\":\"application/vnd.oci."
			       "image.layer.v1.tar+gzip\",\"digest\":\"sha256:" HEX_B "\",\"size\":"
			       "408},{\"digest\":\"sha256:" HEX_C "\"}]}", &m, &err);
	CHECK(r == 0 && strcmp(m.config.digest, "sha256:" HEX_A) == 0 && m.n_layers == 2 &&
	      m.layers[0].size == 408 && m.layers[1].size == -1 &&
	      strcmp(m.layers[1].digest, "sha256:" HEX_C) == 0, "image manifest parsed");
	oci_manifest_free(&m);
	r = oci_manifest_parse("{\"config\":{\"digest\":\"sha256:" HEX_A "\"}}", &m, &err);
	CHECK(r < 0 && strstr(err->msg, "no 'layers' list"), "manifest without layers");
	sb_error_free(&err);
	r = oci_manifest_parse("{\"layers\":[]}", &m, &err);
	CHECK(r < 0 && strstr(err->msg, "not an object"), "manifest without config");
	sb_error_free(&err);
	CHECK(strcmp(oci_arch_name("x86_64"), "amd64") == 0 &&
	      strcmp(oci_arch_name("aarch64"), "arm64") == 0 &&
	      strcmp(oci_arch_name("mips"), "mips") == 0, "architecture names");
}

static void config(void)
{
	struct image_config c;
	char **ids = NULL;
	sb_error err = NULL;
	int r;

	r = image_config_parse("{\"created\":\"2024-06-01T12:00:00Z\",\"config\":{\"Entrypoint\":"
			       "[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"],\"Env\":[\"PATH=/bin\"],"
			       "\"WorkingDir\":\"/w\",\"User\":\"1000:1000\"},\"rootfs\":{\"type\":"
			       "\"layers\",\"diff_ids\":[\"sha256:" HEX_A "\"]}}", &c, &ids, &err);
	CHECK(r == 0 && strcmp(c.entrypoint[1], "-c") == 0 && c.entrypoint[2] == NULL &&
	      strcmp(c.cmd[0], "echo hi") == 0 && strcmp(c.env[0], "PATH=/bin") == 0 &&
	      strcmp(c.workdir, "/w") == 0 && strcmp(c.user, "1000:1000") == 0 &&
	      strcmp(c.created, "2024-06-01T12:00:00Z") == 0 && ids && ids[1] == NULL &&
	      strcmp(ids[0], "sha256:" HEX_A) == 0, "config parsed");
	image_config_free(&c);
	strv_free(ids);
	r = image_config_parse("{\"config\":{\"Cmd\":null,\"Entrypoint\":[]}}", &c, &ids, &err);
	CHECK(r == 0 && c.cmd == NULL && c.entrypoint && c.entrypoint[0] == NULL && ids == NULL,
	      "null Cmd is unset, [] Entrypoint is set and empty");
	image_config_free(&c);
	r = image_config_parse("{\"config\":{\"Cmd\":\"sh\"}}", &c, &ids, &err);
	CHECK(r < 0 && strstr(err->msg, "'Cmd' is not a list"), "string Cmd refused");
	sb_error_free(&err);
	r = image_config_parse("{\"rootfs\":{\"diff_ids\":[\"md5:x\"]}}", &c, &ids, &err);
	CHECK(r < 0 && strstr(err->msg, "unsupported diff id 'md5:x'"), "bad diff id refused");
	sb_error_free(&err);
	r = image_config_parse("[1]", &c, &ids, &err);
	CHECK(r < 0 && strstr(err->msg, "not an object"), "non-object config refused");
	sb_error_free(&err);
}

static void record(void)
{
	char *env[] = { "A=1", "B=two words", NULL };
	char *cmd[] = { NULL };
	struct image_layer layers[2] = { { "sha256:" HEX_A, 10 }, { "sha256:" HEX_B, 2000 } };
	struct image_record r = { .name = "debian:12", .format = "oci-layout",
				  .source_digest = "sha256:" HEX_C,
				  .imported = "2024-01-01T00:00:00Z", .layers = layers,
				  .n_layers = 2, .config = { .env = env, .cmd = cmd,
							     .workdir = "/" } };
	struct image_record back;
	sb_error err = NULL;
	char *json = image_record_to_json(&r);
	char size[16];
	int rc = image_record_from_json(json, "test", &back, &err);

	CHECK(rc == 0 && strcmp(back.name, "debian:12") == 0 && back.n_layers == 2 &&
	      back.layers[1].size == 2000 && strcmp(back.layers[0].diffid, "sha256:" HEX_A) == 0 &&
	      strcmp(back.format, "oci-layout") == 0 && strcmp(back.config.env[1], "B=two words") == 0 &&
	      back.config.cmd && back.config.cmd[0] == NULL && back.config.entrypoint == NULL &&
	      strcmp(back.config.workdir, "/") == 0 && back.config.user == NULL,
	      "record survives JSON and back");
	CHECK(image_record_size(&back) == 2010, "record size is the sum of its layers");
	image_record_free(&back);
	free(json);
	rc = image_record_from_json("{\"name\":\"x\",\"layers\":[{\"diffid\":\"nope\"}]}", "f",
				    &back, &err);
	CHECK(rc < 0 && strstr(err->msg, "no valid diffid"), "record with a bad diffid refused");
	sb_error_free(&err);
	rc = image_record_from_json("{", "images/x.json", &back, &err);
	CHECK(rc < 0 && strstr(err->msg, "images/x.json"), "broken record named");
	sb_error_free(&err);
	image_size_str(999, size);
	CHECK_STR(size, "999 B", "size in bytes");
	image_size_str(104857600, size);
	CHECK_STR(size, "104.9 MB", "size in MB");
}

static void digests(void)
{
	digest_str d;
	sb_error err = NULL;

	CHECK(sha256_buf("abc", 3, d, &err) == 0 &&
	      strcmp(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
	      "sha256 of 'abc'");
	CHECK(digest_valid("sha256:" HEX_A), "valid digest");
	CHECK(!digest_valid("sha256:" HEX_A "a"), "too long");
	CHECK(!digest_valid("sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
	      "upper case refused");
	CHECK(!digest_valid("sha512:" HEX_A), "other algorithms refused");
	CHECK(strcmp(digest_hex("sha256:" HEX_B), HEX_B) == 0, "hex part");
}

int main(void)
{
	names();
	paths();
	whiteouts();
	docker();
	oci();
	config();
	record();
	digests();
	return tap_done();
}
