/* imgname.c: image name checks and their file names (see imgname.h). */
#include "config.h"
#include "imgname.h"
#include "util.h"

#include <string.h>

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int image_name_check(const char *name, sb_error *err)
{
	const char *colon;
	size_t len = name ? strlen(name) : 0;

	if (len == 0)
		return sb_fail(err, 0, "empty image name");
	if (strcmp(name, "host") == 0)
		return sb_fail(err, 0, "'host' is not an image name: 'sandbox run host' means the "
			       "host's own system"),
		       sb_hint(err, "choose another --name");
	if (len > IMAGE_NAME_MAX)
		return sb_fail(err, 0, "image name '%.40s...' is longer than %d characters",
			       name, IMAGE_NAME_MAX);
	if (strchr(name, '/') != NULL)
		return sb_fail(err, 0, "image name '%s' must not contain '/'", name),
		       sb_hint(err, "use a short name such as 'debian:12'");
	if (strstr(name, "..") != NULL)
		return sb_fail(err, 0, "image name '%s' must not contain '..'", name);
	colon = strchr(name, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return sb_fail(err, 0, "image name '%s' has more than one ':'", name);
	if (!alnum(name[0]))
		return sb_fail(err, 0, "image name '%s' must start with a letter or digit", name);
	if (colon != NULL && (colon[1] == '\0' || !(alnum(colon[1]) || colon[1] == '_')))
		return sb_fail(err, 0, "image name '%s': the tag after ':' must start with a "
			       "letter, digit or '_'", name);
	for (const char *p = name; *p; p++)
		if (p != colon && !name_char(*p))
			return sb_fail(err, 0, "image name '%s' has the character '%c'; only "
				       "letters, digits, '.', '_', '-' and one ':' are allowed",
				       name, *p);
	return 0;
}

char *image_name_to_file(const char *name)
{
	char *f = xasprintf("%s.json", name);
	char *c = strchr(f, ':');

	if (c != NULL)
		*c = '+';
	return f;
}

char *image_file_to_name(const char *file)
{
	size_t len = strlen(file);
	char *name, *plus;

	if (len <= 5 || strcmp(file + len - 5, ".json") != 0)
		return NULL;
	name = xstrdup(file);
	name[len - 5] = '\0';
	plus = strchr(name, '+');
	if (plus != NULL)
		*plus = ':';
	if (image_name_check(name, NULL) < 0) {
		free(name);
		return NULL;
	}
	return name;
}

char *image_name_from_ref(const char *ref)
{
	const char *slash = strrchr(ref, '/');
	char *name = xstrdup(slash ? slash + 1 : ref);
	char *at = strchr(name, '@');

	if (at != NULL)
		*at = '\0';
	if (image_name_check(name, NULL) < 0) {
		free(name);
		return NULL;
	}
	return name;
}

char *image_name_from_path(const char *path)
{
	static const char *const suffixes[] = { ".tar", ".tgz", ".tar.gz", ".tar.zst",
						".tar.xz", ".tar.bz2", ".oci", ".docker" };
	cleanup_free char *copy = xstrdup(path);
	char *base, *name;
	size_t len;

	len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	base = strrchr(copy, '/');
	base = base ? base + 1 : copy;
	name = xstrdup(base);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t n = strlen(name), s = strlen(suffixes[i]);
		if (n > s && strcmp(name + n - s, suffixes[i]) == 0) {
			name[n - s] = '\0';
			break;
		}
	}
	if (image_name_check(name, NULL) < 0) {
		free(name);
		return NULL;
	}
	return name;
}
