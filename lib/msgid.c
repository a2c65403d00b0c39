/* msgid.c - Message-ID normalisation and References parsing (msgid.h).
 *
 * Real headers hold more than RFC 5322 allows: junk after '>'
 * ("<id>+45FD319A"), comments ("<id> (Name's message of ...)") that can
 * themselves hold <addresses>, ids with no space between them, bare ids
 * without brackets.  We scan once, skipping comments and quoted strings,
 * and take every <...> group, or bare tokens that look like ids when the
 * header has no brackets at all.
 */
#include <string.h>
#include "msgid.h"
#include "text.h"

#define MSGID_MAX_LEN 512     /* longer is not an id but an attack or a bug */
#define MSGID_LIST_MAX 200    /* ids kept from one References header */
#define MSGID_SCAN_MAX 10000  /* ids held at once while scanning References */

static gboolean
msgid_char_ok (guchar c)
{
  return c > ' ' && c != 0x7F && c != '<' && c != '>' && c != '"'
    && c != '(' && c != ')' && c != ',';
}

/* Checks and normalises the LEN bytes between the brackets. */
static char *
normalise_inner (const char *s, gsize len)
{
  while (len > 0 && g_ascii_isspace (*s))
    s++, len--;
  while (len > 0 && g_ascii_isspace (s[len - 1]))
    len--;
  if (len == 0 || len > MSGID_MAX_LEN || !g_utf8_validate_len (s, len, NULL))
    return NULL;
  for (gsize i = 0; i < len; i++)
    if (!msgid_char_ok (s[i]))
      return NULL;
  char *id = g_strndup (s, len);
  char *at = strrchr (id, '@');
  if (at != NULL && at == id)
    return (g_free (id), NULL);
  if (at != NULL)
    md_text_ascii_lower (at + 1);
  return id;
}

static void scan_ids (const char *raw, GPtrArray *found, gboolean need_at, guint max,
                      gboolean keep_newest);

char *
md_msgid_normalise (const char *raw)
{
  if (raw == NULL)
    return NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  /* a Message-ID header holds one id, and a bare one needs no '@' */
  scan_ids (raw, ids, FALSE, 1, FALSE);
  return ids->len > 0 ? g_strdup (ids->pdata[0]) : NULL;
}

/* Returns the end of the comment or quoted string starting at P. */
static const char *
skip_comment (const char *p)
{
  if (*p == '"')
    {
      for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
          p++;
      return *p ? p + 1 : p;
    }
  int depth = 0;
  for (; *p; p++)
    {
      if (*p == '\\' && p[1])
        p++;
      else if (*p == '(')
        depth++;
      else if (*p == ')' && --depth == 0)
        return p + 1;
    }
  return p;
}

static gboolean
has_id (GPtrArray *arr, const char *id)
{
  for (guint i = 0; i < arr->len; i++)
    if (strcmp (arr->pdata[i], id) == 0)
      return TRUE;
  return FALSE;
}

/* An unbracketed token counts as an id only with an '@' in it: that
 * keeps the words of "Your message of ..." out. */
static const char *
take_bare (const char *p, GPtrArray *found, gboolean need_at)
{
  const char *e = p;
  while (*e && !g_ascii_isspace (*e) && *e != '(' && *e != '<' && *e != '"')
    e++;
  if (!need_at || memchr (p, '@', e - p) != NULL)
    {
      gsize len = e - p;
      while (len > 0 && (p[len - 1] == ',' || p[len - 1] == ';'))
        len--;
      char *id = normalise_inner (p, len);
      if (id)
        g_ptr_array_add (found, id);
    }
  return e;
}

/* *CLOSE caches the first '>' at or after the last search (NULL: there
 * is none left), so that a header of many '<' and no '>' is read once,
 * not once per '<'. */
static const char *
take_bracketed (const char *p, GPtrArray *found, const char **close)
{
  if (*close != NULL && *close <= p)
    *close = strchr (p + 1, '>');
  if (*close == NULL || memchr (p + 1, '<', *close - p - 1) != NULL)
    return p + 1;   /* unbalanced '<': skip it, look for the next id */
  char *id = normalise_inner (p + 1, *close - p - 1);
  if (id)
    g_ptr_array_add (found, id);
  return *close + 1;
}

/* Scans RAW into FOUND (its ids, in order): the first MAX; with
 * KEEP_NEWEST the first and the last MAX / 2 at least, never more than
 * MAX at a time, for a References chain of any length. */
static void
scan_ids (const char *raw, GPtrArray *found, gboolean need_at, guint max,
          gboolean keep_newest)
{
  gboolean brackets = strchr (raw, '<') != NULL;
  const char *p = raw;
  const char *close = raw;   /* stale: take_bracketed() searches */

  while (*p && (keep_newest || found->len < max))
    {
      if (keep_newest && found->len >= max)
        g_ptr_array_remove_range (found, 1, max / 2);
      if (*p == '(' || *p == '"')
        p = skip_comment (p);
      else if (*p == '<')
        p = take_bracketed (p, found, &close);
      else if (g_ascii_isspace (*p) || *p == '>' || *p == ',')
        p++;
      else if (!brackets)
        p = take_bare (p, found, need_at);
      else
        p++;
    }
}

/* Keeps the first id (the thread root) and the newest ones when a
 * References chain is absurdly long: those are what threading uses. */
void
md_msgid_parse_list (const char *raw, GPtrArray *out)
{
  if (raw == NULL)
    return;
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) uniq = g_ptr_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  scan_ids (raw, found, TRUE, MSGID_SCAN_MAX, TRUE);
  for (guint i = 0; i < found->len; i++)
    if (g_hash_table_add (seen, found->pdata[i]) && !has_id (out, found->pdata[i]))
      g_ptr_array_add (uniq, found->pdata[i]);
  guint room = MSGID_LIST_MAX > out->len ? MSGID_LIST_MAX - out->len : 0;
  for (guint i = 0; i < uniq->len && room > 0; i++)
    {
      if (uniq->len > room && i > 0 && i < uniq->len - (room - 1))
        continue;
      g_ptr_array_add (out, g_strdup (uniq->pdata[i]));
    }
}

/* ---- synthetic ids ---- */

/* Appends header NAME's unfolded value from the header block HDR (LEN
 * bytes) to SUM; absent headers add nothing but their name. */
static void
hash_header (GChecksum *sum, const char *hdr, gsize len, const char *name)
{
  gsize nlen = strlen (name);
  g_checksum_update (sum, (const guchar *) name, nlen);
  for (gsize i = 0; i < len; )
    {
      const char *line = hdr + i;
      const char *eol = memchr (line, '\n', len - i);
      gsize llen = eol ? (gsize) (eol - line) : len - i;
      i += llen + 1;
      if (llen <= nlen || g_ascii_strncasecmp (line, name, nlen) != 0 || line[nlen] != ':')
        continue;
      /* the value and its continuation lines, white space dropped so
       * that refolding by a relay does not change the id */
      for (const char *v = line + nlen + 1; v < hdr + len; v++)
        {
          if (*v == '\n' && !(v + 1 < hdr + len && (v[1] == ' ' || v[1] == '\t')))
            break;
          if (!g_ascii_isspace (*v))
            g_checksum_update (sum, (const guchar *) v, 1);
        }
      return;
    }
}

static gsize
header_block_len (const char *data, gsize len)
{
  for (gsize i = 0; i + 1 < len; i++)
    if (data[i] == '\n' && (data[i + 1] == '\n'
                            || (data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')))
      return i + 1;
  return len;
}

char *
md_msgid_synthesise (const char *data, gsize len)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize hlen = header_block_len (data, len);

  hash_header (sum, data, hlen, "From");
  hash_header (sum, data, hlen, "Date");
  hash_header (sum, data, hlen, "Subject");
  /* the body without CRs, so CRLF and LF copies of a message agree */
  for (gsize i = hlen; i < len; )
    {
      const char *cr = memchr (data + i, '\r', len - i);
      gsize n = cr ? (gsize) (cr - data - i) : len - i;
      g_checksum_update (sum, (const guchar *) data + i, n);
      i += n + (cr ? 1 : 0);
    }
  return g_strdup_printf ("%s@mldigest.invalid", g_checksum_get_string (sum));
}
