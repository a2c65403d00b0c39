/* fuzz-mbox.c - libFuzzer target: the mbox splitter (filter/mbox.c) on
 * any bytes.
 *
 * Reading must end, after no more messages than the input has lines;
 * each message must stay within the size limit given (the cut being
 * flagged), start on a line after the previous one's, and together the
 * messages hold no more bytes than the input; the only error is "not an
 * mbox" (MD_ERROR_DATA).  Run by "make fuzz".
 */
#include "error.h"
#include "fuzz.h"
#include "mbox.h"

#define MAX_MESSAGE 1024

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  if (size == 0)
    return 0;   /* fmemopen() refuses an empty buffer */
  FILE *f = fmemopen ((void *) data, size, "r");
  FUZZ_CHECK (f != NULL, "fmemopen");
  g_autoptr (MdMbox) m = md_mbox_new (f);
  g_autoptr (GString) msg = g_string_new (NULL);
  g_autoptr (GError) err = NULL;
  gsize lines = 1, total = 0, count = 0;
  guint64 last_line = 0;
  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';

  gint64 arrival;
  guint64 line;
  gboolean truncated;
  while (md_mbox_next (m, msg, &arrival, &line, MAX_MESSAGE, &truncated, &err))
    {
      count++;
      FUZZ_CHECK (count <= lines, "%zu messages from %zu lines", count, lines);
      FUZZ_CHECK (msg->len <= MAX_MESSAGE, "a message of %zu bytes", msg->len);
      FUZZ_CHECK (line > last_line, "message at line %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT,
                  line, last_line);
      FUZZ_CHECK (arrival >= 0, "arrival %" G_GINT64_FORMAT, arrival);
      last_line = line;
      total += msg->len;
      FUZZ_CHECK (total <= size, "%zu bytes of messages from %zu", total, size);
    }
  FUZZ_CHECK (err == NULL || (err->domain == MD_ERROR && err->code == MD_ERROR_DATA),
              "error %s", err->message);
  FUZZ_CHECK (md_mbox_offset (m) <= size, "offset past the end");
  md_mbox_free (g_steal_pointer (&m));
  fclose (f);
  return 0;
}
