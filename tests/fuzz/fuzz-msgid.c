/* fuzz-msgid.c - libFuzzer target: md_msgid_parse_list(),
 * md_msgid_normalise() and md_msgid_synthesise() on any string.
 *
 * Whatever a References header holds, what comes out are clean ids:
 * non-empty, bounded, no white space, brackets or control bytes, no
 * duplicates, at most MSGID_LIST_MAX of them.  Run by "make fuzz".
 */
#include "fuzz.h"
#include "msgid.h"

#define ID_MAX 512
#define LIST_MAX 200

static void
check_id (const char *id)
{
  fuzz_check_line ("id", id, ID_MAX);
  FUZZ_CHECK (*id != '\0', "empty id");
  FUZZ_CHECK (strpbrk (id, " <>\"(),") == NULL, "id \"%s\" not normalised", id);
  FUZZ_CHECK (strrchr (id, '@') != id, "id \"%s\" without a local part", id);
}

static void
check_list (GPtrArray *ids)
{
  FUZZ_CHECK (ids->len <= LIST_MAX, "%u ids", ids->len);
  for (guint i = 0; i < ids->len; i++)
    {
      check_id (ids->pdata[i]);
      for (guint j = 0; j < i; j++)
        FUZZ_CHECK (strcmp (ids->pdata[i], ids->pdata[j]) != 0, "duplicate id");
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *raw = fuzz_cstring (data, size);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  /* an id already there (from In-Reply-To) is not added twice */
  g_ptr_array_add (ids, g_strdup ("parent@example.org"));
  md_msgid_parse_list (raw, ids);
  check_list (ids);
  guint n = ids->len;
  md_msgid_parse_list (raw, ids);   /* a second pass adds nothing new */
  FUZZ_CHECK (ids->len == n, "a second pass added %u ids", ids->len - n);

  g_autofree char *one = md_msgid_normalise (raw);
  if (one)
    check_id (one);
  g_autofree char *synth = md_msgid_synthesise ((const char *) data, size);
  check_id (synth);
  FUZZ_CHECK (g_str_has_suffix (synth, "@mldigest.invalid") && strlen (synth) == 64 + 17,
              "synthetic id \"%s\"", synth);
  return 0;
}
