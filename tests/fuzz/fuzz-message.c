/* fuzz-message.c - libFuzzer target: md_message_parse() on any bytes.
 *
 * Every input must give a record or MD_ERROR_DATA, and a record must
 * keep the promises of record.h: valid UTF-8 everywhere, single-line
 * fields without control characters, every size and count bounded
 * whatever the input's size.  Run by "make fuzz".
 */
#include "error.h"
#include "fuzz.h"
#include "message.h"

#define ARRIVAL 1700000000
#define LINE_MAX_BYTES 2048        /* subject, the longest single-line field */
#define ID_MAX_BYTES 512
#define PATH_MAX_BYTES 4096
#define TEXT_MAX_BYTES (64u << 10) /* body, commit message, diffstat */

static void
check_array (const char *what, GPtrArray *a, guint max_len, gsize max_bytes)
{
  FUZZ_CHECK (a != NULL, "%s is NULL", what);
  FUZZ_CHECK (a->len <= max_len, "%s holds %u items", what, a->len);
  for (guint i = 0; i < a->len; i++)
    {
      fuzz_check_line (what, a->pdata[i], max_bytes);
      FUZZ_CHECK (*(char *) a->pdata[i] != '\0', "%s holds an empty item", what);
      for (guint j = 0; j < i; j++)
        FUZZ_CHECK (strcmp (a->pdata[i], a->pdata[j]) != 0, "%s holds a duplicate", what);
    }
}

static void
check_ids (const MdRecord *r)
{
  fuzz_check_line ("message_id", r->message_id, ID_MAX_BYTES);
  FUZZ_CHECK (*r->message_id != '\0', "empty message_id");
  FUZZ_CHECK (strpbrk (r->message_id, " <>") == NULL, "message_id not normalised");
  if (r->in_reply_to)
    {
      fuzz_check_line ("in_reply_to", r->in_reply_to, ID_MAX_BYTES);
      FUZZ_CHECK (strcmp (r->in_reply_to, r->message_id) != 0, "message is its own parent");
    }
  check_array ("references", r->references, 200, ID_MAX_BYTES);
  for (guint i = 0; i < r->references->len; i++)
    FUZZ_CHECK (strcmp (r->references->pdata[i], r->message_id) != 0, "message is its own ancestor");
}

static void
check_headers (const MdRecord *r)
{
  fuzz_check_line ("subject", r->subject, LINE_MAX_BYTES);
  fuzz_check_line ("from_name", r->from_name, 256);
  fuzz_check_line ("from_email", r->from_email, 320);
  FUZZ_CHECK (strchr (r->from_email, ' ') == NULL, "space in from_email");
  check_array ("lists", r->lists, 16, 64);
  for (guint i = 1; i < r->lists->len; i++)
    FUZZ_CHECK (strcmp (r->lists->pdata[i - 1], r->lists->pdata[i]) < 0, "lists not sorted");
  check_array ("list_ids", r->list_ids, 16, 255);
  check_array ("recipients", r->recipients, 64, 320);
  FUZZ_CHECK (r->thread_id == NULL, "the parser set thread_id");
  FUZZ_CHECK (r->arrival == ARRIVAL, "arrival changed");
  if (!(r->flags & MD_REC_DATE_FALLBACK))
    FUZZ_CHECK (r->date >= 631152000 && r->date <= ARRIVAL + 2 * 24 * 3600, "absurd date kept");
  else
    FUZZ_CHECK (r->date == ARRIVAL, "fallback date is not the arrival");
  FUZZ_CHECK ((r->flags & ~0x3Fu) == 0, "unknown flags 0x%x", r->flags);
}

static void
check_tags (const MdSubjectTags *t)
{
  fuzz_check_line ("tags.title", t->title, LINE_MAX_BYTES);
  if (t->version_str)
    fuzz_check_line ("tags.version_str", t->version_str, 64);
  if (t->project)
    fuzz_check_line ("tags.project", t->project, 256);
  FUZZ_CHECK (t->version_str != NULL || t->version == 1, "version %u without a vN", t->version);
}

static void
check_body (const MdRecord *r)
{
  fuzz_check_text ("body", r->body, TEXT_MAX_BYTES);
  FUZZ_CHECK (strchr (r->body, '\r') == NULL, "CR in body");
  if (r->commit_msg)
    fuzz_check_text ("commit_msg", r->commit_msg, TEXT_MAX_BYTES);
  if (r->diffstat)
    fuzz_check_text ("diffstat", r->diffstat, TEXT_MAX_BYTES);
  check_array ("files", r->files, 512, PATH_MAX_BYTES);
  FUZZ_CHECK (r->files->len == 0 || r->diffstat != NULL || (r->flags & MD_REC_HAS_PATCH),
              "files without a diff or a diffstat");
  FUZZ_CHECK (r->trailers->len <= 256, "%u trailers", r->trailers->len);
  for (guint i = 0; i < r->trailers->len; i++)
    {
      MdTrailer *t = &g_array_index (r->trailers, MdTrailer, i);
      FUZZ_CHECK (t->kind < MD_TRAILER_N_KINDS, "trailer kind %d", t->kind);
      fuzz_check_line ("trailer name", t->name, 512);
      fuzz_check_line ("trailer email", t->email, 512);
      FUZZ_CHECK (*t->name || *t->email, "empty trailer");
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  MdParseOptions opts = { NULL, ARRIVAL, FALSE };
  g_autoptr (GError) err = NULL;
  g_autoptr (MdRecord) r = md_message_parse ((const char *) data, size, &opts, &err);

  if (r == NULL)
    {
      FUZZ_CHECK (err != NULL && err->domain == MD_ERROR && err->code == MD_ERROR_DATA,
                  "no record and no MD_ERROR_DATA");
      return 0;
    }
  FUZZ_CHECK (err == NULL, "a record and an error");
  check_ids (r);
  check_headers (r);
  check_tags (&r->tags);
  check_body (r);
  return 0;
}
