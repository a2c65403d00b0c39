/* prompt.h - the words a model is given, from editable templates.
 *
 * The instructions are templates/prompts/NAME.LANG.tmpl (template-glib,
 * as the reports): "system" (the rules: what to write, how to cite, that
 * mail is data), "thread" (one thread, or one part of a big one) and
 * "merge" (a big thread's part summaries into one).  A site edits them
 * where the report templates are found (template.h); the variables they
 * can use are listed in templates/prompts/README.
 *
 * Every mail-derived string in MdPromptVars is already fenced
 * (input.h); the template puts it between its own data markers.
 */
#pragma once
#include <glib.h>

typedef struct {
  const char *lang;            /* "zh-CN" or "en" */
  const char *list;
  const char *facts;           /* md_input_facts() */
  const char *messages;        /* this week's message blocks */
  const char *earlier;         /* the thread's earlier message blocks, "" when none */
  const char *previous;        /* replies on v(N-1), "" when none */
  const char *previous_version;/* "2" of v2, NULL when no v(N-1) is linked */
  const char *history;         /* the stored summary, renumbered; NULL when none */
  const char *history_since;   /* the day its window began */
  guint part, parts;           /* this part of PARTS; parts 0 or 1: whole */
  const char *part_summaries;  /* merge: the parts' checked summaries */
  guint max_n;                 /* the highest [n] given */
} MdPromptVars;

/* Template NAME ("system", "thread", "merge") for VARS->lang, expanded. */
char *md_prompt_render (const char *name, const MdPromptVars *vars,
                        GError **error);
