/* series.h - patch-series facts per thread: MdThread.series.
 *
 * For each thread whose root is a posting (a cover letter, a patch, a
 * GIT PULL): its tags (version, total, project, RFC, RESEND, GIT PULL),
 * which of patches 1..N arrived (in the window or before it), and the
 * series' previous version v(N-1) when the index has one.
 */
#pragma once
#include "week.h"
#include "source.h"

/* Fill is_series and series for every thread of WEEK.  SRC is asked for
 * earlier versions; it fails the run only when the source itself fails
 * (a lock or I/O error), never because nothing was found. */
gboolean md_series_run (MdWeek *week, const MdSource *src, GError **error);

/* The posting a thread's series facts are about: its root, or when the
 * root was never seen, the thread's first posting; and when the same
 * sender posted a later version into the thread (sent in reply to the
 * old one), that version.  NULL when the thread holds no posting or is a
 * discussion a patch was posted into. */
const MdRecord *md_series_root (const MdThread *thread);

/* Message-IDs named by archive links in TEXT (lore.kernel.org/..., 
 * lkml.kernel.org/r/..., msgid.link/..., patchwork), normalised, in
 * order, without duplicates. */
GPtrArray *md_series_linked_ids (const char *text);

