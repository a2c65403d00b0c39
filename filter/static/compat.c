/* compat.c - what the filter's static link needs and Debian ships no
 * archive for.  Linked into the static mldigest-filter only (Makefile,
 * FILTER_STATIC); never into the shared build, where these names would
 * preempt the real libraries'.
 *
 * Why the filter is static at all: it runs once per message, and mapping
 * GMime's chain of shared libraries cost more than its work (bench/README,
 * section 4).  Three things stand in the way of a static link on Debian 12,
 * or make it dearer than it needs to be:
 *
 * - libtdb.a calls rep_memset_s() from Samba's libreplace, which lives
 *   inside libtdb.so and has no archive: it is defined below.
 * - GIO's GLocalFile pulls in gunixmounts.o, which calls libmount, and
 *   libmount-dev has no archive.  The filter never asks for the mount
 *   table (it reads stdin, an mbox or a maildir through plain stdio and
 *   GMime streams), so libmount's entry points are given here as a
 *   library that finds no mounts: every parse fails, every table is
 *   empty.  GIO handles both as it handles an unreadable /proc/mounts.
 * - The same GLocalFile code asks libselinux for file contexts.  The
 *   filter never asks for a file's selinux:: attributes, and linking the
 *   real library only buys its constructor, which probes for selinuxfs
 *   at every start (two statfs(), /proc/filesystems, /etc/selinux/config)
 *   of every delivery.  Its entry points are given here as a system
 *   where SELinux is disabled, which GIO checks before anything else.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <libmount/libmount.h>  /* the signatures these must match */
#include <selinux/selinux.h>

/* ---- libreplace ---- */

int rep_memset_s (void *dest, size_t destsz, int ch, size_t count);

/* memset_s (C11 Annex K) as libreplace gives it: the barrier keeps the
 * compiler from dropping a clear of memory that is freed next. */
int
rep_memset_s (void *dest, size_t destsz, int ch, size_t count)
{
  if (dest == NULL)
    return EINVAL;
  if (destsz > SIZE_MAX / 2 || count > SIZE_MAX / 2 || count > destsz)
    return ERANGE;
  memset (dest, ch, count);
  __asm__ volatile ("" : : "g" (dest) : "memory");
  return 0;
}

/* ---- libmount, finding no mounts ---- */

struct libmnt_table *mnt_new_table (void) { return NULL; }
struct libmnt_iter *mnt_new_iter (int direction) { return NULL; }
void mnt_free_table (struct libmnt_table *tb) { }
void mnt_free_iter (struct libmnt_iter *itr) { }

int
mnt_table_parse_mtab (struct libmnt_table *tb, const char *filename)
{
  return -ENOSYS;
}

int
mnt_table_parse_fstab (struct libmnt_table *tb, const char *filename)
{
  return -ENOSYS;
}

/* 1 is libmount's "no more entries" */
int
mnt_table_next_fs (struct libmnt_table *tb, struct libmnt_iter *itr,
                   struct libmnt_fs **fs)
{
  if (fs)
    *fs = NULL;
  return 1;
}

const char *mnt_fs_get_fstype (struct libmnt_fs *fs) { return NULL; }
const char *mnt_fs_get_options (struct libmnt_fs *fs) { return NULL; }
const char *mnt_fs_get_root (struct libmnt_fs *fs) { return NULL; }
const char *mnt_fs_get_source (struct libmnt_fs *fs) { return NULL; }
const char *mnt_fs_get_target (struct libmnt_fs *fs) { return NULL; }
char *mnt_fs_strdup_options (struct libmnt_fs *fs) { return NULL; }
const struct libmnt_optmap *mnt_get_builtin_optmap (int id) { return NULL; }
const char *mnt_get_fstab_path (void) { return "/etc/fstab"; }

int
mnt_has_regular_mtab (const char **mtab, int *writable)
{
  if (mtab)
    *mtab = "/proc/self/mounts";
  if (writable)
    *writable = 0;
  return 0;
}

int
mnt_optstr_get_flags (const char *optstr, unsigned long *flags,
                      const struct libmnt_optmap *map)
{
  if (flags)
    *flags = 0;
  return -ENOSYS;
}

/* ---- libselinux, disabled ---- */

int is_selinux_enabled (void) { return 0; }
void freecon (char *con) { }

int
getfilecon_raw (const char *path, char **con)
{
  errno = ENOTSUP;
  return -1;
}

int
lgetfilecon_raw (const char *path, char **con)
{
  errno = ENOTSUP;
  return -1;
}

int
fgetfilecon_raw (int fd, char **con)
{
  errno = ENOTSUP;
  return -1;
}

int
setfilecon_raw (const char *path, const char *con)
{
  errno = ENOTSUP;
  return -1;
}
