/* message.h - raw RFC 5322 bytes -> MdRecord, with GMime.
 *
 * Mail is hostile input: any bytes give either a record or MD_ERROR_DATA
 * (input that can never be recorded: empty, not a message at all), never
 * a crash, invalid UTF-8 or unbounded memory.  Malformed but readable mail
 * gives a record with flags saying what was repaired.
 */
#pragma once
#include "record.h"

typedef struct {
  const char *list;   /* short name or whole List-Id forced by --list; NULL: from List-Id */
  gint64 arrival;     /* arrival time (UTC seconds); 0 means now */
  gboolean exiting;   /* the process ends soon after: GMime's parse of the
                       * message is left to the exit, not taken apart */
} MdParseOptions;

/* Idempotent; called by md_message_parse() too. */
void md_message_init (void);

MdRecord *md_message_parse (const char *data, gsize len,
                            const MdParseOptions *opts, GError **error);

/* "kvmarm" for "kvmarm.lists.cs.columbia.edu", "<kvm.vger.kernel.org>" or
 * "kvmarm"; lower-case.  Every --list option goes through this. */
char *md_list_short_name (const char *name_or_list_id);
