/* bodytrim.c - signature, footer and quote trimming (bodytrim.h). */
#include <string.h>
#include "bodytrim.h"
#include "text.h"

typedef struct {
  const char *s;
  gsize n;
} Line;

#define UNSUBSCRIBE "To unsubscribe from this list: send the line"

/* "_____...___" followed by "<list> mailing list" (mailman), or the
 * vger/infradead style footer line: the rest is list boilerplate.  The
 * line is N bytes at S; the text after it runs from NEXT (NULL: none)
 * to END. */
static gboolean
is_footer_start (const char *s, gsize n, const char *next, const char *end)
{
  gsize u = 0;
  while (u < n && s[u] == '_')
    u++;
  if (u >= 20 && md_text_is_blank (s + u, n - u) && next != NULL)
    {
      const char *nl = memchr (next, '\n', end - next);
      if (g_strstr_len (next, nl ? nl - next : end - next, "mailing list") != NULL)
        return TRUE;
    }
  return n >= strlen (UNSUBSCRIBE) && memcmp (s, UNSUBSCRIBE, strlen (UNSUBSCRIBE)) == 0;
}

static gboolean
is_signature (const char *s, gsize n)
{
  return n == 3 && memcmp (s, "-- ", 3) == 0;
}

/* A cursor over the text's own lines: it stops at the signature or
 * footer, and gives each line without its trailing white space.  The
 * text is never copied or split up front: a large mail is read once,
 * and only as far as the body bound needs. */
typedef struct {
  const char *p, *end;
} Cursor;

static gboolean
next_line (Cursor *c, Line *l)
{
  if (c->p >= c->end)
    return FALSE;
  const char *nl = memchr (c->p, '\n', c->end - c->p);
  gsize n = nl ? (gsize) (nl - c->p) : (gsize) (c->end - c->p);
  const char *next = nl ? nl + 1 : NULL;
  if (is_signature (c->p, n) || is_footer_start (c->p, n, next, c->end))
    return FALSE;
  l->s = c->p;
  l->n = n;
  while (l->n > 0 && (l->s[l->n - 1] == ' ' || l->s[l->n - 1] == '\t' || l->s[l->n - 1] == '\r'))
    l->n--;
  c->p = next ? next : c->end;
  return TRUE;
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

/* Emits the quoted run that starts with FIRST and goes on at *C: short
 * runs whole, long ones as a marker and their last MD_QUOTE_KEEP lines.
 * Returns the line after the run in *NEXT (FALSE at the end). */
static gboolean
emit_quote_run (GString *out, const Line *first, Cursor *c, Line *next, guint *blanks)
{
  Line l = *first;   /* FIRST may be NEXT itself */
  Cursor run = *c;
  gsize n = 1;
  gboolean more;
  while ((more = next_line (c, next)) && md_text_is_quoted (next->s, next->n))
    n++;
  gsize skip = 0;
  if (n > MD_QUOTE_KEEP + 2)
    {
      g_string_append_printf (out, "> [... %" G_GSIZE_FORMAT " quoted lines ...]\n",
                              n - MD_QUOTE_KEEP);
      *blanks = 0;
      skip = n - MD_QUOTE_KEEP;
    }
  for (gsize i = 0; i < n; i++)
    {
      if (i >= skip)
        emit (out, &l, blanks);
      if (i + 1 < n)
        next_line (&run, &l);
    }
  return more;
}

/* Whether OUT, trailing newlines aside, already holds more than MAX
 * bytes: then the rest cannot change what the bound keeps. */
static gboolean
past_bound (const GString *out, gsize max)
{
  gsize k = out->len;
  while (k > 0 && out->str[k - 1] == '\n')
    k--;
  return k > max;
}

char *
md_body_trim (const char *text, gsize len, gsize max, gboolean *truncated)
{
  Cursor c = { text, text + len };
  GString *out = g_string_sized_new (MIN (len, max) + 64);
  guint blanks = 0;
  Line l;
  gboolean more = next_line (&c, &l);

  while (more && !past_bound (out, max))
    {
      if (!md_text_is_quoted (l.s, l.n))
        {
          emit (out, &l, &blanks);
          more = next_line (&c, &l);
        }
      else
        more = emit_quote_run (out, &l, &c, &l, &blanks);
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
