/* fuzz-cite.c - libFuzzer target: a model's answer checked against its
 * messages (aggregate/summary/cite.c), on any bytes.
 *
 * The input is the answer; the messages it may cite are numbered 1 to
 * 6, and are the input's own lines 1 to 6, so that quotations can match.
 * The kept text must be valid UTF-8, cite only numbers that were given,
 * list them in "cited" (ascending, distinct) exactly as
 * md_cite_numbers() reads them back, survive an identity renumbering
 * unchanged, and render to valid UTF-8 in both languages.  Run by
 * "make fuzz".
 */
#include "cite.h"
#include "fuzz.h"

#define N_MESSAGES 6

typedef struct {
  char *text[N_MESSAGES + 1];
} Messages;

static const char *
lookup (guint n, gpointer data)
{
  Messages *m = data;
  return n >= 1 && n <= N_MESSAGES ? m->text[n] : NULL;
}

static guint
same (guint n, gpointer data)
{
  return n;
}

static char *
url (guint n, gpointer data)
{
  return g_strdup_printf ("https://example.org/m/%u", n);
}

static void
check_numbers (const GArray *a, const char *what)
{
  for (guint i = 0; i < a->len; i++)
    {
      guint n = g_array_index (a, guint, i);
      FUZZ_CHECK (n >= 1 && n <= N_MESSAGES, "%s cites %u", what, n);
      FUZZ_CHECK (i == 0 || g_array_index (a, guint, i - 1) < n, "%s not ascending", what);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *answer = fuzz_cstring (data, size);
  g_auto (GStrv) lines = g_strsplit (answer, "\n", N_MESSAGES + 1);
  Messages m = { { NULL } };
  gboolean ended = FALSE;
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      ended |= lines[i] == NULL;   /* past the array's end: "" */
      m.text[i + 1] = ended ? "" : lines[i];
    }

  g_autoptr (MdCiteResult) r = md_cite_check (answer, lookup, &m);
  FUZZ_CHECK (r != NULL, "no result");
  fuzz_check_text ("kept text", r->text, 16 * size + 4096);
  check_numbers (r->cited, "cited");
  g_autoptr (GArray) again = md_cite_numbers (r->text);
  FUZZ_CHECK (again->len == r->cited->len
              && (again->len == 0 || memcmp (again->data, r->cited->data, again->len * sizeof (guint)) == 0),
              "md_cite_numbers() reads other numbers than were cited");
  g_autofree char *renumbered = md_cite_renumber (r->text, same, NULL);
  FUZZ_CHECK (strcmp (renumbered, r->text) == 0, "identity renumbering changed the text");
  g_autofree char *reason = NULL;
  md_cite_acceptable (r, &reason);
  if (reason)
    fuzz_check_text ("reason", reason, 4096);
  if (r->first_problem)
    fuzz_check_text ("first problem", r->first_problem, 16 * size + 4096);
  g_autofree char *en = md_cite_render (r->text, "en", TRUE, url, NULL);
  g_autofree char *zh = md_cite_render (r->text, "zh-CN", FALSE, url, NULL);
  fuzz_check_text ("rendered (en)", en, 64 * size + 8192);
  fuzz_check_text ("rendered (zh-CN)", zh, 64 * size + 8192);
  return 0;
}
