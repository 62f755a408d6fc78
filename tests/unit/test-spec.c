/* test-spec.c: unit tests of `sandbox run` option parsing (src/spec.c). */
#include "config.h"
#include "spec.h"
#include "tap.h"

#include <stdarg.h>

#define ARGS(...) ((char *[]){ __VA_ARGS__, NULL })
#define NARGS(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(spec, err, ...) spec_parse_run(spec, NARGS(__VA_ARGS__), ARGS(__VA_ARGS__), err)

static void refuse(const char *msg, int argc, char **argv)
{
	struct run_spec s;
	sb_error err = NULL;
	int r = spec_parse_run(&s, argc, argv, &err);
	CHECK(r < 0 && err && strstr(err->msg, msg), "refused: %s (got '%s')", msg,
	      err ? err->msg : "accepted");
	spec_free(&s);
	sb_error_free(&err);
}
#define REFUSE(msg, ...) refuse(msg, NARGS(__VA_ARGS__), ARGS(__VA_ARGS__))

int main(void)
{
	struct run_spec s;
	sb_error err = NULL;
	int r;

	r = PARSE(&s, &err, "--rootfs", "/r", "--bind", "/a", "/b//c/", "--ro-bind=x", "/d");
	CHECK(r < 0 && err && strstr(err->msg, "does not take '=VALUE'"), "two-arg option refuses =");
	spec_free(&s);
	sb_error_free(&err);

	r = PARSE(&s, &err, "--rootfs", "/r", "--bind", "/a", "/b//c/", "--ro-bind", "x", "/d",
		  "--tmpfs=/t", "--chdir", "/w", "--setenv", "A", "1", "--keep-env", "TERM",
		  "--uid", "1000", "--gid", "100", "--hostname", "box", "--verbose", "ls", "-l");
	CHECK(r == 0, "full command line parses");
	CHECK(s.root == ROOT_DIR && strcmp(s.rootfs, "/r") == 0 && !s.rootfs_rw, "rootfs");
	CHECK(s.n_mounts == 3 && s.mounts[0].kind == MNT_BIND && strcmp(s.mounts[0].dest, "/b/c") == 0 &&
	      s.mounts[1].kind == MNT_RO_BIND && s.mounts[2].kind == MNT_TMPFS &&
	      strcmp(s.mounts[2].dest, "/t") == 0 && s.mounts[2].src == NULL, "mounts in order");
	CHECK(s.n_env == 2 && strcmp(s.env[0].value, "1") == 0 && s.env[1].value == NULL, "env ops");
	CHECK(s.uid_set && s.uid == 1000 && s.gid == 100, "ids");
	CHECK_STR(s.hostname, "box", "hostname");
	CHECK(s.verbose, "verbose");
	CHECK(s.argv && strcmp(s.argv[0], "ls") == 0 && strcmp(s.argv[1], "-l") == 0 && !s.argv[2],
	      "command");
	spec_free(&s);

	r = PARSE(&s, &err, "host", "--", "--weird", "arg");
	CHECK(r == 0 && s.root == ROOT_HOST && strcmp(s.argv[0], "--weird") == 0, "host image, -- ends");
	spec_free(&s);
	r = PARSE(&s, &err, "--rootfs", "/r", "--", "-x");
	CHECK(r == 0 && strcmp(s.argv[0], "-x") == 0, "-- before a dashed command");
	spec_free(&s);
	r = PARSE(&s, &err, "--rootfs", "/r", "host");
	CHECK(r == 0 && s.root == ROOT_DIR && strcmp(s.argv[0], "host") == 0,
	      "with --rootfs, 'host' is the command");
	spec_free(&s);
	r = PARSE(&s, &err, "--help");
	CHECK(r == 0 && s.help, "--help");
	spec_free(&s);

	REFUSE("unknown option '--bnid'", "--bnid", "/a", "/b", "host", "ls");
	REFUSE("unknown option '--nope'", "--nope=1", "host", "ls");
	REFUSE("unknown option '-x'", "-x", "host", "ls");
	REFUSE("needs 2 arguments", "--bind", "/a");
	REFUSE("--bind destination 'rel' must be an absolute path", "--bind", "/a", "rel", "host", "ls");
	REFUSE("must not contain '..'", "--tmpfs", "/a/../b", "host", "ls");
	REFUSE("--uid: 'x' is not a valid id", "--uid", "x", "host", "ls");
	REFUSE("--gid: '4294967295' is not a valid id", "--gid", "4294967295", "host", "ls");
	REFUSE("--hostname", "--hostname", "a b", "host", "ls");
	REFUSE("--setenv: invalid variable name 'A=B'", "--setenv", "A=B", "1", "host", "ls");
	r = PARSE(&s, &err, "debian", "ls", "-l");
	CHECK(r == 0 && s.root == ROOT_IMAGE && strcmp(s.image, "debian") == 0 &&
	      strcmp(s.argv[0], "ls") == 0, "an image and its command");
	spec_free(&s);
	r = PARSE(&s, &err, "--name", "box", "--keep", "debian");
	CHECK(r == 0 && s.root == ROOT_IMAGE && s.keep && strcmp(s.name, "box") == 0 && s.argv[0] == NULL,
	      "an image with no command: the image's own");
	spec_free(&s);
	REFUSE("--keep needs --name NAME", "--keep", "debian");
	REFUSE("--read-only is for images", "--read-only", "host", "ls");
	REFUSE("--name: 'a/b' must be", "--name", "a/b", "debian");
	refuse("no root file system given", 0, (char *[]){ NULL });
	REFUSE("no command given", "host");
	REFUSE("no command given", "--rootfs", "/r");
	REFUSE("--rootfs-rw needs --rootfs", "--rootfs-rw", "host", "ls");
	REFUSE("empty source path", "--bind", "", "/x", "host", "ls");
	return tap_done();
}
