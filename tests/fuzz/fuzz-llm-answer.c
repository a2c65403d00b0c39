/* fuzz-llm-answer.c - libFuzzer target: what the model client reads from
 * a server's HTTP answer (aggregate/llm/client.c), on any bytes.
 *
 * The client's readers are static, so the target includes client.c.
 * The body is parsed as JSON; the answer taken from it must be valid,
 * non-empty UTF-8, or refused with a one-line reason; the server's error
 * message excerpt must be short printable UTF-8; Retry-After (the
 * input's start as a header value) gives -1 or a delay.  Run by
 * "make fuzz".
 */
#include <sanitizer/lsan_interface.h>
#include "../../aggregate/llm/client.c"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  /* json-glib 1.6 leaks the nodes of a document that has more after its
   * first value ("2{...}", which it even accepts): its bug, not
   * reported here. */
  __lsan_disable ();
  JsonObject *top = parse_object ((const char *) data, size, parser);
  __lsan_enable ();
  char *content = NULL, *why = NULL;

  if (read_answer (top, &content, &why) == END_OK)
    {
      FUZZ_CHECK (why == NULL, "an answer and a reason");
      fuzz_check_text ("answer", content, size);
      FUZZ_CHECK (*content != '\0', "empty answer taken");
    }
  else
    {
      FUZZ_CHECK (content == NULL, "a reason and an answer");
      fuzz_check_line ("reason", why, 256);
    }
  g_free (content);
  g_free (why);

  g_autofree char *m = top ? server_message (top) : NULL;
  if (m)
    {
      fuzz_check_line ("server message", m, 4 * SERVER_MESSAGE_MAX);
      FUZZ_CHECK (g_utf8_strlen (m, -1) <= SERVER_MESSAGE_MAX, "server message too long");
    }

  g_autofree char *header = fuzz_cstring (data, MIN (size, 256));
  gint64 delay = parse_retry_after (header);
  FUZZ_CHECK (delay >= -1, "Retry-After %" G_GINT64_FORMAT, delay);
  return 0;
}
