/* parsefloor.c - mldigest-filter's parse alone (issue 11's reference row).
 *
 *   parsefloor < message
 *
 * Start, read the message, md_message_parse() (GMime's start and parse,
 * the record built as the filter builds it) and the record's bytes, exit:
 * no options, no configuration, no index.  It is linked as the filter is
 * (Makefile), so what mldigest-filter costs above it is its command line
 * and the index: the open, the thread lookups, the record and its list
 * entries, the synced commit.  Exit 65 when the message cannot be
 * parsed, as the filter.
 */
#include <errno.h>
#include <unistd.h>
#include <glib.h>
#include "message.h"
#include "record.h"

int
main (void)
{
  g_autoptr (GByteArray) in = g_byte_array_sized_new (65536);
  guint8 buf[65536];
  ssize_t n;
  while ((n = read (STDIN_FILENO, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return 75;
      g_byte_array_append (in, buf, n);
    }
  MdParseOptions opts = { "kvmarm", 0, TRUE };
  g_autoptr (MdRecord) rec = md_message_parse ((const char *) in->data, in->len, &opts, NULL);
  if (rec == NULL)
    return 65;
  g_autoptr (GBytes) bytes = md_record_to_bytes (rec);
  return g_bytes_get_size (bytes) > 0 ? 0 : 65;
}
