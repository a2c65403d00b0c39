/* previous.h - the review comments given on v(N-1) of a series.
 *
 * For a thread whose series links its previous version
 * (MdSeriesInfo.previous_id), the replies given on that version are read
 * from the index into MdThread.previous_replies: the model is shown them
 * with vN's change log and says which ones the change log answers; the
 * built-in summariser names the v(N-1) reviewers the change log names.
 * A reply here is a message of v(N-1)'s thread that is not a patch
 * posting and not from the series' author.
 */
#pragma once
#include "source.h"
#include "week.h"

/* Replies kept per thread, newest dropped first. */
#define MD_PREVIOUS_MAX 40

/* Fill previous_replies of every linked series of WEEK.  A previous
 * version the index no longer has is skipped; only a failing read
 * fails. */
gboolean md_previous_load (MdWeek *week, const MdSource *src, GError **error);

/* The reviewers of THREAD's v(N-1), one reply each (borrowed, reply
 * order), into NAMED when CHANGELOG mentions their name, first name or
 * address, else into UNNAMED. */
void md_previous_reviewers (const MdThread *thread, const char *changelog,
                            GPtrArray *named, GPtrArray *unnamed);
