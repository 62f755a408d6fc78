/* test-env.c: unit tests of the command's environment (src/exec.c). */
#include "config.h"
#include "exec.h"
#include "tap.h"

#include <stdlib.h>

static const char *get(char **env, const char *key)
{
	size_t kl = strlen(key);
	for (; *env; env++)
		if (strncmp(*env, key, kl) == 0 && (*env)[kl] == '=')
			return *env + kl + 1;
	return NULL;
}

int main(void)
{
	char *host[] = { "PATH=/host/bin", "HOME=/home/ana", "TERM=xterm", "LC_TIME=C",
			 "SECRET_TOKEN=x", "DISPLAY=:0", "FOO=bar", NULL };
	struct env_op ops[] = { { "FOO", NULL }, { "NEW", "v" }, { "PATH", "/p" }, { "MISSING", NULL } };
	struct run_spec s = { .env = ops, .n_env = 4 };
	char *img[] = { "PATH=/img/bin", "LANG=img", "BAD", NULL };
	char **e = payload_environ(&s, NULL, "/root", host);

	CHECK_STR(get(e, "PATH"), "/p", "--setenv overrides PATH");
	CHECK_STR(get(e, "HOME"), "/root", "HOME is /root for uid 0");
	CHECK_STR(get(e, "TERM"), "xterm", "TERM passes");
	CHECK_STR(get(e, "LC_TIME"), "C", "LC_* passes");
	CHECK_STR(get(e, "container"), "sandbox", "container=sandbox");
	CHECK(get(e, "SECRET_TOKEN") == NULL && get(e, "DISPLAY") == NULL, "others do not pass");
	CHECK_STR(get(e, "FOO"), "bar", "--keep-env passes one");
	CHECK_STR(get(e, "NEW"), "v", "--setenv adds");
	CHECK(get(e, "MISSING") == NULL, "--keep-env of an unset variable adds nothing");
	for (char **p = e; *p; p++)
		free(*p);
	free(e);

	s = (struct run_spec){ .uid = 1000 };
	e = payload_environ(&s, NULL, "/", host);
	CHECK_STR(get(e, "HOME"), "/", "HOME is / for other uids");
	CHECK_STR(get(e, "PATH"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		  "default PATH");
	for (char **p = e; *p; p++)
		free(*p);
	free(e);

	struct env_op keep_lang[] = { { "LANG", NULL } };
	char *host2[] = { "LANG=host", NULL };
	s = (struct run_spec){ .env = keep_lang, .n_env = 1 };
	e = payload_environ(&s, img, "/home/x", host2);
	CHECK_STR(get(e, "PATH"), "/img/bin", "the image's Env overrides the defaults");
	CHECK_STR(get(e, "HOME"), "/home/x", "HOME as given");
	CHECK_STR(get(e, "LANG"), "host", "--keep-env applies after the image's Env");
	CHECK(get(e, "BAD") == NULL, "an entry without '=' is ignored");
	for (char **p = e; *p; p++)
		free(*p);
	free(e);
	return tap_done();
}
