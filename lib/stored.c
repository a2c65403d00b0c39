/* stored.c - versioned little-endian GVariant blobs (see stored.h). */
#include "stored.h"

#include <string.h>
#include "error.h"

GBytes *
md_stored_pack (guint8 version, GVariant *v)
{
  g_autoptr (GVariant) le = NULL;
  g_variant_ref_sink (v);
  le = G_BYTE_ORDER == G_LITTLE_ENDIAN ? g_variant_ref (v)
                                       : g_variant_byteswap (v);
  g_variant_unref (v);
  /* g_variant_store() wants an aligned destination: serialise, then copy
   * behind the version byte. */
  gsize size = g_variant_get_size (le);
  guint8 *buf = g_malloc (size + 1);
  buf[0] = version;
  memcpy (buf + 1, g_variant_get_data (le), size);
  return g_bytes_new_take (buf, size + 1);
}

static gboolean
header_ok (const guint8 *data, gsize len, guint8 version)
{
  return data != NULL && len >= 1 && len <= MD_STORED_MAX_SIZE
    && data[0] == version;
}

/* GVariant wants its data aligned, and the version byte in front breaks
 * that, so the bytes are copied. */
static GVariant *
wrap (const guint8 *data, gsize len, const GVariantType *type)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data + 1, len - 1);
  return g_variant_ref_sink (g_variant_new_from_bytes (type, bytes, FALSE));
}

static GVariant *
to_host_order (GVariant *v)
{
  if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
    return v;
  GVariant *swapped = g_variant_byteswap (v);
  g_variant_unref (v);
  return swapped;
}

GVariant *
md_stored_unpack (const guint8 *data, gsize len, guint8 version,
                  const GVariantType *type, const char *what, GError **error)
{
  if (!header_ok (data, len, version))
    {
      if (data == NULL || len < 1 || len > MD_STORED_MAX_SIZE)
        g_set_error (error, MD_ERROR, MD_ERROR_CORRUPT,
                     "bad stored %s: size %" G_GSIZE_FORMAT, what, len);
      else
        g_set_error (error, MD_ERROR, MD_ERROR_CORRUPT,
                     "bad stored %s: version %u, expected %u", what, data[0],
                     version);
      return NULL;
    }
  g_autoptr (GVariant) v = wrap (data, len, type);
  /* Checked before any byte swap, which would normalise (and so hide) a
   * bad value. */
  if (!g_variant_is_normal_form (v))
    {
      g_set_error (error, MD_ERROR, MD_ERROR_CORRUPT,
                   "bad stored %s: not in normal form", what);
      return NULL;
    }
  return to_host_order (g_steal_pointer (&v));
}

GVariant *
md_stored_peek (const guint8 *data, gsize len, guint8 version,
                const GVariantType *type)
{
  if (!header_ok (data, len, version))
    return NULL;
  return to_host_order (wrap (data, len, type));
}
