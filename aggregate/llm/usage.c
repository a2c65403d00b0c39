/* usage.c - what the model client tells the person running mldigest:
 * a progress line while requests run (terminals only) and the run's
 * usage at the end.  Both go to stderr: stdout may be the report.
 */
#include <stdio.h>
#include <unistd.h>
#include "client.h"

void
md_llm_progress_tty (guint done, guint total, const MdLlmUsage *usage,
                     gpointer data)
{
  static int tty = -1;

  if (tty < 0)
    tty = isatty (STDERR_FILENO);
  if (!tty)
    return;
  /* \r and "erase to end of line": the line is rewritten in place. */
  fprintf (stderr, "\rsummaries: %u/%u requests, %" G_GUINT64_FORMAT " tokens\033[K%s",
           done, total, usage->prompt_tokens + usage->completion_tokens,
           done >= total ? "\n" : "");
  fflush (stderr);
}

char *
md_llm_usage_format (const MdLlmUsage *u)
{
  return g_strdup_printf ("model: %" G_GUINT64_FORMAT " requests, %" G_GUINT64_FORMAT
                          " prompt + %" G_GUINT64_FORMAT " completion tokens, %"
                          G_GUINT64_FORMAT " retries, %" G_GUINT64_FORMAT
                          " fallbacks (%" G_GUINT64_FORMAT " failed, %" G_GUINT64_FORMAT
                          " skipped by the budget)",
                          u->requests, u->prompt_tokens, u->completion_tokens,
                          u->retries, u->fallbacks, u->failed, u->skipped);
}

void
md_llm_usage_print (const MdLlmUsage *usage)
{
  g_autofree char *line = md_llm_usage_format (usage);

  fprintf (stderr, "%s\n", line);
}
