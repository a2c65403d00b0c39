/* trailers.c - trailer lines (trailers.h). */
#include <string.h>
#include "trailers.h"
#include "text.h"

#define TRAILER_VALUE_MAX 512

#define KEY(k) k, sizeof k - 1

static const struct { const char *key; gsize len; MdTrailerKind kind; } trailer_keys[] = {
  { KEY ("Reviewed-by"), MD_TRAILER_REVIEWED_BY },
  { KEY ("Acked-by"), MD_TRAILER_ACKED_BY },
  { KEY ("Tested-by"), MD_TRAILER_TESTED_BY },
  { KEY ("Signed-off-by"), MD_TRAILER_SIGNED_OFF_BY },
  { KEY ("Reported-by"), MD_TRAILER_REPORTED_BY },
  { KEY ("Suggested-by"), MD_TRAILER_SUGGESTED_BY },
  { KEY ("Co-developed-by"), MD_TRAILER_CO_DEVELOPED_BY },
  { KEY ("Nacked-by"), MD_TRAILER_NACKED_BY },
  { KEY ("NAKed-by"), MD_TRAILER_NACKED_BY },
  { KEY ("Fixes"), MD_TRAILER_FIXES },
  { KEY ("Link"), MD_TRAILER_LINK },
  { KEY ("Cc"), MD_TRAILER_CC },
};

/* Drops a trailing "# v5.10+" or "[maz: rebased]" note. */
static void
strip_note (char *v)
{
  char *hash = strstr (v, " #");
  if (hash == NULL && v[0] == '#')
    hash = v;
  if (hash)
    *hash = '\0';
  g_strchomp (v);
  gsize n = strlen (v);
  if (n > 0 && v[n - 1] == ']')
    {
      char *open = strrchr (v, '[');
      if (open && open > v)
        *open = '\0';
    }
  g_strstrip (v);
}

static char *
unquote_name (const char *s, gsize n)
{
  char *name = g_strndup (s, n);
  g_strstrip (name);
  gsize len = strlen (name);
  if (len >= 2 && name[0] == '"' && name[len - 1] == '"')
    {
      memmove (name, name + 1, len - 2);
      name[len - 2] = '\0';
    }
  return md_text_single_line (name, TRAILER_VALUE_MAX);
}

static char *
clean_email (const char *s, gsize n)
{
  char *e = g_strndup (s, n);
  g_strstrip (e);
  if (strchr (e, ' ') || strchr (e, '<') || strchr (e, '>'))
    e[0] = '\0';   /* not an address */
  return md_text_ascii_lower (e);
}

void
md_trailer_split_person (const char *value, char **name, char **email)
{
  g_autofree char *v = g_strdup (value);
  strip_note (v);
  char *lt = strchr (v, '<');
  char *gt = lt ? strchr (lt, '>') : NULL;

  if (lt && gt)
    {
      *name = unquote_name (v, lt - v);
      *email = clean_email (lt + 1, gt - lt - 1);
      return;
    }
  char *at = strchr (v, '@');
  if (at == NULL)
    {
      *name = unquote_name (v, strlen (v));
      *email = g_strdup ("");
      return;
    }
  /* "a@b (Name)" or a bare address */
  char *sp = strchr (v, ' ');
  *email = clean_email (v, sp ? (gsize) (sp - v) : strlen (v));
  if (sp == NULL)
    *name = g_strdup ("");
  else
    {
      g_strdelimit (sp, "()", ' ');
      *name = unquote_name (sp, strlen (sp));
    }
}

/* "  Reviewed-by : x" -> kind and the value's start; FALSE if no trailer. */
static gboolean
match_key (const char *s, gsize n, MdTrailerKind *kind, gsize *value_at)
{
  gsize i = 0;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  /* every line of a long mail comes here: the first letter rules out
   * most keys before any comparison (keys start with a capital, and
   * | 0x20 makes an ASCII capital lower-case) */
  char first = i < n ? g_ascii_tolower (s[i]) : '\0';
  for (gsize k = 0; k < G_N_ELEMENTS (trailer_keys); k++)
    {
      gsize kl = trailer_keys[k].len;
      if ((trailer_keys[k].key[0] | 0x20) != first || n - i <= kl
          || g_ascii_strncasecmp (s + i, trailer_keys[k].key, kl) != 0)
        continue;
      gsize j = i + kl;
      while (j < n && s[j] == ' ')
        j++;
      if (j < n && s[j] == ':')
        {
          *kind = trailer_keys[k].kind;
          *value_at = j + 1;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
has_trailer (MdRecord *rec, MdTrailerKind kind, const char *name, const char *email)
{
  for (guint i = 0; i < rec->trailers->len; i++)
    {
      MdTrailer *t = &g_array_index (rec->trailers, MdTrailer, i);
      if (t->kind == kind && strcmp (t->name, name) == 0 && strcmp (t->email, email) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
add_trailer (MdRecord *rec, MdTrailerKind kind, const char *value, gsize n)
{
  /* cut on a character boundary: md_text_single_line() needs valid UTF-8 */
  g_autofree char *v = g_strndup (value, md_text_utf8_cut (value, n, TRAILER_VALUE_MAX * 2));
  g_autofree char *name = NULL, *email = NULL;

  md_text_single_line (v, TRAILER_VALUE_MAX);
  if (*v == '\0')
    return;
  if (kind == MD_TRAILER_FIXES || kind == MD_TRAILER_LINK)
    {
      name = g_strdup (v);
      email = g_strdup ("");
    }
  else
    md_trailer_split_person (v, &name, &email);
  if ((*name || *email) && !has_trailer (rec, kind, name, email))
    md_record_add_trailer (rec, kind, name, email);
}

void
md_trailers_scan (const char *text, gsize len, MdRecord *rec)
{
  const char *p = text, *end = text + len;
  while (p < end && rec->trailers->len < MD_TRAILERS_MAX)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize n = nl ? (gsize) (nl - p) : (gsize) (end - p);
      MdTrailerKind kind;
      gsize at;
      if (match_key (p, n, &kind, &at))
        add_trailer (rec, kind, p + at, n - at);
      p += n + 1;
    }
}
