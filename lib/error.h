/* error.h - the one error domain of lib/.
 *
 * lib/ never exits or prints: every fallible call returns gboolean (or a
 * pointer) and sets a GError in MD_ERROR.  The programs map the codes to
 * sysexits in one function each (see md_error_exit_code()).
 */
#pragma once
#include <glib.h>

#define MD_ERROR (md_error_quark ())
GQuark md_error_quark (void);

typedef enum {
  MD_ERROR_DATA,      /* input that can never be recorded (EX_DATAERR)   */
  MD_ERROR_TEMP,      /* worth retrying: lock timeout, ENOSPC, EIO, ENOMEM (EX_TEMPFAIL) */
  MD_ERROR_IO,        /* a file could not be read or written (EX_IOERR, or TEMP for delivery) */
  MD_ERROR_CORRUPT,   /* a stored record failed validation (EX_SOFTWARE)  */
  MD_ERROR_CONFIG,    /* bad configuration (EX_CONFIG)                    */
  MD_ERROR_USAGE,     /* bad arguments (EX_USAGE)                         */
  MD_ERROR_NOT_FOUND, /* a lookup found nothing                           */
  MD_ERROR_NETWORK,   /* a remote service failed (EX_UNAVAILABLE / TEMP)  */
} MdErrorCode;

/* sysexits(3) value for an error (NULL means success: 0).  Errors from
 * other domains map to EX_TEMPFAIL: when in doubt the MTA retries rather
 * than bounces. */
int md_error_exit_code (const GError *error);

/* Classify an errno from a failed system call: ENOSPC, EIO, ENOMEM,
 * EAGAIN, EDQUOT, EROFS, EACCES... are MD_ERROR_TEMP, the rest MD_ERROR_IO. */
MdErrorCode md_error_code_from_errno (int err);
