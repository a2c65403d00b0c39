/* message.c - raw RFC 5322 bytes -> MdRecord (message.h).
 *
 * The outline: GMime parses the bytes (from memory, one copy); the
 * headers we record are read raw, made UTF-8 (declared charset of the
 * text, else UTF-8, else a guess), then unfolded and RFC 2047-decoded by
 * GMime; the body goes through body.c (which parts), patch.c (the diff
 * out, its stat and files kept), trailers.c and bodytrim.c.  Every stage
 * bounds its output, so a hostile message costs at most a few times its
 * size once, and the record holds a bounded amount.
 */
#include <string.h>
#include "message.h"
#include "body.h"
#include "bodytrim.h"
#include "error.h"
#include "gmime-cleanup.h"
#include "msgid.h"
#include "patch.h"
#include "subject.h"
#include "text.h"
#include "trailers.h"

#define SUBJECT_MAX     2048
#define NAME_MAX_LEN    256
#define EMAIL_MAX_LEN   320
#define RECIPIENTS_MAX  64
#define LIST_IDS_MAX    16
#define DATE_MIN        631152000           /* 1990-01-01: older is a broken clock */
#define DATE_SLACK      (2 * 24 * 3600)     /* how far past arrival a Date may be */

typedef struct {
  MdRecord *rec;
  GMimeMessage *msg;
  GMimeHeaderList *headers;
  const char *hint;     /* declared charset of the text: for raw 8-bit headers */
} Ctx;

static GMimeParserOptions *parser_options;

void
md_message_init (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      g_mime_init ();
      parser_options = g_mime_parser_options_new ();
      g_mime_parser_options_set_rfc2047_compliance_mode (parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
      g_mime_parser_options_set_address_compliance_mode (parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
      g_mime_parser_options_set_parameter_compliance_mode (parser_options, GMIME_RFC_COMPLIANCE_LOOSE);
      g_mime_parser_options_set_allow_addresses_without_domain (parser_options, TRUE);
      g_once_init_leave (&done, 1);
    }
}

/* ---- header access ---- */

/* The raw value of header I made UTF-8 and unfolded; newly allocated. */
static char *
header_utf8 (Ctx *c, GMimeHeader *h)
{
  const char *raw = g_mime_header_get_raw_value (h);
  if (raw == NULL)
    return g_strdup ("");
  gboolean guessed = FALSE;
  g_autofree char *utf8 = md_text_to_utf8 (raw, strlen (raw), c->hint, FALSE, &guessed);
  if (guessed)
    c->rec->flags |= MD_REC_CHARSET_GUESSED;
  return g_mime_utils_header_unfold (utf8);
}

static GMimeHeader *
find_header (Ctx *c, const char *name)
{
  return g_mime_header_list_get_header (c->headers, name);
}

/* Header NAME as unfolded UTF-8, or NULL when absent. */
static char *
header_raw (Ctx *c, const char *name)
{
  GMimeHeader *h = find_header (c, name);
  return h ? header_utf8 (c, h) : NULL;
}

/* Header NAME decoded (RFC 2047) to one clean line; NULL when absent. */
static char *
header_text (Ctx *c, const char *name, gsize max)
{
  g_autofree char *raw = header_raw (c, name);
  if (raw == NULL)
    return NULL;
  g_autofree char *dec = g_mime_utils_header_decode_text (parser_options, raw);
  char *valid = g_utf8_make_valid (dec ? dec : raw, -1);
  return md_text_single_line (valid, max);
}

/* ---- ids ---- */

static void
fill_ids (Ctx *c, const char *data, gsize len)
{
  MdRecord *rec = c->rec;
  g_autofree char *mid = header_raw (c, "Message-ID");
  g_autofree char *irt = header_raw (c, "In-Reply-To");
  g_autofree char *refs = header_raw (c, "References");

  rec->message_id = md_msgid_normalise (mid);
  if (rec->message_id == NULL)
    {
      rec->message_id = md_msgid_synthesise (data, len);
      rec->flags |= MD_REC_ID_SYNTHETIC;
    }
  md_msgid_parse_list (refs, rec->references);
  /* a message is never its own ancestor: such loops break threading */
  for (guint i = 0; i < rec->references->len; )
    if (strcmp (rec->references->pdata[i], rec->message_id) == 0)
      g_ptr_array_remove_index (rec->references, i);
    else
      i++;
  g_autoptr (GPtrArray) parents = g_ptr_array_new_with_free_func (g_free);
  md_msgid_parse_list (irt, parents);
  if (parents->len > 0 && strcmp (parents->pdata[0], rec->message_id) != 0)
    rec->in_reply_to = g_strdup (parents->pdata[0]);
}

/* ---- date ---- */

static void
fill_date (Ctx *c)
{
  MdRecord *rec = c->rec;
  g_autofree char *raw = header_raw (c, "Date");
  GDateTime *dt = raw ? g_mime_utils_header_decode_date (raw) : NULL;
  gint64 t = 0;

  if (dt)
    {
      t = g_date_time_to_unix (dt);
      g_date_time_unref (dt);
    }
  if (dt == NULL || t < DATE_MIN || t > rec->arrival + DATE_SLACK)
    {
      rec->date = rec->arrival;
      rec->flags |= MD_REC_DATE_FALLBACK;
    }
  else
    rec->date = t;
}

/* ---- addresses ---- */

static char *
clean_email (const char *addr)
{
  char *e = g_utf8_make_valid (addr ? addr : "", -1);
  md_text_single_line (e, EMAIL_MAX_LEN);
  if (strchr (e, ' ') != NULL)
    *strchr (e, ' ') = '\0';
  return md_text_ascii_lower (e);
}

static char *
clean_name (const char *name)
{
  char *n = g_utf8_make_valid (name ? name : "", -1);
  md_text_single_line (n, NAME_MAX_LEN);
  gsize len = strlen (n);
  if (len >= 2 && n[0] == '"' && n[len - 1] == '"')
    {
      memmove (n, n + 1, len - 2);
      n[len - 2] = '\0';
    }
  return n;
}

/* Calls FN on every mailbox in LIST, groups flattened (one level: RFC
 * 5322 groups do not nest). */
static void
each_mailbox (InternetAddressList *list, void (*fn) (InternetAddressMailbox *, gpointer), gpointer data)
{
  for (int i = 0; list && i < internet_address_list_length (list); i++)
    {
      InternetAddress *a = internet_address_list_get_address (list, i);
      if (INTERNET_ADDRESS_IS_MAILBOX (a))
        fn (INTERNET_ADDRESS_MAILBOX (a), data);
      else if (INTERNET_ADDRESS_IS_GROUP (a))
        {
          InternetAddressList *m = internet_address_group_get_members (INTERNET_ADDRESS_GROUP (a));
          for (int j = 0; m && j < internet_address_list_length (m); j++)
            {
              InternetAddress *b = internet_address_list_get_address (m, j);
              if (INTERNET_ADDRESS_IS_MAILBOX (b))
                fn (INTERNET_ADDRESS_MAILBOX (b), data);
            }
        }
    }
}

static void
take_first_sender (InternetAddressMailbox *mb, gpointer data)
{
  MdRecord *rec = data;
  if (*rec->from_email || *rec->from_name)
    return;
  g_free (rec->from_email);
  g_free (rec->from_name);
  rec->from_email = clean_email (internet_address_mailbox_get_addr (mb));
  rec->from_name = clean_name (internet_address_get_name (INTERNET_ADDRESS (mb)));
}

static void
fill_from (Ctx *c)
{
  g_autofree char *raw = header_raw (c, "From");
  if (raw == NULL)
    raw = header_raw (c, "Sender");
  if (raw == NULL)
    return;
  g_autoptr (InternetAddressList) list = internet_address_list_parse (parser_options, raw);
  each_mailbox (list, take_first_sender, c->rec);
  if (*c->rec->from_email == '\0' && *c->rec->from_name == '\0')
    {
      /* not an address at all: keep what it says as the name */
      g_autofree char *dec = g_mime_utils_header_decode_text (parser_options, raw);
      g_free (c->rec->from_name);
      c->rec->from_name = clean_name (dec ? dec : raw);
    }
}

static void
add_unique (GPtrArray *arr, char *s, guint max)
{
  if (*s == '\0' || arr->len >= max)
    return g_free (s);
  for (guint i = 0; i < arr->len; i++)
    if (strcmp (arr->pdata[i], s) == 0)
      return g_free (s);
  g_ptr_array_add (arr, s);
}

static void
take_recipient (InternetAddressMailbox *mb, gpointer data)
{
  add_unique (data, clean_email (internet_address_mailbox_get_addr (mb)), RECIPIENTS_MAX);
}

static void
fill_recipients (Ctx *c)
{
  int n = g_mime_header_list_get_count (c->headers);
  for (int i = 0; i < n && c->rec->recipients->len < RECIPIENTS_MAX; i++)
    {
      GMimeHeader *h = g_mime_header_list_get_header_at (c->headers, i);
      const char *name = g_mime_header_get_name (h);
      if (g_ascii_strcasecmp (name, "To") != 0 && g_ascii_strcasecmp (name, "Cc") != 0)
        continue;
      g_autofree char *raw = header_utf8 (c, h);
      g_autoptr (InternetAddressList) list = internet_address_list_parse (parser_options, raw);
      each_mailbox (list, take_recipient, c->rec->recipients);
    }
}

/* ---- lists ---- */

/* The id of a List-Id value: inside <>, else the whole trimmed value. */
static char *
list_id_value (const char *value)
{
  const char *lt = strrchr (value, '<');
  const char *gt = lt ? strchr (lt, '>') : NULL;
  char *id = lt && gt ? g_strndup (lt + 1, gt - lt - 1) : g_strdup (value);
  md_text_single_line (id, 255);
  if (strchr (id, ' '))
    *id = '\0';   /* "<a b>" is no list id */
  return md_text_ascii_lower (id);
}

char *
md_list_short_name (const char *name_or_list_id)
{
  if (name_or_list_id == NULL)
    return NULL;
  g_autofree char *valid = g_utf8_make_valid (name_or_list_id, -1);
  g_autofree char *id = list_id_value (valid);
  gsize n = strcspn (id, ".@");
  GString *out = g_string_new (NULL);
  /* the name becomes an index key and a report heading: keep it tame */
  for (gsize i = 0; i < n && out->len < 64; i++)
    {
      char ch = id[i];
      g_string_append_c (out, g_ascii_isalnum (ch) || ch == '-' || ch == '_' || ch == '+' ? ch : '-');
    }
  return g_string_free (out, out->len == 0);
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
fill_lists (Ctx *c, const MdParseOptions *opts)
{
  MdRecord *rec = c->rec;
  int n = g_mime_header_list_get_count (c->headers);
  for (int i = 0; i < n && rec->list_ids->len < LIST_IDS_MAX; i++)
    {
      GMimeHeader *h = g_mime_header_list_get_header_at (c->headers, i);
      if (g_ascii_strcasecmp (g_mime_header_get_name (h), "List-Id") != 0)
        continue;
      g_autofree char *raw = header_utf8 (c, h);
      g_autofree char *dec = g_mime_utils_header_decode_text (parser_options, raw);
      g_autofree char *valid = g_utf8_make_valid (dec ? dec : raw, -1);
      add_unique (rec->list_ids, list_id_value (valid), LIST_IDS_MAX);
    }
  if (opts && opts->list)
    {
      char *s = md_list_short_name (opts->list);
      if (s)
        g_ptr_array_add (rec->lists, s);
    }
  else
    for (guint i = 0; i < rec->list_ids->len; i++)
      {
        char *s = md_list_short_name (rec->list_ids->pdata[i]);
        if (s)
          add_unique (rec->lists, s, LIST_IDS_MAX);
      }
  g_ptr_array_sort (rec->lists, cmp_str);
}

/* ---- body ---- */

/* An attached "git format-patch" file starts with its own mail header;
 * its commit message starts after it.  Returns that offset. */
static gsize
patch_header_len (const char *text)
{
  if (!g_str_has_prefix (text, "From ") && !g_str_has_prefix (text, "From:"))
    return 0;
  const char *blank = strstr (text, "\n\n");
  return blank ? (gsize) (blank + 2 - text) : 0;
}

static char *
bounded_dup (const char *s)
{
  if (s == NULL)
    return NULL;
  gsize len = strlen (s);
  return g_strndup (s, md_text_utf8_cut (s, len, MD_BODY_MAX));
}

static void
merge_patches (MdRecord *rec, MdPatch *own, MdPatch *att)
{
  if (own->found || att->found)
    rec->flags |= MD_REC_HAS_PATCH;
  rec->commit_msg = bounded_dup (own->commit_msg ? own->commit_msg : att->commit_msg);
  rec->diffstat = bounded_dup (own->diffstat ? own->diffstat : att->diffstat);
  /* own files first, then the attached ones not among them; a set
   * keeps this linear for a series touching hundreds of files */
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *lists[] = { own->files, att->files };
  for (gsize k = 0; k < G_N_ELEMENTS (lists); k++)
    for (guint i = 0; i < lists[k]->len && rec->files->len < MD_PATCH_MAX_FILES; i++)
      {
        char *path = lists[k]->pdata[i];
        if (*path != '\0' && g_hash_table_add (seen, path))
          g_ptr_array_add (rec->files, g_strdup (path));
      }  /* the same for functions; each list is short (MD_PATCH_MAX_FUNCS) */
  GPtrArray *funcs[] = { own->functions, att->functions };
  for (gsize k = 0; k < G_N_ELEMENTS (funcs); k++)
    for (guint i = 0; i < funcs[k]->len && rec->functions->len < MD_PATCH_MAX_FUNCS; i++)
      if (!g_ptr_array_find_with_equal_func (rec->functions, funcs[k]->pdata[i], g_str_equal, NULL))
        g_ptr_array_add (rec->functions, g_strdup (funcs[k]->pdata[i]));
}

/* The text is read where body.c put it: the diffs are found, then cut
 * out in place, and only the trimmed, bounded body is copied. */
static void
fill_body (Ctx *c)
{
  MdRecord *rec = c->rec;
  MdBody body;
  MdPatch own, att;
  gboolean truncated = FALSE;

  md_body_init (&body);
  md_patch_init (&own);
  md_patch_init (&att);
  md_body_collect (g_mime_message_get_mime_part (c->msg), &body);
  gsize att_from = patch_header_len (body.patches->str);
  md_patch_split (body.text->str, body.text->len, rec->tags.reply, &own);
  md_patch_split (body.patches->str + att_from, body.patches->len - att_from, FALSE, &att);
  merge_patches (rec, &own, &att);
  md_patch_remove_diffs (&own, body.text, 0);
  md_patch_remove_diffs (&att, body.patches, att_from);
  md_trailers_scan (body.text->str, body.text->len, rec);
  md_trailers_scan (body.patches->str + att_from, body.patches->len - att_from, rec);
  g_free (rec->body);
  rec->body = md_body_trim (body.text->str, body.text->len, MD_BODY_MAX, &truncated);
  if (truncated || body.truncated)
    rec->flags |= MD_REC_BODY_TRUNCATED;
  if (body.html_only)
    rec->flags |= MD_REC_HTML_ONLY;
  if (body.guessed)
    rec->flags |= MD_REC_CHARSET_GUESSED;
  md_patch_clear (&own);
  md_patch_clear (&att);
  md_body_clear (&body);
}

/* ---- the parse ---- */

static GMimeMessage *
parse_mime (const char *data, gsize len)
{
  g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (data, len);
  g_autoptr (GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  return g_mime_parser_construct_message (parser, parser_options);
}

static void
fill_subject (Ctx *c)
{
  char *subject = header_text (c, "Subject", SUBJECT_MAX);
  if (subject)
    {
      g_free (c->rec->subject);
      c->rec->subject = subject;
    }
  md_subject_parse (c->rec->subject, &c->rec->tags);
}

MdRecord *
md_message_parse (const char *data, gsize len, const MdParseOptions *opts, GError **error)
{
  md_message_init ();
  if (data == NULL || md_text_is_blank (data, len))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_DATA, "empty message");
      return NULL;
    }
  g_autoptr (GMimeMessage) msg = parse_mime (data, len);
  GMimeHeaderList *headers = msg ? g_mime_object_get_header_list (GMIME_OBJECT (msg)) : NULL;
  if (headers == NULL || g_mime_header_list_get_count (headers) == 0)
    {
      g_set_error (error, MD_ERROR, MD_ERROR_DATA, "not a mail message: no header found");
      return NULL;
    }
  g_autoptr (MdRecord) rec = md_record_new ();
  Ctx c = { rec, msg, headers, md_body_charset_hint (g_mime_message_get_mime_part (msg)) };
  rec->arrival = opts && opts->arrival > 0 ? opts->arrival : g_get_real_time () / G_USEC_PER_SEC;
  fill_ids (&c, data, len);
  fill_date (&c);
  fill_from (&c);
  fill_recipients (&c);
  fill_lists (&c, opts);
  fill_subject (&c);
  fill_body (&c);
  /* Taking GMime's tree of the message apart (a GObject per header, part
   * and address) costs a delivery 1% of its time; a process that exits
   * next has the kernel do it.  Kept reachable, so no leak checker
   * counts it. */
  static GMimeMessage *left_to_exit;
  if (opts != NULL && opts->exiting)
    {
      g_clear_object (&left_to_exit);
      left_to_exit = g_steal_pointer (&msg);
    }
  return g_steal_pointer (&rec);
}
