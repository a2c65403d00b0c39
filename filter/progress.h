/* progress.h - what an import says on stderr: a progress bar (count,
 * rate, ETA when the size is known), warnings about skipped messages and
 * the summary line.  It owns stderr during an import so that a warning
 * never lands in the middle of the bar.
 */
#pragma once
#include <glib.h>

typedef enum {
  MD_COUNT_RECORDED,
  MD_COUNT_DUPLICATES,
  MD_COUNT_MERGED,
  MD_COUNT_REJECTED,
  MD_COUNT_N
} MdCount;

typedef struct {
  gboolean bar;        /* draw the bar */
  gboolean quiet;      /* no warnings, no summary */
  guint64 total;       /* size of the input (bytes or files); 0 when unknown */
  guint64 done;
  guint counts[MD_COUNT_N];
  gint64 start;
  gint64 last_draw;
  gboolean drawn;      /* a bar is on the screen */
} MdProgress;

/* TOTAL may be set later (p->total) once the input's size is known. */
void md_progress_start (MdProgress *p, gboolean bar, gboolean quiet,
                        guint64 total);
/* One more message handled; DONE is how far into TOTAL we are. */
void md_progress_count (MdProgress *p, MdCount what, guint64 done);
void md_progress_warn (MdProgress *p, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
/* Clear the bar; print the summary line if SUMMARY and not quiet. */
void md_progress_finish (MdProgress *p, gboolean summary);
guint md_progress_total (const MdProgress *p);
