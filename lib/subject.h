/* subject.h - parse the tags of a mailing-list subject.
 *
 * Understands the forms seen on kernel lists:
 *   [PATCH v3 04/25] title        [RFC PATCH] title     [PATCH RFC v3] title
 *   [PATCH kvmtool v6 0/6]        [kvmtool PATCH v2 1/3]
 *   [kvm-unit-tests PATCH v2 00/18]   [6.1 PATCH RESEND]   [RFC][PATCH]
 *   [PATCHv2]  [PATCH 1/6 v2]  [PATCH v1.1]  [GIT PULL]  [GIT PULL 1/3]
 *   [PATCH net-next]  and Re:/RE:/AW:/Aw:/SV:/Fwd:/Fw: prefixes, repeated,
 *   before or between bracket groups.
 */
#pragma once
#include "record.h"

/* Fill TAGS from SUBJECT (UTF-8, one line).  TAGS must be zeroed or
 * cleared; afterwards it owns its strings (md_subject_tags_clear()). */
void md_subject_parse (const char *subject, MdSubjectTags *tags);

/* The key two versions of one series share: lower-case title, whitespace
 * collapsed, trailing punctuation dropped.  Newly allocated. */
char *md_subject_series_key (const MdSubjectTags *tags);
