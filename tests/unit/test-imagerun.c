/* test-imagerun.c: unit tests of what running an image takes from its
 * config: the command (src/image_run.c) and the User lookup in the image's
 * own passwd and group files (src/passwd.c). */
#include "config.h"
#include "image_run.h"
#include "passwd.h"
#include "tap.h"

#include <stdlib.h>

static const char *pw = "root:x:0:0:root:/root:/bin/sh\n"
			"app:x:1000:1001::/home/app:/bin/sh\n"
			"# a comment\n"
			"nohome:x:1002:1002:::/bin/sh\n";
static const char *gr = "root:x:0:\nstaff:x:50:\napp:x:1001:\n";

static char *joined(char **v)
{
	char *s = calloc(1, 512);
	for (size_t i = 0, n = 0; v && v[i] && n < 500; i++)
		n += (size_t)snprintf(s + n, 512 - n, "%s%s", i ? "|" : "", v[i]);
	return s;
}

static void argv_case(char **ep, char **cmd, char **args, const char *want)
{
	struct image_config c = { .entrypoint = ep, .cmd = cmd };
	char **out = NULL, *j;
	sb_error err = NULL;
	int r = image_argv(&c, args, &out, &err);

	j = r == 0 ? joined(out) : strdup(err->msg);
	CHECK_STR(j, want, "argv: %s", want);
	free(j);
	for (char **p = out; p && *p; p++)
		free(*p);
	free(out);
	sb_error_free(&err);
}

static void user_case(const char *user, int uid, int gid, const char *home)
{
	struct user_ids u;
	sb_error err = NULL;
	int r = passwd_resolve(user, pw, gr, &u, &err);

	CHECK(r == 0 && (int)u.uid == uid && (int)u.gid == gid &&
	      ((home == NULL && u.home == NULL) || (home && u.home && strcmp(home, u.home) == 0)),
	      "user '%s' -> %d:%d %s", user, uid, gid, home ? home : "(no home)");
	free(u.home);
	sb_error_free(&err);
}

static void user_bad(const char *user, const char *msg)
{
	struct user_ids u;
	sb_error err = NULL;
	int r = passwd_resolve(user, pw, gr, &u, &err);

	CHECK(r < 0 && err && strstr(err->msg, msg), "user '%s' refused: %s", user, msg);
	sb_error_free(&err);
}

int main(void)
{
	argv_case(NULL, (char *[]){ "sh", NULL }, (char *[]){ NULL }, "sh");
	argv_case(NULL, (char *[]){ "sh", NULL }, (char *[]){ "ls", "-l", NULL }, "ls|-l");
	argv_case((char *[]){ "/bin/echo", "ep", NULL }, (char *[]){ "default", NULL },
		  (char *[]){ NULL }, "/bin/echo|ep|default");
	argv_case((char *[]){ "/bin/echo", "ep", NULL }, (char *[]){ "default", NULL },
		  (char *[]){ "x", NULL }, "/bin/echo|ep|x");
	argv_case((char *[]){ "/entry", NULL }, NULL, NULL, "/entry");
	argv_case(NULL, NULL, (char *[]){ NULL }, "no command given, and the image has no Cmd or Entrypoint");

	user_case("app", 1000, 1001, "/home/app");
	user_case("1000", 1000, 1001, "/home/app");
	user_case("4242", 4242, 4242, NULL);
	user_case("app:staff", 1000, 50, "/home/app");
	user_case("app:77", 1000, 77, "/home/app");
	user_case("root", 0, 0, "/root");
	user_case("nohome", 1002, 1002, "");
	user_bad("ghost", "'ghost' is not in the image's /etc/passwd");
	user_bad("app:nogroup", "'nogroup' is not in the image's /etc/group");
	user_bad(":50", "has no user part");
	{
		struct user_ids u;
		sb_error err = NULL;
		CHECK(passwd_resolve("app", NULL, NULL, &u, &err) < 0, "a name needs a passwd file");
		sb_error_free(&err);
		CHECK(passwd_resolve("5", NULL, NULL, &u, &err) == 0 && u.uid == 5 && u.gid == 5,
		      "a number needs none");
		free(u.home);
	}
	return tap_done();
}
