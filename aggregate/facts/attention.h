/* attention.h - what needs a human: MdWeek.attention.
 *
 * After the facts stage, from the week and the index:
 *
 *   waiting   a series (cover letter or single patch, not a pull
 *             request) posted attention_days or more before the
 *             window's end that no one but its author (and bots)
 *             answered and no one reviewed, applied or superseded:
 *             this week's threads, and the series of the history_days
 *             before the window that got no message this week
 *   nak       a thread of the week with a NAK
 *   robot     a build-robot failure the series' author never answered
 *             (no message from them after it)
 *   review    a vN posted this week while comments of others on v(N-1)
 *             got no reply from the author
 *   question  a thread started this week or before with a question to
 *             the list (its first message's own text has a line ending
 *             in '?', or its subject does), posted two days or more
 *             before the window's end, that no one but its author
 *             answered; not a series, not from a bot
 *
 * The oldest wait first, at most attention_max entries (config keys per
 * list: attention_days 7, attention_max 10).
 */
#pragma once
#include "week.h"
#include "source.h"

/* Fill WEEK.attention.  Fails only when SRC itself fails (lock, I/O). */
gboolean md_attention_run (MdWeek *week, const MdSource *src, GKeyFile *config,
                           GError **error);
