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
 *
 * Another is a matter of size: libxml2.a reaches ICU (ucnv_*) for
 * character sets iconv lacks, and ICU's archives bring 40 MB of data and
 * libstdc++.  The filter hands libxml2 UTF-8 only (lib/html.c), which
 * needs no converter at all, so ICU's five entry points are given as a
 * converter that opens nothing: libxml2 then reports the encoding as
 * unsupported, as it does on a system built without ICU.
 *
 * The same goes for liblzma, which libxml2.a calls to read .xz-compressed
 * files: the filter never gives libxml2 a file, only bytes in memory, and
 * linking liblzma only buys its constructor, which asks the CPU for its
 * features (a CPUID instruction: several microseconds in a virtual
 * machine) at every start.  Its four entry points are given as a decoder
 * that opens nothing: libxml2 then reads an .xz file as it does on a
 * system built without liblzma.
 *
 * And libm, when libc is linked shared (the Makefile's fallback):
 * libxml2's XPath and schema types (linked in, never run by the filter)
 * call floor, fmod, log10 and pow, whose archive versions choose a CPU
 * variant through glibc's private loader data and so cannot be linked
 * statically against a shared libc.  They are given here, weak, through
 * the long double functions, which have no such variants: floor and fmod
 * are exact that way, log10 and pow within rounding.  With a static libc
 * the archive's own would do as well; these weak ones keep them out.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <libmount/libmount.h>  /* the signatures these must match */
#include <math.h>
#include <unicode/ucnv.h>
#include <lzma.h>
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
/* ---- ICU, converting nothing ---- */

UConverter *
ucnv_open (const char *name, UErrorCode *err)
{
  if (err)
    *err = U_FILE_ACCESS_ERROR;
  return NULL;
}

void ucnv_close (UConverter *converter) { }

void
ucnv_setToUCallBack (UConverter *converter, UConverterToUCallback action,
                     const void *context, UConverterToUCallback *old_action,
                     const void **old_context, UErrorCode *err)
{
  if (err)
    *err = U_UNSUPPORTED_ERROR;
}

void
ucnv_setFromUCallBack (UConverter *converter, UConverterFromUCallback action,
                       const void *context, UConverterFromUCallback *old_action,
                       const void **old_context, UErrorCode *err)
{
  if (err)
    *err = U_UNSUPPORTED_ERROR;
}

void
ucnv_convertEx (UConverter *target_cnv, UConverter *source_cnv, char **target,
                const char *target_limit, const char **source,
                const char *source_limit, UChar *pivot_start, UChar **pivot_source,
                UChar **pivot_target, const UChar *pivot_limit, UBool reset,
                UBool flush, UErrorCode *err)
{
  if (err)
    *err = U_UNSUPPORTED_ERROR;
}

void
UCNV_TO_U_CALLBACK_STOP (const void *context, UConverterToUnicodeArgs *args,
                         const char *code_units, int32_t length,
                         UConverterCallbackReason reason, UErrorCode *err)
{
}

void
UCNV_FROM_U_CALLBACK_STOP (const void *context, UConverterFromUnicodeArgs *args,
                           const UChar *code_units, int32_t length, UChar32 code_point,
                           UConverterCallbackReason reason, UErrorCode *err)
{
}

/* ---- liblzma, decoding nothing ---- */

lzma_ret
lzma_auto_decoder (lzma_stream *strm, uint64_t memlimit, uint32_t flags)
{
  return LZMA_OPTIONS_ERROR;
}

lzma_ret
lzma_code (lzma_stream *strm, lzma_action action)
{
  return LZMA_PROG_ERROR;
}

void lzma_end (lzma_stream *strm) { }

lzma_ret
lzma_properties_decode (lzma_filter *filter, const lzma_allocator *allocator,
                        const uint8_t *props, size_t props_size)
{
  return LZMA_OPTIONS_ERROR;
}

/* ---- libm's double functions libxml2 names ---- */

#define WEAK __attribute__ ((weak))
WEAK double floor (double x) { return (double) floorl (x); }
WEAK double fmod (double x, double y) { return (double) fmodl (x, y); }
WEAK double log10 (double x) { return (double) log10l (x); }
WEAK double pow (double x, double y) { return (double) powl (x, y); }

/* powl's helper calls libc's internal name of frexpl (a static libc
 * defines it, and its definition wins over this weak one) */
long double __frexpl (long double x, int *exp);
WEAK long double __frexpl (long double x, int *exp) { return frexpl (x, exp); }
