/* text.c - charset conversion and cleanup of untrusted text (text.h). */
#include <string.h>
#include <errno.h>
#include <gmime/gmime.h>
#include "text.h"

gboolean
md_text_has_8bit (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) s[i] >= 0x80)
      return TRUE;
  return FALSE;
}

gboolean
md_text_is_blank (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (s[i]))
      return FALSE;
  return TRUE;
}

gboolean
md_text_is_quoted (const char *s, gsize len)
{
  gsize i = 0;
  while (i < len && (s[i] == ' ' || s[i] == '\t'))
    i++;
  return i < len && s[i] == '>';
}

char *
md_text_ascii_lower (char *s)
{
  for (char *p = s; *p; p++)
    *p = g_ascii_tolower (*p);
  return s;
}

gsize
md_text_utf8_cut (const char *s, gsize len, gsize max)
{
  if (len <= max)
    return len;
  /* back up over continuation bytes to the start of a character */
  while (max > 0 && ((guchar) s[max] & 0xC0) == 0x80)
    max--;
  return max;
}

static gboolean
charset_is_utf8_or_ascii (const char *charset)
{
  return charset == NULL || *charset == '\0'
    || g_ascii_strcasecmp (charset, "us-ascii") == 0
    || g_ascii_strcasecmp (charset, "ascii") == 0
    || g_ascii_strcasecmp (charset, "utf-8") == 0
    || g_ascii_strcasecmp (charset, "utf8") == 0;
}

/* Charsets whose 7-bit text is ASCII (unlike ISO-2022-JP or UTF-7). */
static gboolean
charset_is_ascii_superset (const char *charset)
{
  return g_ascii_strncasecmp (charset, "iso-8859", 8) == 0
    || g_ascii_strncasecmp (charset, "windows-", 8) == 0;
}

/* iconv with recovery: an invalid or truncated sequence costs one input
 * byte and gives U+FFFD, so one bad byte never loses the whole text.
 * Returns the number of bad bytes. */
static gsize
iconv_append (iconv_t cd, const char *data, gsize len, GString *out)
{
  gsize bad = 0;
  char buf[4096];
  char *in = (char *) data;
  size_t inleft = len;

  while (inleft > 0)
    {
      char *o = buf;
      size_t oleft = sizeof buf;
      size_t r = iconv (cd, &in, &inleft, &o, &oleft);
      g_string_append_len (out, buf, o - buf);
      if (r == (size_t) -1 && errno != E2BIG)
        {
          g_string_append (out, "\xEF\xBF\xBD");
          bad++;
          in++;
          inleft--;
          iconv (cd, NULL, NULL, NULL, NULL);
        }
    }
  char *o = buf;
  size_t oleft = sizeof buf;
  iconv (cd, NULL, NULL, &o, &oleft);   /* flush shift state (ISO-2022-JP) */
  g_string_append_len (out, buf, o - buf);
  return bad;
}

static gsize
count_8bit (const char *s, gsize len)
{
  gsize n = 0;
  for (gsize i = 0; i < len; i++)
    n += (guchar) s[i] >= 0x80;
  return n;
}

/* Convert with iconv from CHARSET; FALSE when iconv does not know it or
 * the label is plainly wrong (German declared as windows-874: most of
 * its 8-bit bytes invalid), so that the text is guessed instead.  A few
 * bad bytes in right-labelled text stay U+FFFD: guessing would garble
 * the rest. */
static gboolean
convert_from (const char *data, gsize len, const char *charset, GString *out)
{
  iconv_t cd = g_mime_iconv_open ("UTF-8", charset);
  if (cd == (iconv_t) -1)
    return FALSE;
  gsize bad = iconv_append (cd, data, len, out);
  g_mime_iconv_close (cd);
  gsize high = count_8bit (data, len);
  if (bad > 0 && high > 0 && bad * 4 >= high)
    {
      g_string_truncate (out, 0);
      return FALSE;
    }
  return TRUE;
}

/* windows-1252 leaves five bytes undefined; mapping those through latin-1
 * keeps the guess total, so a guess never fails. */
static void
guess_append (const char *data, gsize len, GString *out)
{
  iconv_t cd = g_mime_iconv_open ("UTF-8", "windows-1252");
  for (gsize i = 0; i < len; i++)
    {
      guchar c = data[i];
      if (c < 0x80)
        g_string_append_c (out, c);
      else if (cd != (iconv_t) -1)
        {
          char buf[8], *in = (char *) &data[i], *o = buf;
          size_t inleft = 1, oleft = sizeof buf;
          if (iconv (cd, &in, &inleft, &o, &oleft) != (size_t) -1)
            g_string_append_len (out, buf, o - buf);
          else
            g_string_append_unichar (out, c);
        }
      else
        g_string_append_unichar (out, c);
    }
  if (cd != (iconv_t) -1)
    g_mime_iconv_close (cd);
}

/* CR LF and lone CR become LF in S from FROM on.  Most text has no CR
 * at all: one memchr() finds that out. */
static void
normalise_newlines (GString *s, gsize from)
{
  const char *cr = from < s->len ? memchr (s->str + from, '\r', s->len - from) : NULL;
  if (cr == NULL)
    return;
  gsize w = cr - s->str;
  for (gsize r = w; r < s->len; r++)
    {
      if (s->str[r] == '\r')
        {
          if (r + 1 < s->len && s->str[r + 1] == '\n')
            continue;
          s->str[w++] = '\n';
        }
      else
        s->str[w++] = s->str[r];
    }
  g_string_truncate (s, w);
}

/* Whether LEN bytes of DATA are their own UTF-8 form: valid UTF-8 (no
 * NUL, which g_utf8_validate_len() rejects) that CHARSET does not say
 * is something else. */
static gboolean
already_utf8 (const char *data, gsize len, const char *charset)
{
  if (!charset_is_utf8_or_ascii (charset)
      && (!charset_is_ascii_superset (charset) || md_text_has_8bit (data, len)))
    return FALSE;
  return g_utf8_validate_len (data, len, NULL);
}

/* Text that is not already UTF-8: converted from its charset, or taken
 * as UTF-8 or ASCII after all, or guessed. */
static GString *
convert_text (const char *data, gsize len, const char *charset, gboolean *guessed)
{
  gboolean ascii = !md_text_has_8bit (data, len);
  gboolean compatible = charset_is_utf8_or_ascii (charset) || charset_is_ascii_superset (charset);
  GString *out = g_string_sized_new (len + 1);
  gboolean ok = FALSE;

  if (!ascii && !charset_is_utf8_or_ascii (charset))
    ok = convert_from (data, len, charset, out);
  else if (ascii && !compatible)
    ok = convert_from (data, len, charset, out);   /* ISO-2022-JP, UTF-7: 7-bit but encoded */
  if (!ok && (ascii || g_utf8_validate_len (data, len, NULL)))
    {
      g_string_append_len (out, data, len);
      ok = TRUE;
    }
  if (!ok)
    {
      guess_append (data, len, out);
      if (guessed)
        *guessed = TRUE;
    }
  return out;
}

char *
md_text_to_utf8 (const char *data, gsize len, const char *charset,
                 gboolean multi_line, gboolean *guessed)
{
  GString *out;

  if (already_utf8 (data, len, charset))
    out = g_string_new_len (data, len);   /* the common case: one copy */
  else
    out = convert_text (data, len, charset, guessed);
  if (multi_line)
    normalise_newlines (out, 0);
  if (g_utf8_validate_len (out->str, out->len, NULL))
    return g_string_free (out, FALSE);
  /* the last guard: NULs and anything iconv let through */
  char *valid = g_utf8_make_valid (out->str, out->len);
  g_string_free (out, TRUE);
  return valid;
}

void
md_text_to_utf8_tail (GString *s, gsize from, const char *charset,
                      gboolean multi_line, gboolean *guessed)
{
  if (already_utf8 (s->str + from, s->len - from, charset))
    {
      if (multi_line)
        normalise_newlines (s, from);
      return;
    }
  g_autofree char *text = md_text_to_utf8 (s->str + from, s->len - from, charset,
                                          multi_line, guessed);
  g_string_truncate (s, from);
  g_string_append (s, text);
}

static gboolean
is_line_break_char (gunichar c)
{
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)
    || c == 0x2028 || c == 0x2029 || c == 0x85;
}

char *
md_text_single_line (char *s, gsize max)
{
  GString *out = g_string_sized_new (strlen (s));
  gboolean space = FALSE;

  for (const char *p = s; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (is_line_break_char (c) || c == ' ' || c == 0xA0)
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }
  gsize n = md_text_utf8_cut (out->str, out->len, MIN (max, strlen (s)));
  memcpy (s, out->str, n);   /* never longer than the input */
  s[n] = '\0';
  g_string_free (out, TRUE);
  return s;
}
