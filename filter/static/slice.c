/* slice.c - the static filter's GLib allocator setting, made before any
 * GLib code runs.
 *
 * GLib 2.74's slice allocator (g_slice_new, used by GHashTable, GList,
 * GObject's type system and GMime) takes a page of its own for each
 * block size it serves.  A delivery allocates a little of many sizes and
 * exits, so it touched about 20 more pages that way than with malloc(),
 * each a page fault (1.5 microseconds here).  GLib's own constructors
 * already allocate, so the setting is made in a constructor that runs
 * before theirs: a static link orders constructors by priority, then by
 * link order.  (In a shared build the libraries' constructors run first,
 * and the setting would come too late: this file is linked into the
 * static filter only.)  GLib 2.76 and later use malloc() for slices
 * anyway, and ignore the call.  G_SLICE in the environment still wins.
 */
#include <glib.h>

__attribute__ ((constructor (101))) static void
slices_from_malloc (void)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_slice_set_config (G_SLICE_CONFIG_ALWAYS_MALLOC, TRUE);
  G_GNUC_END_IGNORE_DEPRECATIONS
}
