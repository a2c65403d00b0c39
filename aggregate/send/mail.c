#include "mail.h"
#include "error.h"
#include "gmime-cleanup.h"
#include "message.h"
#include <string.h>

char *
md_mail_header_clean (const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s ? s : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029 || c == ' ')
        {
          if (out->len && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
          continue;
        }
      g_string_append_unichar (out, c);
    }
  if (out->len && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

static InternetAddressList *
parse_addresses (const char *s, GError **error)
{
  g_autofree char *clean = md_mail_header_clean (s);
  InternetAddressList *list = internet_address_list_parse (NULL, clean);
  int n = list ? internet_address_list_length (list) : 0;

  for (int i = 0; i < n; i++)
    {
      InternetAddress *a = internet_address_list_get_address (list, i);
      if (!INTERNET_ADDRESS_IS_MAILBOX (a)
          || strchr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (a)), '@') == NULL)
        n = 0;
    }
  if (n > 0)
    return list;
  g_clear_object (&list);
  g_set_error (error, MD_ERROR, MD_ERROR_CONFIG, "not a mail address: '%s'", clean);
  return NULL;
}

char *
md_mail_addr_spec (const char *s)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);

  if (!md_mail_addr_specs (s, all, NULL))
    return NULL;
  return g_strdup (all->pdata[0]);
}

gboolean
md_mail_addr_specs (const char *s, GPtrArray *out, GError **error)
{
  g_autoptr (InternetAddressList) list = NULL;

  md_message_init ();
  if ((list = parse_addresses (s, error)) == NULL)
    return FALSE;
  for (int i = 0; i < internet_address_list_length (list); i++)
    g_ptr_array_add (out, g_strdup (internet_address_mailbox_get_addr (
      INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, i)))));
  return TRUE;
}

static gboolean
add_addresses (GMimeMessage *msg, GMimeAddressType type, char **values,
               GError **error)
{
  InternetAddressList *dest = g_mime_message_get_addresses (msg, type);

  for (guint i = 0; values && values[i]; i++)
    {
      g_autoptr (InternetAddressList) list = NULL;
      g_autofree char *clean = md_mail_header_clean (values[i]);
      if (*clean == '\0')
        continue;
      if ((list = parse_addresses (values[i], error)) == NULL)
        return FALSE;
      internet_address_list_append (dest, list);
    }
  return TRUE;
}

/* A UTF-8 text part in QP or base64: 7bit or 8bit would let an MTA
 * rewrap or recode it (the mojibake of the seeds).  The rendering goes in
 * as it is, LF line ends included, so that a reader decodes exactly the
 * --format text/html bytes: quoted-printable turns each LF into a hard
 * CRLF on the wire, which a mailbox stores back as LF. */
static GMimeObject *
text_part (const char *subtype, const char *text)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype (subtype);
  g_autoptr (GMimeStream) mem = g_mime_stream_mem_new_with_buffer (text, strlen (text));
  g_autoptr (GMimeDataWrapper) content = g_mime_data_wrapper_new_with_stream (mem, GMIME_CONTENT_ENCODING_DEFAULT);
  GMimeContentEncoding enc;

  g_mime_part_set_content (GMIME_PART (part), content);
  g_mime_text_part_set_charset (part, "utf-8");
  enc = g_mime_part_get_best_content_encoding (GMIME_PART (part), GMIME_ENCODING_CONSTRAINT_7BIT);
  if (enc != GMIME_CONTENT_ENCODING_BASE64)
    enc = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
  g_mime_part_set_content_encoding (GMIME_PART (part), enc);
  return GMIME_OBJECT (part);
}

static void
set_id_header (GMimeMessage *msg, const char *name, const char *id)
{
  g_autofree char *clean = md_mail_header_clean (id);
  g_autofree char *value = g_strdup_printf ("<%s>", clean);
  g_mime_object_set_header (GMIME_OBJECT (msg), name, value, NULL);
}

static void
set_headers (GMimeMessage *msg, const MdMailSpec *spec)
{
  g_autofree char *subject = md_mail_header_clean (spec->subject);
  g_autofree char *mid = md_mail_header_clean (spec->message_id);
  g_autofree char *lang = md_mail_header_clean (spec->lang);

  g_mime_message_set_subject (msg, subject, "utf-8");
  g_mime_message_set_date (msg, spec->date);
  g_mime_message_set_message_id (msg, mid);
  if (spec->in_reply_to)
    {
      set_id_header (msg, "In-Reply-To", spec->in_reply_to);
      set_id_header (msg, "References", spec->in_reply_to);
    }
  /* RFC 3834: no vacation replies or bounces to a robot's mail */
  g_mime_object_set_header (GMIME_OBJECT (msg), "Auto-Submitted", "auto-generated", NULL);
  g_mime_object_set_header (GMIME_OBJECT (msg), "Content-Language", lang, NULL);
}

static GBytes *
serialise (GMimeMessage *msg)
{
  g_autoptr (GMimeFormatOptions) opts = g_mime_format_options_new ();
  g_autoptr (GMimeStream) mem = g_mime_stream_mem_new ();
  GByteArray *bytes;

  g_mime_format_options_set_newline_format (opts, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_object_write_to_stream (GMIME_OBJECT (msg), opts, mem);
  bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  return g_bytes_new (bytes->data, bytes->len);
}

GBytes *
md_mail_build (const MdMailSpec *spec, GError **error)
{
  g_autoptr (GMimeMessage) msg = NULL;
  g_autoptr (GMimeMultipart) alt = NULL;
  g_autoptr (GMimeObject) text = NULL, html = NULL;
  char *from[] = { (char *) spec->from, NULL };
  char *reply_to[] = { (char *) spec->reply_to, NULL };

  md_message_init ();
  msg = g_mime_message_new (TRUE);
  if (!add_addresses (msg, GMIME_ADDRESS_TYPE_FROM, from, error)
      || !add_addresses (msg, GMIME_ADDRESS_TYPE_TO, spec->to, error)
      || !add_addresses (msg, GMIME_ADDRESS_TYPE_CC, spec->cc, error)
      || !add_addresses (msg, GMIME_ADDRESS_TYPE_REPLY_TO, spec->reply_to ? reply_to : NULL, error))
    return NULL;
  set_headers (msg, spec);
  alt = g_mime_multipart_new_with_subtype ("alternative");
  text = text_part ("plain", spec->text);
  html = text_part ("html", spec->html);
  g_mime_multipart_add (alt, text);
  g_mime_multipart_add (alt, html);
  g_mime_message_set_mime_part (msg, GMIME_OBJECT (alt));
  return serialise (msg);
}
