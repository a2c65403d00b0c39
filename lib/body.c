/* body.c - choosing and decoding a message's text parts (body.h). */
#include <string.h>
#include "body.h"
#include "gmime-cleanup.h"
#include "html.h"
#include "text.h"

typedef struct {
  MdBody *body;
  GString *html;     /* text/html seen, used only if no text/plain is found */
  guint parts;
  gsize budget;      /* decoded bytes still allowed */
  gboolean reparsed; /* a partless multipart was parsed again (once only) */
} Walk;

void
md_body_init (MdBody *body)
{
  memset (body, 0, sizeof *body);
  body->text = g_string_new (NULL);
  body->patches = g_string_new (NULL);
}

void
md_body_clear (MdBody *body)
{
  if (body->text)
    g_string_free (body->text, TRUE);
  if (body->patches)
    g_string_free (body->patches, TRUE);
  memset (body, 0, sizeof *body);
}

static gboolean
name_is_patch (const char *name)
{
  return name != NULL && (g_str_has_suffix (name, ".patch") || g_str_has_suffix (name, ".diff")
                          || g_str_has_suffix (name, ".PATCH") || g_str_has_suffix (name, ".DIFF"));
}

static gboolean
is_patch_part (GMimePart *part)
{
  GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (part));
  if (ct == NULL)
    return FALSE;
  const char *sub = g_mime_content_type_get_media_subtype (ct);
  if (sub && (g_ascii_strcasecmp (sub, "x-patch") == 0 || g_ascii_strcasecmp (sub, "x-diff") == 0
              || g_ascii_strcasecmp (sub, "diff") == 0 || g_ascii_strcasecmp (sub, "patch") == 0))
    return TRUE;
  return name_is_patch (g_mime_part_get_filename (part));
}

/* The content of PART with its transfer encoding undone: what
 * g_mime_data_wrapper_write_to_stream() would write, read from the same
 * GMime filter so that it can go straight into the text it belongs to.
 * NULL when PART has no content. */
static GMimeStream *
open_decoded (GMimePart *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GMimeStream *raw = content ? g_mime_data_wrapper_get_stream (content) : NULL;
  if (raw == NULL)
    return NULL;
  g_mime_stream_reset (raw);
  GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding (content);
  if (enc != GMIME_CONTENT_ENCODING_BASE64 && enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
      && enc != GMIME_CONTENT_ENCODING_UUENCODE)
    return g_object_ref (raw);
  GMimeStream *filtered = g_mime_stream_filter_new (raw);
  g_autoptr (GMimeFilter) filter = g_mime_filter_basic_new (enc, FALSE);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), filter);
  return filtered;
}

/* Reads STREAM onto the end of DST, at most MAX bytes, into room sized
 * from HINT (the encoded length, never less than the decoded one) so
 * that a large part is neither copied again nor reallocated, and the
 * rest of a huge one is never decoded.  Returns the bytes read; *MORE is
 * set when STREAM held more than MAX. */
static gsize
read_onto (GMimeStream *stream, GString *dst, gsize max, gint64 hint, gboolean *more)
{
  gsize start = dst->len, got = 0;
  gsize room = MIN (hint > 0 ? (gsize) hint : 4096, max) + 1;   /* one more tells MORE */

  while (got <= max && !g_mime_stream_eos (stream))
    {
      if (got == room)
        room = MIN (room * 2, max + 1);
      g_string_set_size (dst, start + room);
      gssize n = g_mime_stream_read (stream, dst->str + start + got, room - got);
      if (n < 0)
        break;
      got += n;
    }
  *more = got > max;
  g_string_truncate (dst, start + MIN (got, max));
  return MIN (got, max);
}

/* Starts a part's text on a line of its own in DST; returns where. */
static gsize
start_text (GString *dst)
{
  if (dst->len > 0 && dst->str[dst->len - 1] != '\n')
    g_string_append_c (dst, '\n');
  return dst->len;
}

/* Appends PART's text to DST on a line of its own: transfer encoding
 * undone within the walk's budget, then charset to UTF-8 and newlines to
 * LF in place (text.h).  FALSE when the part has no content. */
static gboolean
decode_onto (GMimePart *part, Walk *w, GString *dst)
{
  if (w->budget == 0)
    return FALSE;
  g_autoptr (GMimeStream) stream = open_decoded (part);
  if (stream == NULL)
    return FALSE;
  gsize start = start_text (dst);
  gboolean more = FALSE;
  GMimeStream *raw = g_mime_data_wrapper_get_stream (g_mime_part_get_content (part));
  w->budget -= read_onto (stream, dst, w->budget, g_mime_stream_length (raw), &more);
  g_mime_stream_reset (raw);
  w->body->truncated |= more;
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  md_text_to_utf8_tail (dst, start, charset, TRUE, &w->body->guessed);
  return TRUE;
}

/* A diff in a text attachment is still a patch (people attach
 * "fix.txt"); any other attachment is not the message's text. */
static gboolean
looks_like_diff (const char *text)
{
  return g_str_has_prefix (text, "diff ") || strstr (text, "\ndiff --git ") != NULL
    || (strstr (text, "\n--- ") != NULL && strstr (text, "\n+++ ") != NULL
        && strstr (text, "\n@@ ") != NULL);
}

/* An attachment is decoded aside (its bytes count against the budget
 * whatever it is) and kept only when it is a diff. */
static void
collect_attachment (GMimePart *part, Walk *w, gboolean plain)
{
  g_autoptr (GString) text = g_string_new (NULL);
  if (!decode_onto (part, w, text) || !plain || !looks_like_diff (text->str))
    return;
  start_text (w->body->patches);
  g_string_append_len (w->body->patches, text->str, text->len);
}

/* RFC 2045 5.2: a Content-Type that does not parse is text/plain.
 * GMime makes it application/octet-stream; a value without even a '/'
 * ("text", ";;;") tells it from a real one.  A part with a file name is
 * a file all the same ("; name=photo.jpg"): it stays what GMime says. */
static gboolean
type_is_garbage (GMimePart *part)
{
  const char *raw = g_mime_object_get_header (GMIME_OBJECT (part), "Content-Type");
  if (raw == NULL || strchr (raw, '/') != NULL || g_mime_part_get_filename (part) != NULL)
    return FALSE;
  g_autofree char *lower = g_ascii_strdown (raw, -1);
  return strstr (lower, "name=") == NULL;   /* GMime may not have parsed it */
}

static void
collect_leaf (GMimePart *part, Walk *w)
{
  GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (part));
  gboolean attachment = g_mime_part_is_attachment (part);
  gboolean patch = is_patch_part (part);
  gboolean garbage = type_is_garbage (part);

  if (ct == NULL || (!garbage && !g_mime_content_type_is_type (ct, "text", "*") && !patch))
    return;
  gboolean html = !garbage && g_mime_content_type_is_type (ct, "text", "html");
  gboolean plain = garbage || g_mime_content_type_is_type (ct, "text", "plain");
  if (!patch && !html && !plain && !attachment)
    plain = TRUE;   /* text/x-whatever inline: still readable text */
  if (patch)
    decode_onto (part, w, w->body->patches);
  else if (attachment && (plain || html))
    collect_attachment (part, w, plain);
  else if (html)
    decode_onto (part, w, w->html);
  else if (plain)
    decode_onto (part, w, w->body->text);
}

/* Appends the prologue TEXT of a multipart as the message's text. */
static void
collect_prologue (GMimeMultipart *mp, const char *text, Walk *w)
{
  if (w->budget == 0)
    return;
  gsize len = strlen (text), take = MIN (len, w->budget);
  gsize start = start_text (w->body->text);
  g_string_append_len (w->body->text, text, take);
  w->body->truncated |= len > take;
  w->budget -= take;
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (mp), "charset");
  md_text_to_utf8_tail (w->body->text, start, charset, TRUE, &w->body->guessed);
}

/* The boundary of a first line "--boundary", or NULL when TEXT does not
 * start with one that can be quoted in a header. */
static char *
boundary_line (const char *text)
{
  while (*text == '\r' || *text == '\n')
    text++;
  gsize n = strcspn (text, "\r\n");
  if (n < 3 || n > 72 || text[0] != '-' || text[1] != '-')
    return NULL;
  for (gsize i = 2; i < n; i++)
    if (text[i] <= ' ' || text[i] == '"' || text[i] == '\\' || text[i] == 0x7F)
      return NULL;
  return g_strndup (text + 2, n - 2);
}

/* TEXT parsed again by GMime as a multipart/SUBTYPE with BOUNDARY. */
static GMimeObject *
reparse (const char *text, const char *boundary, const char *subtype)
{
  g_autofree char *header = g_strdup_printf ("Content-Type: multipart/%s; boundary=\"%s\"\n\n",
                                             subtype ? subtype : "mixed", boundary);
  g_autoptr (GMimeStream) cat = g_mime_stream_cat_new ();
  g_autoptr (GMimeStream) head = g_mime_stream_mem_new_with_buffer (header, strlen (header));
  g_autoptr (GMimeStream) body = g_mime_stream_mem_new_with_buffer (text, strlen (text));
  g_mime_stream_cat_add_source (GMIME_STREAM_CAT (cat), head);
  g_mime_stream_cat_add_source (GMIME_STREAM_CAT (cat), body);
  g_autoptr (GMimeParser) parser = g_mime_parser_new_with_stream (cat);
  return g_mime_parser_construct_part (parser, NULL);
}

static void walk (GMimeObject *obj, Walk *w, guint depth);

/* A multipart without parts: its boundary parameter is missing or is
 * not the one its parts use, so GMime saw it all as prologue.  When the
 * prologue starts with a boundary line, GMime parses it again with that
 * boundary (once per message: a second partless level is plain text);
 * otherwise the prologue is the text. */
static void
walk_partless (GMimeMultipart *mp, Walk *w, guint depth)
{
  const char *text = g_mime_multipart_get_prologue (mp);
  if (text == NULL)
    return;
  g_autofree char *boundary = w->reparsed ? NULL : boundary_line (text);
  if (boundary == NULL)
    {
      collect_prologue (mp, text, w);
      return;
    }
  w->reparsed = TRUE;
  GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (mp));
  g_autoptr (GMimeObject) again = reparse (text, boundary, ct ? g_mime_content_type_get_media_subtype (ct) : NULL);
  walk (again, w, depth + 1);
}

/* In an alternative, the plain text is the message; HTML only if that
 * is all there is. */
static void
walk_alternative (GMimeMultipart *mp, Walk *w, guint depth)
{
  int n = g_mime_multipart_get_count (mp);
  for (int i = 0; i < n; i++)
    {
      GMimeObject *child = g_mime_multipart_get_part (mp, i);
      GMimeContentType *ct = g_mime_object_get_content_type (child);
      if (ct && g_mime_content_type_is_type (ct, "text", "plain"))
        {
          walk (child, w, depth + 1);
          return;
        }
    }
  for (int i = 0; i < n; i++)
    walk (g_mime_multipart_get_part (mp, i), w, depth + 1);
}

static void
walk (GMimeObject *obj, Walk *w, guint depth)
{
  if (obj == NULL || depth > MD_BODY_MAX_DEPTH || ++w->parts > MD_BODY_MAX_PARTS)
    return;
  if (GMIME_IS_MULTIPART_ENCRYPTED (obj))
    return;
  if (GMIME_IS_MULTIPART (obj) && g_mime_multipart_get_count (GMIME_MULTIPART (obj)) == 0)
    {
      walk_partless (GMIME_MULTIPART (obj), w, depth);
      return;
    }
  if (GMIME_IS_MULTIPART_SIGNED (obj))
    {
      /* the signature part is not text; the content is */
      walk (g_mime_multipart_get_part (GMIME_MULTIPART (obj), GMIME_MULTIPART_SIGNED_CONTENT),
            w, depth + 1);
      return;
    }
  if (GMIME_IS_MULTIPART (obj))
    {
      GMimeContentType *ct = g_mime_object_get_content_type (obj);
      if (ct && g_mime_content_type_is_type (ct, "multipart", "alternative"))
        walk_alternative (GMIME_MULTIPART (obj), w, depth);
      else
        for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (obj)); i++)
          walk (g_mime_multipart_get_part (GMIME_MULTIPART (obj), i), w, depth + 1);
      return;
    }
  if (GMIME_IS_PART (obj))
    collect_leaf (GMIME_PART (obj), w);
  /* message/rfc822 parts are someone else's message: not this one's text */
}

void
md_body_collect (GMimeObject *root, MdBody *body)
{
  Walk w = { body, g_string_new (NULL), 0, MD_BODY_MAX_TEXT, FALSE };

  walk (root, &w, 0);
  if (body->text->len == 0 && w.html->len > 0)
    {
      g_autofree char *text = md_html_to_text (w.html->str, w.html->len);
      g_string_append (body->text, text);
      body->html_only = TRUE;
    }
  g_string_free (w.html, TRUE);
}

static const char *
find_charset (GMimeObject *obj, guint depth, guint *seen)
{
  if (obj == NULL || depth > MD_BODY_MAX_DEPTH || ++*seen > MD_BODY_MAX_PARTS)
    return NULL;
  if (GMIME_IS_MULTIPART (obj))
    {
      for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (obj)); i++)
        {
          const char *cs = find_charset (g_mime_multipart_get_part (GMIME_MULTIPART (obj), i),
                                         depth + 1, seen);
          if (cs)
            return cs;
        }
      return NULL;
    }
  GMimeContentType *ct = g_mime_object_get_content_type (obj);
  if (ct == NULL || !g_mime_content_type_is_type (ct, "text", "*"))
    return NULL;
  return g_mime_content_type_get_parameter (ct, "charset");
}

const char *
md_body_charset_hint (GMimeObject *root)
{
  guint seen = 0;
  return find_charset (root, 0, &seen);
}
