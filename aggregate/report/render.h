/* render.h - the report a person reads, from a week's facts.
 *
 * A report is a template-glib template (templates/, or a user's copy)
 * expanded over the week's facts.  Templates are named
 *
 *   NAME.LANG.md.tmpl   Markdown for one language (weekly.zh-CN.md.tmpl)
 *   NAME.md.tmpl        Markdown for any language (update.md.tmpl)
 *   NAME[.LANG].txt.tmpl  plain text (update.txt.tmpl)
 *
 * and looked up in that order for the requested language.  HTML is made
 * from the Markdown (html.h) inside templates/report.html.tmpl; plain
 * text is a .txt template when there is one, else the Markdown with its
 * markup removed.  Every mail-derived string reaches a template already
 * escaped for that template's output (render-model.c), so a template
 * cannot forget to.  The variables a template sees are listed in
 * templates/README.
 */
#pragma once
#include "week.h"

typedef enum {
  MD_FORMAT_MD,
  MD_FORMAT_HTML,
  MD_FORMAT_TEXT,
} MdFormat;

#define MD_ARCHIVE_URL_DEFAULT "https://lore.kernel.org/{list}/{message_id}/"

typedef struct {
  MdFormat format;
  const char *lang;          /* "zh-CN" (NULL) or "en"; see lang.h */
  const char *template_name; /* "weekly" (NULL), "update", or a path to a .tmpl */
  GTimeZone *tz;             /* NULL = UTC */
  const char *archive_url;   /* {list}/{message_id} pattern; NULL = default, "" = no links */
  const char *templates_dir; /* NULL = md_template_dir () */
} MdRenderOptions;

/* "md", "markdown", "html", "text", "txt". */
gboolean md_format_parse (const char *s, MdFormat *format);

/* Render WEEK.  Errors: MD_ERROR_USAGE (unsupported language, bad
 * template name), MD_ERROR_CONFIG (template missing or broken, bad
 * archive_url pattern). */
char *md_render (const MdWeek *week, const MdRenderOptions *opts,
                 GError **error);

/* The template file md_render() would use for NAME (NULL: "weekly"),
 * LANG and FORMAT, in the shipped templates directory. */
char *md_render_template_path (const char *name, const char *lang,
                               MdFormat format, GError **error);
