/* mbox.h - split an mbox stream into messages, one at a time.
 *
 * Reads mboxrd and mboxo alike, streaming: only the current message is in
 * memory.  See mbox.c for how separators and ">From " quoting are read.
 */
#pragma once
#include <stdio.h>
#include <glib.h>

typedef struct _MdMbox MdMbox;

/* Reads from F (not closed by md_mbox_free()). */
MdMbox *md_mbox_new (FILE *f);
void md_mbox_free (MdMbox *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdMbox, md_mbox_free)

/* The next message into OUT (replacing its contents), its arrival time
 * from the From_ line into ARRIVAL (0 when the line has no usable date)
 * and its first line number into LINE.  FALSE at the end of the stream
 * (ERROR unset) or on a failure: a read error (MD_ERROR_TEMP/IO), or text
 * before the first From_ line (MD_ERROR_DATA: not an mbox).  A message
 * longer than MAX bytes is cut there and flagged in *TRUNCATED. */
gboolean md_mbox_next (MdMbox *m, GString *out, gint64 *arrival,
                       guint64 *line, gsize max, gboolean *truncated,
                       GError **error);

/* Bytes consumed so far (for progress). */
guint64 md_mbox_offset (const MdMbox *m);

/* The date of a From_ line ("From sender Mon Jul  1 11:26:48 2019"), UTC
 * seconds; 0 when there is none or it is a placeholder (the epoch, or
 * git format-patch's fixed "Mon Sep 17 00:00:00 2001"). */
gint64 md_mbox_from_line_date (const char *line);
