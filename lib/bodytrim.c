/* bodytrim.c - signature, footer and quote trimming (bodytrim.h). */
#include <string.h>
#include "bodytrim.h"
#include "text.h"

typedef struct {
  const char *s;
  gsize n;
} Line;

/* "_____...___" followed by "<list> mailing list" (mailman), or the
 * vger/infradead style footer line: the rest is list boilerplate. */
static gboolean
is_footer_start (const char *s, gsize n, const char *next, gsize next_n)
{
  gsize u = 0;
  while (u < n && s[u] == '_')
    u++;
  if (u >= 20 && md_text_is_blank (s + u, n - u) && next != NULL
      && g_strstr_len (next, next_n, "mailing list") != NULL)
    return TRUE;
  return n > 0 && g_str_has_prefix (s, "To unsubscribe from this list: send the line");
}

static gboolean
is_signature (const char *s, gsize n)
{
  return n == 3 && memcmp (s, "-- ", 3) == 0;
}

/* The text's lines up to the signature or footer, trailing white space
 * dropped from each line. */
static GArray *
own_lines (const char *text, gsize len)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  const char *p = text, *end = text + len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize n = nl ? (gsize) (nl - p) : (gsize) (end - p);
      const char *next = nl ? nl + 1 : NULL;
      const char *next_nl = next ? memchr (next, '\n', end - next) : NULL;
      gsize next_n = next ? (next_nl ? (gsize) (next_nl - next) : (gsize) (end - next)) : 0;
      if (is_signature (p, n) || is_footer_start (p, n, next, next_n))
        break;
      Line l = { p, n };
      while (l.n > 0 && (l.s[l.n - 1] == ' ' || l.s[l.n - 1] == '\t' || l.s[l.n - 1] == '\r'))
        l.n--;
      g_array_append_val (lines, l);
      p = nl ? nl + 1 : end;
    }
  return lines;
}

static void
emit (GString *out, const Line *l, guint *blanks)
{
  if (l->n == 0)
    {
      if (out->len == 0 || ++*blanks > 1)
        return;   /* no leading blank lines, at most one in a row */
    }
  else
    *blanks = 0;
  g_string_append_len (out, l->s, l->n);
  g_string_append_c (out, '\n');
}

/* Emits the quoted run [FROM, TO): short runs whole, long ones as a
 * marker and their last MD_QUOTE_KEEP lines. */
static void
emit_quote_run (GString *out, const Line *l, gsize from, gsize to, guint *blanks)
{
  gsize n = to - from;
  if (n > MD_QUOTE_KEEP + 2)
    {
      g_string_append_printf (out, "> [... %" G_GSIZE_FORMAT " quoted lines ...]\n",
                              n - MD_QUOTE_KEEP);
      *blanks = 0;
      from = to - MD_QUOTE_KEEP;
    }
  for (gsize i = from; i < to; i++)
    emit (out, &l[i], blanks);
}

char *
md_body_trim (const char *text, gsize len, gsize max, gboolean *truncated)
{
  g_autoptr (GArray) arr = own_lines (text, len);
  const Line *l = (const Line *) (void *) arr->data;
  GString *out = g_string_sized_new (MIN (len, max) + 64);
  guint blanks = 0;

  for (gsize i = 0; i < arr->len; )
    {
      if (!md_text_is_quoted (l[i].s, l[i].n))
        {
          emit (out, &l[i++], &blanks);
          continue;
        }
      gsize j = i;
      while (j < arr->len && (md_text_is_quoted (l[j].s, l[j].n)))
        j++;
      emit_quote_run (out, l, i, j, &blanks);
      i = j;
    }
  while (out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
  if (out->len > max)
    {
      g_string_truncate (out, md_text_utf8_cut (out->str, out->len, max));
      if (truncated)
        *truncated = TRUE;
    }
  return g_string_free (out, FALSE);
}
