/* render-model.h - a week's facts as the variables a template reads.
 *
 * Builds view objects (view.h) for categories, threads, messages,
 * reviews, contributors and patches, and sets them with the week's
 * totals into a TmplScope.  Every string that came from mail is escaped
 * here for the template's output: Markdown escapes (escape.h) for a .md
 * template, one clean line for a .txt one; multi-line text (commit
 * messages, diffstats) becomes a fenced code block in Markdown.  Times
 * are formatted in one zone.  templates/README lists the variables.
 */
#pragma once
#include <tmpl-glib.h>
#include "week.h"

typedef struct {
  gboolean markdown;        /* escape for Markdown; else plain text */
  GTimeZone *tz;            /* not NULL */
  const char *archive_url;  /* pattern, or NULL for no links */
  const char *lang;         /* canonical: "zh-CN" or "en" */
} MdModelOptions;

/* How many contributors and domains the "top" lists hold. */
#define MD_MODEL_TOP 15

void md_model_fill_scope (TmplScope *scope, const MdWeek *week,
                          const MdModelOptions *opts);
