/* fuzz-subject.c - libFuzzer target: md_subject_parse() and
 * md_subject_series_key() on any string.
 *
 * The tags must be clean UTF-8 whatever the subject holds, the title no
 * longer than the subject, and parsing into used tags must not leak
 * (subject.h: TAGS zeroed or cleared).  Run by "make fuzz".
 */
#include "fuzz.h"
#include "subject.h"

static void
check_tags (const MdSubjectTags *t, gsize len)
{
  /* invalid bytes become U+FFFD: at most three bytes for one */
  fuzz_check_line ("title", t->title, 3 * len);
  if (t->version_str)
    {
      fuzz_check_line ("version_str", t->version_str, len);
      FUZZ_CHECK (g_ascii_isdigit (t->version_str[0]), "version_str \"%s\"", t->version_str);
    }
  else
    FUZZ_CHECK (t->version == 1, "version %u without a vN", t->version);
  if (t->project)
    fuzz_check_line ("project", t->project, len);
  FUZZ_CHECK (t->patch || t->rfc || t->resend || t->git_pull
              || (t->version_str == NULL && t->project == NULL && t->total == 0),
              "tags without a tag keyword");
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *subject = fuzz_cstring (data, size);
  gsize len = strlen (subject);
  MdSubjectTags tags = { 0 };

  md_subject_parse (subject, &tags);
  check_tags (&tags, len);
  g_autofree char *title = g_strdup (tags.title);
  md_subject_parse (subject, &tags);   /* reuse: the old strings are freed */
  FUZZ_CHECK (strcmp (title, tags.title) == 0, "a second parse differs");
  g_autofree char *key = md_subject_series_key (&tags);
  fuzz_check_text ("series key", key, 3 * strlen (tags.title) + 3);
  md_subject_tags_clear (&tags);
  return 0;
}
