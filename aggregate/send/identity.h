/* identity.h - what makes a digest the same digest: (list, ISO week).
 *
 * A digest is named by its list and the ISO week ("2021-W10") that holds
 * the start of its window, in the list's time zone.  Everything a resend
 * must repeat derives from that pair and nothing else: the Message-ID
 * (so a second copy is dropped as a duplicate by archives and mail
 * clients), the subject, the outbox file name and the index's record of
 * the week having been sent.
 */
#pragma once
#include <glib.h>

/* The last complete ISO week before NOW in TZ: Monday 00:00 to the next
 * Monday 00:00, local time, as UTC seconds. */
void md_identity_last_week (gint64 now, GTimeZone *tz, gint64 *since,
                            gint64 *until);

/* "YYYY-Www" of the ISO week holding T in TZ. */
char *md_identity_week (gint64 t, GTimeZone *tz);

/* The week before WEEK ("2021-W01" -> "2020-W53"); NULL when WEEK is not
 * a week. */
char *md_identity_previous_week (const char *week);

/* The Message-ID (without <>) of LIST's digest of WEEK, in the domain of
 * the sender address FROM: "mldigest.2021-W10.kvmarm@example.org".  A
 * list name with characters a Message-ID cannot hold is made safe and
 * given a hash of the real name, so two lists never share an id. */
char *md_identity_message_id (const char *list, const char *week,
                              const char *from);

/* A name for files: LIST made safe as in the Message-ID, a dot, WEEK. */
char *md_identity_file_stem (const char *list, const char *week);

/* The subject from TEMPLATE (NULL: the default for LANG), where {list}
 * is the list's name and {week} the week; "{{" is a literal "{".
 * MD_ERROR_CONFIG for any other {name}. */
char *md_identity_subject (const char *tmpl, const char *lang,
                           const char *list, const char *week,
                           GError **error);
