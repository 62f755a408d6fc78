/* profile.c: finding, reading, expanding and applying profiles (see
 * profile.h). A profile line goes through the same option table as the
 * command line (spec_apply_option), so the two share one vocabulary. Every
 * error names the profile and the line. */
#include "config.h"
#include "profile.h"
#include "runtime.h"
#include "spec.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>

#define MAX_DEPTH 16
#define SYSTEM_PROFILES "/etc/sandbox/profiles"

struct source {
	char *name;     /* as named */
	char *where;    /* file path, or "built in" */
	char *text;
};

static void source_free(struct source *s)
{
	free(s->name);
	free(s->where);
	free(s->text);
}

static char *user_dir(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (x != NULL && x[0] == '/')
		return xasprintf("%s/sandbox/profiles", x);
	if (home == NULL || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	return home ? xasprintf("%s/.config/sandbox/profiles", home) : NULL;
}

static bool name_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '.')
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			return false;
	return true;
}

static int locate(const char *name, struct source *out, sb_error *err)
{
	cleanup_free char *udir = user_dir();
	const char *dirs[] = { udir, SYSTEM_PROFILES, PKGDATADIR "/profiles" };

	memset(out, 0, sizeof(*out));
	out->name = xstrdup(name);
	if (strchr(name, '/') != NULL) {
		out->where = xstrdup(name);
		if (read_file_at(AT_FDCWD, name, &out->text, NULL, err) < 0)
			return sb_wrap(err, "profile");
		return 0;
	}
	if (!name_ok(name))
		return sb_fail(err, 0, "profile name '%s' may contain only letters, digits, "
			       "'-', '_' and '.'", name);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		cleanup_free char *p = NULL;
		if (dirs[i] == NULL)
			continue;
		p = xasprintf("%s/%s.profile", dirs[i], name);
		if (read_file_at(AT_FDCWD, p, &out->text, NULL, NULL) == 0) {
			out->where = steal_ptr(&p);
			return 0;
		}
		if (errno != ENOENT && errno != ENOTDIR)
			return sb_fail(err, errno, "profile '%s'", p);
	}
	for (unsigned i = 0; i < n_builtin_profiles; i++) {
		if (strcmp(builtin_profiles[i].name, name) == 0) {
			out->where = xstrdup("built in");
			out->text = xstrdup(builtin_profiles[i].text);
			return 0;
		}
	}
	return sb_fail(err, 0, "no profile named '%s'", name),
	       sb_hint(err, "'sandbox profiles' lists them");
}

void profile_free_words(char **words)
{
	for (char **w = words; w && *w; w++)
		free(*w);
	free(words);
}

struct strbuf {
	char *s;
	size_t n, cap;
};

static void sb_putc(struct strbuf *b, char c)
{
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s = xrealloc(b->s, b->cap, 1);
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
}

static const char *var_value(const char *const *vars, const char *name, size_t len)
{
	for (size_t i = 0; vars && vars[i]; i += 2)
		if (strlen(vars[i]) == len && strncmp(vars[i], name, len) == 0)
			return vars[i + 1];
	return NULL;
}

int profile_split_line(const char *line, const char *const *vars, char ***words,
		       sb_error *err)
{
	char **w = xcalloc(1, sizeof(char *));
	size_t n = 0;
	const char *p = line;

	*words = NULL;
	for (;;) {
		struct strbuf b = { 0 };
		bool quoted = false, have = false;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		while (*p != '\0' && (quoted || (*p != ' ' && *p != '\t' && *p != '\r'))) {
			if (*p == '"') {
				quoted = !quoted;
				have = true;
				p++;
			} else if (*p == '\\' && quoted && (p[1] == '"' || p[1] == '\\')) {
				sb_putc(&b, p[1]);
				p += 2;
			} else if (p[0] == '$' && p[1] == '{') {
				const char *end = strchr(p + 2, '}');
				const char *v = end ? var_value(vars, p + 2, (size_t)(end - p - 2)) : NULL;
				if (end == NULL || v == NULL) {
					free(b.s);
					profile_free_words(w);
					if (end == NULL)
						return sb_fail(err, 0, "unterminated '${'");
					return sb_fail(err, 0, "unknown variable '%.*s'", (int)(end - p + 1), p),
					       sb_hint(err, "known: ${HOME} ${PWD} ${XDG_RUNTIME_DIR} ${UID} ${USER}");
				}
				for (; *v; v++)
					sb_putc(&b, *v);
				have = true;
				p = end + 1;
			} else {
				sb_putc(&b, *p++);
			}
		}
		if (quoted) {
			free(b.s);
			profile_free_words(w);
			return sb_fail(err, 0, "unterminated '\"'");
		}
		if (b.s == NULL && have)
			b.s = xstrdup("");
		if (b.s == NULL)
			continue;
		w = xrealloc(w, n + 2, sizeof(char *));
		w[n++] = b.s;
		w[n] = NULL;
	}
	*words = w;
	return (int)n;
}

/* The values of the variables a profile may use. */
struct vars {
	char *buf[10];
	const char *list[11];
};

static void vars_init(struct vars *v)
{
	struct passwd *pw = getpwuid(getuid());
	const char *home = getenv("HOME");
	cleanup_free char *cwd = getcwd(NULL, 0);
	char *rt = NULL;
	const char *why;

	if (getenv("XDG_RUNTIME_DIR") == NULL || runtime_base(&rt, &why, NULL) < 0)
		rt = xstrdup(getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") : "");
	memset(v, 0, sizeof(*v));
	v->buf[0] = xstrdup("HOME");
	v->buf[1] = xstrdup(home ? home : pw ? pw->pw_dir : "/");
	v->buf[2] = xstrdup("PWD");
	v->buf[3] = xstrdup(cwd ? cwd : "/");
	v->buf[4] = xstrdup("XDG_RUNTIME_DIR");
	v->buf[5] = rt;
	v->buf[6] = xstrdup("UID");
	v->buf[7] = xasprintf("%u", (unsigned)getuid());
	v->buf[8] = xstrdup("USER");
	v->buf[9] = xstrdup(pw ? pw->pw_name : "");
	for (int i = 0; i < 10; i++)
		v->list[i] = v->buf[i];
}

static void vars_free(struct vars *v)
{
	for (int i = 0; i < 10; i++)
		free(v->buf[i]);
}

/* What to do with each line: apply it to a spec, or print it. */
struct walker {
	struct run_spec *spec;
	FILE *out;
	struct vars vars;
	const char *stack[MAX_DEPTH];
	int depth;
};

static int walk(struct walker *w, const char *name, sb_error *err);

static int walk_line(struct walker *w, const struct source *src, char **words, int n,
		     sb_error *err)
{
	if (strcmp(words[0], "include") == 0) {
		if (n != 2)
			return sb_fail(err, 0, "'include' takes one profile name");
		if (w->out != NULL)
			fprintf(w->out, "# include %s\n", words[1]);
		return walk(w, words[1], err);
	}
	if (w->out != NULL) {
		fputs(words[0], w->out);
		for (int i = 1; i < n; i++) {
			bool q = words[i][0] == '\0' || strpbrk(words[i], " \t\"#\\") != NULL;
			if (!q) {
				fprintf(w->out, " %s", words[i]);
				continue;
			}
			/* quoted so that it reads back as the same word */
			fputs(" \"", w->out);
			for (const char *c = words[i]; *c; c++) {
				if (*c == '"' || *c == '\\')
					fputc('\\', w->out);
				fputc(*c, w->out);
			}
			fputc('"', w->out);
		}
		fputc('\n', w->out);
		/* still check it, so show finds every mistake */
	}
	{
		cleanup_free char *source = xasprintf("profile '%s'", src->name);
		const char *saved = w->spec->source;
		int r;
		w->spec->source = source;
		r = spec_apply_option(w->spec, words[0], words + 1, n - 1, err);
		w->spec->source = saved;
		return r;
	}
}

static int walk(struct walker *w, const char *name, sb_error *err)
{
	struct source src;
	char *line, *next;
	int lineno = 0, r = 0;

	for (int i = 0; i < w->depth; i++) {
		if (strcmp(w->stack[i], name) == 0) {
			char chain[512] = "";
			size_t len = 0;
			for (int k = 0; k < w->depth && len < sizeof(chain) - 64; k++)
				len += (size_t)snprintf(chain + len, sizeof(chain) - len, "%s -> ", w->stack[k]);
			return sb_fail(err, 0, "include loop: %s%s", chain, name);
		}
	}
	if (w->depth == MAX_DEPTH)
		return sb_fail(err, 0, "includes nested more than %d deep", MAX_DEPTH);
	if (locate(name, &src, err) < 0) {
		source_free(&src);
		return -1;
	}
	if (w->out != NULL)
		fprintf(w->out, "# profile %s (%s)\n", name, src.where);
	w->stack[w->depth++] = src.name;
	for (line = src.text; line != NULL && r == 0; line = next) {
		char *nl = strchr(line, '\n');
		char **words = NULL;
		int n;

		next = nl ? nl + 1 : NULL;
		if (nl != NULL)
			*nl = '\0';
		lineno++;
		n = profile_split_line(line, w->vars.list, &words, err);
		if (n > 0 && words != NULL)
			r = walk_line(w, &src, words, n, err);
		else if (n < 0)
			r = -1;
		profile_free_words(words);
		if (r < 0 && err && *err && strncmp((*err)->msg, "profile '", 9) != 0)
			sb_wrap(err, "profile '%s' line %d", name, lineno);
	}
	w->depth--;
	source_free(&src);
	return r;
}

int profile_apply(struct run_spec *spec, const char *name, sb_error *err)
{
	struct walker w = { .spec = spec };
	int r;

	vars_init(&w.vars);
	r = walk(&w, name, err);
	vars_free(&w.vars);
	return r;
}

int profile_show(const char *name, FILE *out, sb_error *err)
{
	struct run_spec scratch;
	struct walker w = { .spec = &scratch, .out = out };
	int r;

	spec_init(&scratch);
	vars_init(&w.vars);
	r = walk(&w, name, err);
	vars_free(&w.vars);
	spec_free(&scratch);
	return r;
}

/* The first comment line, without "# " and a leading "NAME: ". */
static char *description(const char *name, const char *text)
{
	const char *p = text;
	size_t nl = strlen(name);

	while (*p == '\n')
		p++;
	if (*p != '#')
		return xstrdup("");
	p++;
	while (*p == ' ')
		p++;
	if (strncmp(p, name, nl) == 0 && p[nl] == ':')
		p += nl + 1;
	while (*p == ' ')
		p++;
	return strndup(p, strcspn(p, "\n")) ?: (sb_oom(), NULL);
}

static bool seen(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

int profile_list(FILE *out, sb_error *err)
{
	cleanup_free char *udir = user_dir();
	const char *dirs[] = { udir, SYSTEM_PROFILES, PKGDATADIR "/profiles" };
	char **names = NULL;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		cleanup_dir DIR *d = dirs[i] ? opendir(dirs[i]) : NULL;
		struct dirent *e;

		while (d != NULL && (e = readdir(d)) != NULL) {
			size_t len = strlen(e->d_name);
			cleanup_free char *name = NULL, *path = NULL, *text = NULL, *desc = NULL;
			if (len <= 8 || strcmp(e->d_name + len - 8, ".profile") != 0)
				continue;
			name = strndup(e->d_name, len - 8);
			if (name == NULL)
				sb_oom();
			if (seen(names, n, name) || !name_ok(name))
				continue;
			path = xasprintf("%s/%s", dirs[i], e->d_name);
			if (read_file_at(AT_FDCWD, path, &text, NULL, NULL) < 0)
				continue;
			desc = description(name, text);
			fprintf(out, "%-12s %s  [%s]\n", name, desc, path);
			names = xrealloc(names, n + 1, sizeof(char *));
			names[n++] = steal_ptr(&name);
		}
	}
	for (unsigned i = 0; i < n_builtin_profiles; i++) {
		cleanup_free char *desc = NULL;
		if (seen(names, n, builtin_profiles[i].name))
			continue;
		desc = description(builtin_profiles[i].name, builtin_profiles[i].text);
		fprintf(out, "%-12s %s  [built in]\n", builtin_profiles[i].name, desc);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	(void)err;
	return 0;
}
