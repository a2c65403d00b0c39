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

/* Decodes PART (transfer encoding, charset) within the walk's budget;
 * returns UTF-8 text with LF newlines, or NULL when it has no content. */
static char *
decode_part (GMimePart *part, Walk *w)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  if (content == NULL || w->budget == 0)
    return NULL;
  g_autoptr (GMimeStream) mem = g_mime_stream_mem_new ();
  g_mime_data_wrapper_write_to_stream (content, mem);
  GByteArray *bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  gsize len = bytes->len;
  if (len > w->budget)
    {
      len = w->budget;
      w->body->truncated = TRUE;
    }
  w->budget -= len;
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  return md_text_to_utf8 ((const char *) bytes->data, len, charset, TRUE, &w->body->guessed);
}

static void
append_text (GString *dst, const char *text)
{
  if (dst->len > 0 && dst->str[dst->len - 1] != '\n')
    g_string_append_c (dst, '\n');
  g_string_append (dst, text);
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

static void
collect_leaf (GMimePart *part, Walk *w)
{
  GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (part));
  gboolean attachment = g_mime_part_is_attachment (part);
  gboolean patch = is_patch_part (part);

  if (ct == NULL || (!g_mime_content_type_is_type (ct, "text", "*") && !patch))
    return;
  gboolean html = g_mime_content_type_is_type (ct, "text", "html");
  gboolean plain = g_mime_content_type_is_type (ct, "text", "plain");
  if (!patch && !html && !plain && !attachment)
    plain = TRUE;   /* text/x-whatever inline: still readable text */
  if (!patch && !html && !plain)
    return;
  g_autofree char *text = decode_part (part, w);
  if (text == NULL)
    return;
  if (patch || (attachment && plain && looks_like_diff (text)))
    append_text (w->body->patches, text);
  else if (html && !attachment)
    append_text (w->html, text);
  else if (plain && !attachment)
    append_text (w->body->text, text);
}

static void walk (GMimeObject *obj, Walk *w, guint depth);

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
  Walk w = { body, g_string_new (NULL), 0, MD_BODY_MAX_TEXT };

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
