/* render.c - choose the template, expand it over the week, convert.
 *
 * Markdown is the report's source form: HTML and (without a .txt
 * template) plain text are derived from it, so the three parts of a mail
 * always say the same thing.
 */
#include <string.h>
#include "error.h"
#include "escape.h"
#include "html.h"
#include "lang.h"
#include "render.h"
#include "render-model.h"
#include "template.h"

gboolean
md_format_parse (const char *s, MdFormat *format)
{
  if (g_strcmp0 (s, "md") == 0 || g_strcmp0 (s, "markdown") == 0)
    *format = MD_FORMAT_MD;
  else if (g_strcmp0 (s, "html") == 0)
    *format = MD_FORMAT_HTML;
  else if (g_strcmp0 (s, "text") == 0 || g_strcmp0 (s, "txt") == 0)
    *format = MD_FORMAT_TEXT;
  else
    return FALSE;
  return TRUE;
}

/* A shipped template's name: no path, nothing to escape the directory. */
static gboolean
valid_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_path (const char *t)
{
  return strchr (t, '/') != NULL || g_str_has_suffix (t, ".tmpl");
}

static gboolean
is_text_template (const char *path)
{
  return g_str_has_suffix (path, ".txt.tmpl") || g_str_has_suffix (path, ".txt");
}

/* NAME.LANG.EXT.tmpl then NAME.EXT.tmpl; plain text prefers txt. */
static char *
find_named (const char *dir, const char *name, const char *lang, MdFormat f)
{
  const char *exts[] = { f == MD_FORMAT_TEXT ? "txt" : "md", "md" };

  for (guint e = 0; e < G_N_ELEMENTS (exts); e++)
    for (guint with_lang = 2; with_lang-- > 0;)
      {
        g_autofree char *file = with_lang
          ? g_strdup_printf ("%s.%s.%s.tmpl", name, lang, exts[e])
          : g_strdup_printf ("%s.%s.tmpl", name, exts[e]);
        char *path = g_build_filename (dir, file, NULL);
        if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
          return path;
        g_free (path);
      }
  return NULL;
}

static char *
find_template (const char *dir, const char *name, const char *lang,
               MdFormat f, GError **error)
{
  char *path;

  if (is_path (name))
    return g_strdup (name);
  if (!valid_name (name))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                   "bad template name '%s': give a name like 'weekly' or a path", name);
      return NULL;
    }
  if ((path = find_named (dir, name, lang, f)) == NULL)
    g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
                 "no template '%s' for language %s in %s", name, lang, dir);
  return path;
}

static char *
html_from_text (const char *text, const char *lang, const char *dir,
                GError **error)
{
  g_autofree char *etext = g_markup_escape_text (text, -1);
  g_autofree char *body = g_strdup_printf ("<pre>%s</pre>\n", etext);
  g_autofree char *title = g_strndup (text, strcspn (text, "\n"));

  return md_html_document (body, title, lang, dir, error);
}

static char *
html_from_markdown (const char *md, const char *fallback_title,
                    const char *lang, const char *dir, GError **error)
{
  g_autofree char *body = md_markdown_to_html (md);
  g_autofree char *title = md_markdown_title (md);

  return md_html_document (body, title ? title : fallback_title, lang, dir, error);
}

/* OUT is what the template produced; turn it into FORMAT. */
static char *
convert (char *out, gboolean text_tmpl, const MdWeek *week, MdFormat format,
         const char *lang, const char *dir, GError **error)
{
  g_autofree char *src = out;

  if (format == MD_FORMAT_HTML)
    return text_tmpl ? html_from_text (src, lang, dir, error)
                     : html_from_markdown (src, week->list, lang, dir, error);
  if (format == MD_FORMAT_TEXT && !text_tmpl)
    return md_markdown_to_text (src);
  return g_steal_pointer (&src);
}

static gboolean
check_options (const MdRenderOptions *opts, const char **lang,
               const char **pattern, GError **error)
{
  *lang = md_lang_canonical (opts->lang);
  if (*lang == NULL)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_USAGE,
                   "unsupported language '%s' (zh-CN or en)", opts->lang);
      return FALSE;
    }
  *pattern = opts->archive_url ? opts->archive_url : MD_ARCHIVE_URL_DEFAULT;
  if (!md_archive_pattern_valid (*pattern))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CONFIG,
                   "bad archive_url '%s': an http(s) URL with {message_id}",
                   *pattern);
      return FALSE;
    }
  return TRUE;
}

char *
md_render (const MdWeek *week, const MdRenderOptions *opts, GError **error)
{
  const char *lang, *pattern;
  g_autofree char *dir = NULL, *path = NULL, *out = NULL;
  g_autoptr (GTimeZone) tz = NULL;
  g_autoptr (TmplScope) scope = NULL;
  gboolean text_tmpl;

  if (!check_options (opts, &lang, &pattern, error))
    return NULL;
  dir = opts->templates_dir ? g_strdup (opts->templates_dir) : md_template_dir ();
  path = find_template (dir, opts->template_name ? opts->template_name : "weekly",
                        lang, opts->format, error);
  if (path == NULL)
    return NULL;
  text_tmpl = is_text_template (path);
  tz = opts->tz ? g_time_zone_ref (opts->tz) : g_time_zone_new_utc ();
  scope = tmpl_scope_new ();
  md_model_fill_scope (scope, week, &(MdModelOptions) {
    .markdown = !text_tmpl, .tz = tz, .lang = lang,
    .archive_url = *pattern ? pattern : NULL });
  out = md_template_expand (path, dir, scope, error);
  if (out == NULL)
    return NULL;
  /* A user's template may hold any bytes; the report is UTF-8. */
  return convert (g_utf8_make_valid (out, -1), text_tmpl, week, opts->format,
                  lang, dir, error);
}

char *
md_render_template_path (const char *name, const char *lang, MdFormat format,
                         GError **error)
{
  g_autofree char *dir = md_template_dir ();
  const char *l = md_lang_canonical (lang);

  return find_template (dir, name ? name : "weekly", l ? l : "zh-CN", format, error);
}
