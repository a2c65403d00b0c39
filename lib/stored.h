/* stored.h - versioned GVariant blobs, the value format of the index.
 *
 * A stored value is one version byte followed by a GVariant in
 * little-endian byte order (docs/index-format.md).  Records (record.c)
 * and aggregator state (index.c) use it.  Unpacking treats the bytes as
 * hostile: the version, the size and the variant's normal form are
 * checked; a bad value is MD_ERROR_CORRUPT, never a crash.
 */
#pragma once
#include <glib.h>

#define MD_STORED_MAX_SIZE (256u << 20)

/* VERSION, then V (sunk if floating, not consumed otherwise). */
GBytes *md_stored_pack (guint8 version, GVariant *v);

/* The variant of TYPE in DATA, which must start with VERSION; WHAT names
 * the value in error messages ("record", "state"). */
GVariant *md_stored_unpack (const guint8 *data, gsize len, guint8 version,
                            const GVariantType *type, const char *what,
                            GError **error);

/* The same without the normal-form check (NULL on a bad version or size):
 * for reading one child cheaply.  GVariant reads non-normal data safely,
 * a malformed child reading as its default value, so the caller must
 * still check what it takes out (UTF-8). */
GVariant *md_stored_peek (const guint8 *data, gsize len, guint8 version,
                          const GVariantType *type);
