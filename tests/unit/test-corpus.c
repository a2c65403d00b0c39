/* Unit tests: lib/message.c over the real mail in ../shared/corpus.
 *
 * Every file of tricky/ and suites/ must give a sane record or
 * MD_ERROR_DATA; tricky/MANIFEST.tsv then says what each file is
 * tricky for, and we check the record shows it was handled.
 */
#include <string.h>
#include <gmime/gmime.h>
#include "error.h"
#include "message.h"
#include "msgid.h"

#define ARRIVAL 1893456000   /* 2030-01-01: every corpus date is before it */

/* The corpus folder, or NULL after marking the test skipped. */
static char *
corpus_dir (void)
{
  const char *env = g_getenv ("MLDIGEST_CORPUS");
  char *dir = g_strdup (env && *env ? env : "../shared/corpus");
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip_printf ("no corpus at %s (set MLDIGEST_CORPUS)", dir);
      g_clear_pointer (&dir, g_free);
    }
  return dir;
}

static gboolean
skip_name (const char *name)
{
  return g_str_has_prefix (name, "LICENSE") || g_str_has_prefix (name, "README")
    || strcmp (name, "SOURCE_COMMIT") == 0 || g_str_has_suffix (name, ".md")
    || g_str_has_suffix (name, ".tsv") || name[0] == '.';
}

static void
list_files (const char *dir, GPtrArray *out)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      if (skip_name (name))
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        list_files (path, out);
      else
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

/* An encoded word that GMime would still decode is a bug of ours. */
static void
assert_no_encoded_word (const char *s)
{
  if (strstr (s, "=?") == NULL)
    return;
  g_autofree char *dec = g_mime_utils_header_decode_text (NULL, s);
  if (g_strcmp0 (dec, s) != 0)
    g_error ("undecoded encoded word left in \"%s\"", s);
}

static void
assert_single_line (const char *s)
{
  g_assert_true (g_utf8_validate (s, -1, NULL));
  g_assert_null (strpbrk (s, "\r\n"));
}

/* Text meant to be read (not ids or addresses, which are never decoded). */
static void
assert_decoded_line (const char *s)
{
  assert_single_line (s);
  assert_no_encoded_word (s);
}

static void
assert_sane (const MdRecord *r)
{
  assert_single_line (r->message_id);
  assert_decoded_line (r->subject);
  assert_decoded_line (r->from_name);
  assert_single_line (r->from_email);
  g_assert_cmpstr (r->message_id, !=, "");
  if (r->in_reply_to)
    assert_single_line (r->in_reply_to);
  GPtrArray *arrays[] = { r->references, r->lists, r->list_ids, r->recipients, r->files };
  for (gsize a = 0; a < G_N_ELEMENTS (arrays); a++)
    for (guint i = 0; i < arrays[a]->len; i++)
      assert_single_line (arrays[a]->pdata[i]);
  for (guint i = 0; i < r->trailers->len; i++)
    {
      MdTrailer *t = &g_array_index (r->trailers, MdTrailer, i);
      assert_decoded_line (t->name);
      assert_single_line (t->email);
    }
  g_assert_true (g_utf8_validate (r->body, -1, NULL));
  g_assert_cmpuint (strlen (r->body), <=, 64 * 1024);
  g_assert_true (r->commit_msg == NULL || g_utf8_validate (r->commit_msg, -1, NULL));
  g_assert_true (r->diffstat == NULL || g_utf8_validate (r->diffstat, -1, NULL));
}

/* Parses PATH: a sane record, or NULL with MD_ERROR_DATA. */
static MdRecord *
parse_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) err = NULL;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  MdParseOptions opts = { NULL, ARRIVAL, FALSE };
  MdRecord *r = md_message_parse (data, len, &opts, &err);
  if (r == NULL)
    {
      g_assert_error (err, MD_ERROR, MD_ERROR_DATA);
      g_assert_cmpstr (err->message, !=, "");
      return NULL;
    }
  assert_sane (r);
  return r;
}

static void
test_every_file (void)
{
  g_autofree char *top = corpus_dir ();
  if (top == NULL)
    return;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *subdirs[] = { "tricky", "suites" };
  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *d = g_build_filename (top, subdirs[i], NULL);
      list_files (d, files);
    }
  guint parsed = 0, rejected = 0;
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr (MdRecord) r = parse_file (files->pdata[i]);
      r ? parsed++ : rejected++;
    }
  g_test_message ("%u files: %u recorded, %u rejected", files->len, parsed, rejected);
  g_assert_cmpuint (parsed, >, 700);
  g_assert_cmpuint (rejected, <, parsed / 20);
}

/* ---- MANIFEST categories ---- */

typedef struct {
  const char *dir;                       /* tricky/ */
  const char *file, *category, *note;   /* point into COLS */
  char **cols;
  MdRecord *rec;
} Entry;

static gboolean
has_non_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s >= 0x80)
      return TRUE;
  return FALSE;
}

/* The id in the first <...> of NOTE, domain lower-cased: computed here
 * independently of msgid.c. */
static char *
expected_id (const char *note)
{
  const char *lt = strchr (note, '<'), *gt = lt ? strchr (lt, '>') : NULL;
  if (gt == NULL)
    return NULL;
  char *id = g_strndup (lt + 1, gt - lt - 1);
  char *at = strrchr (id, '@');
  for (char *p = at; p && *p; p++)
    *p = g_ascii_tolower (*p);
  return id;
}

static void
check_ids (const Entry *e)
{
  const MdRecord *r = e->rec;
  g_autofree char *want = expected_id (e->note);
  if (strcmp (e->category, "odd-message-id") == 0)
    {
      g_assert_false (md_record_has_flag (r, MD_REC_ID_SYNTHETIC));
      g_assert_null (strpbrk (r->message_id, "<> +"));
      if (want)
        g_assert_cmpstr (r->message_id, ==, want);
    }
  else if (strcmp (e->category, "odd-in-reply-to") == 0)
    g_assert_cmpstr (r->in_reply_to, ==, want);
  else if (strcmp (e->category, "in-reply-to-without-references") == 0)
    {
      g_assert_nonnull (r->in_reply_to);
      g_assert_cmpuint (r->references->len, ==, 0);
    }
  else if (strcmp (e->category, "references-without-in-reply-to") == 0)
    {
      g_assert_null (r->in_reply_to);
      g_assert_cmpuint (r->references->len, >, 0);
    }
  else if (strcmp (e->category, "references-no-space-between-ids") == 0)
    g_assert_cmpuint (r->references->len, >=, 2);
  else if (strcmp (e->category, "long-references-chain") == 0)
    g_assert_cmpuint (r->references->len, ==, (guint) atoi (e->note));
}

/* rfc2047-<header>-<charset>: the header came out decoded. */
static void
check_rfc2047 (const Entry *e)
{
  const MdRecord *r = e->rec;
  /* words may encode plain ASCII ("platform=5Fdriver"), but nobody
   * picks a CJK charset for that */
  gboolean ascii = !g_str_has_suffix (e->category, "-gb2312") && !g_str_has_suffix (e->category, "-gbk")
    && !g_str_has_suffix (e->category, "-iso-2022-jp") && !g_str_has_suffix (e->category, "-ks_c_5601-1987");
  if (g_str_has_prefix (e->category, "rfc2047-subject-"))
    {
      g_assert_cmpstr (r->subject, !=, "");
      g_assert_null (strstr (r->subject, "=?"));
      g_assert_true (ascii || has_non_ascii (r->subject));
    }
  else if (g_str_has_prefix (e->category, "rfc2047-from-"))
    {
      g_assert_cmpstr (r->from_name, !=, "");
      g_assert_null (strstr (r->from_name, "=?"));
      g_assert_true (ascii || has_non_ascii (r->from_name));
    }
  else if (g_str_has_prefix (e->category, "rfc2047-to-") || g_str_has_prefix (e->category, "rfc2047-cc-"))
    g_assert_cmpuint (r->recipients->len, >, 0);
  else if (strcmp (e->category, "rfc2047-adjacent-encoded-words") == 0)
    g_assert_null (strstr (r->subject, "=?"));
}

static void
check_subject_forms (const Entry *e)
{
  const MdRecord *r = e->rec;
  if (g_str_has_prefix (e->category, "folded-subject"))
    {
      /* the note is the unfolded subject, maybe cut short */
      g_autofree char *note = g_strdup (e->note);
      g_assert_true (g_str_has_prefix (r->subject, g_strstrip (note)));
      g_assert_null (strstr (r->subject, "  "));
    }
  else if (strcmp (e->category, "no-subject") == 0)
    g_assert_cmpstr (r->subject, ==, "");
  else if (strcmp (e->category, "date-tz-minus-0000") == 0)
    {
      g_autoptr (GDateTime) dt = g_mime_utils_header_decode_date (e->note);
      g_assert_nonnull (dt);
      g_assert_false (md_record_has_flag (r, MD_REC_DATE_FALLBACK));
      g_assert_cmpint (r->date, ==, g_date_time_to_unix (dt));
    }
}

/* The record carries the subject's tags (subject.c owns the details). */
static void
check_tags (const Entry *e)
{
  const MdSubjectTags *t = &e->rec->tags;
  const char *c = e->category;
  if (strcmp (c, "subj:kvmtool") == 0)
    g_assert_true (t->patch && g_strcmp0 (t->project, "kvmtool") == 0);
  else if (strcmp (c, "subj:kvm-unit-tests") == 0)
    g_assert_true (t->patch && g_strcmp0 (t->project, "kvm-unit-tests") == 0);
  else if (strcmp (c, "subj:git-pull") == 0)
    g_assert_true (t->git_pull);
  else if (strcmp (c, "subj:reply-RE-upper") == 0)
    g_assert_true (t->reply);
  else if (strcmp (c, "subj:zero-padded-cover") == 0)
    g_assert_true (t->patch && t->index == 0 && t->total > 0);
  else if (strcmp (c, "subj:no-tag-nonreply") == 0)
    g_assert_true (!t->reply && !t->patch);
}

static void
check_body (const Entry *e)
{
  const MdRecord *r = e->rec;
  const char *c = e->category;
  if (strcmp (c, "qp-encoded-patch") == 0 || strcmp (c, "patch-as-attachment") == 0)
    {
      g_assert_true (md_record_has_flag (r, MD_REC_HAS_PATCH));
      g_assert_cmpuint (r->files->len, >, 0);
      g_assert_nonnull (r->diffstat);
      g_assert_null (strstr (r->body, "\n@@ -"));
    }
  else if (g_str_has_prefix (c, "body-charset-") || strcmp (c, "text-plain-base64-body") == 0)
    g_assert_cmpstr (r->body, !=, "");
  /* one spam of these has no part at all, so only: plain text wins */
  if (g_str_has_prefix (c, "multipart-"))
    g_assert_false (md_record_has_flag (r, MD_REC_HTML_ONLY));
  if (g_str_has_prefix (c, "body-charset-"))
    {
      /* a declared charset converts cleanly, or a wrong one is dropped */
      g_assert_null (strstr (r->body, "\xEF\xBF\xBD"));
    }
}

static gboolean
has_review_trailer (const MdRecord *r)
{
  for (guint i = 0; i < r->trailers->len; i++)
    {
      MdTrailerKind k = g_array_index (r->trailers, MdTrailer, i).kind;
      if (k == MD_TRAILER_REVIEWED_BY || k == MD_TRAILER_ACKED_BY || k == MD_TRAILER_TESTED_BY)
        return TRUE;
    }
  return FALSE;
}

/* Whether an unquoted line of the raw file holds EMAIL: a trailer we
 * recorded must come from the sender's own text. */
static gboolean
raw_unquoted_has (const Entry *e, const char *email)
{
  g_autofree char *path = g_build_filename (e->dir, e->file, NULL);
  g_autofree char *raw = NULL;
  g_assert_true (g_file_get_contents (path, &raw, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (raw, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_autofree char *low = g_ascii_strdown (*l, -1);
      if (**l != '>' && strstr (low, email) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
check_trailers (const Entry *e)
{
  const MdRecord *r = e->rec;
  const char *c = e->category;
  if (!g_str_has_prefix (c, "trailer-"))
    return;
  /* one reply of this category only quotes trailers: none is right there */
  if (strcmp (c, "trailer-given-in-reply-with-quoted-trailers") != 0)
    g_assert_cmpuint (r->trailers->len, >, 0);
  gboolean non_ascii = FALSE;
  for (guint i = 0; i < r->trailers->len; i++)
    {
      MdTrailer *t = &g_array_index (r->trailers, MdTrailer, i);
      non_ascii |= has_non_ascii (t->name);
      if (t->kind != MD_TRAILER_FIXES && t->kind != MD_TRAILER_LINK)
        g_assert_null (strchr (t->name, '#'));
      g_assert_null (strpbrk (t->email, "<> #"));
    }
  if (strcmp (c, "trailer-with-non-ascii-name") == 0)
    g_assert_true (non_ascii);
  if (strcmp (c, "trailer-indented-in-reply") == 0)
    g_assert_true (has_review_trailer (r));
  if (strcmp (c, "trailer-given-in-reply-with-quoted-trailers") == 0)
    for (guint i = 0; i < r->trailers->len; i++)
      {
        /* the quoted patch's own sign-offs are not this reply's */
        MdTrailer *t = &g_array_index (r->trailers, MdTrailer, i);
        g_assert_cmpint (t->kind, !=, MD_TRAILER_SIGNED_OFF_BY);
        g_assert_true (raw_unquoted_has (e, t->email));
      }
}

/* Files listed under one duplicate/cross-posted note share a Message-ID. */
static void
check_same_ids (GPtrArray *entries)
{
  g_autoptr (GHashTable) by_note = g_hash_table_new (g_str_hash, g_str_equal);
  guint checked = 0;
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = entries->pdata[i];
      if (!g_str_has_prefix (e->category, "duplicate-message-id")
          && !g_str_has_prefix (e->category, "same-message-id-cross-posted"))
        continue;
      Entry *first = g_hash_table_lookup (by_note, e->note);
      if (first == NULL)
        g_hash_table_insert (by_note, (gpointer) e->note, e);
      else
        {
          g_assert_cmpstr (first->rec->message_id, ==, e->rec->message_id);
          checked++;
        }
    }
  g_assert_cmpuint (checked, >, 10);
}

static void
entry_free (gpointer p)
{
  Entry *e = p;
  md_record_free (e->rec);
  g_strfreev (e->cols);
  g_free (e);
}

/* Reads MANIFEST.tsv and parses every file it lists. */
static GPtrArray *
load_manifest (const char *tricky)
{
  g_autofree char *path = g_build_filename (tricky, "MANIFEST.tsv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *entries = g_ptr_array_new_with_free_func (entry_free);
  for (char **l = lines + 1; *l; l++)
    {
      char **cols = g_strsplit (*l, "\t", 4);
      if (g_strv_length (cols) < 4)
        {
          g_strfreev (cols);
          continue;
        }
      Entry *e = g_new0 (Entry, 1);
      g_autofree char *file = g_build_filename (tricky, cols[0], NULL);
      e->cols = cols;
      e->dir = tricky;
      e->file = cols[0];
      e->category = cols[1];
      e->note = cols[3];
      e->rec = parse_file (file);
      g_assert_nonnull (e->rec);
      g_ptr_array_add (entries, e);
    }
  return entries;
}

static void
test_manifest (void)
{
  g_autofree char *top = corpus_dir ();
  if (top == NULL)
    return;
  g_autofree char *tricky = g_build_filename (top, "tricky", NULL);
  g_autoptr (GPtrArray) entries = load_manifest (tricky);
  g_assert_cmpuint (entries->len, >, 250);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = entries->pdata[i];
      g_test_message ("%s: %s", e->file, e->category);
      check_ids (e);
      check_rfc2047 (e);
      check_subject_forms (e);
      check_tags (e);
      check_body (e);
      check_trailers (e);
    }
  check_same_ids (entries);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  md_message_init ();
  g_test_add_func ("/corpus/every-file", test_every_file);
  g_test_add_func ("/corpus/manifest", test_manifest);
  return g_test_run ();
}
