#include "error.h"

#include <errno.h>
#include <sysexits.h>

G_DEFINE_QUARK (mldigest-error-quark, md_error)

int
md_error_exit_code (const GError *error)
{
  if (error == NULL)
    return EX_OK;
  if (error->domain != MD_ERROR)
    return EX_TEMPFAIL;
  switch ((MdErrorCode) error->code)
    {
    case MD_ERROR_DATA:      return EX_DATAERR;
    case MD_ERROR_TEMP:      return EX_TEMPFAIL;
    case MD_ERROR_IO:        return EX_IOERR;
    case MD_ERROR_CORRUPT:   return EX_SOFTWARE;
    case MD_ERROR_CONFIG:    return EX_CONFIG;
    case MD_ERROR_USAGE:     return EX_USAGE;
    case MD_ERROR_NOT_FOUND: return EX_NOINPUT;
    case MD_ERROR_NETWORK:   return EX_UNAVAILABLE;
    }
  return EX_SOFTWARE;
}

MdErrorCode
md_error_code_from_errno (int err)
{
  switch (err)
    {
    case ENOSPC: case EDQUOT: case EFBIG: case EIO: case ENOMEM: case EAGAIN:
    case EINTR: case EROFS: case EACCES: case EPERM: case EBUSY:
    case ETIMEDOUT: case EMFILE: case ENFILE:
      /* A read-only or full index directory is an operator's problem
       * that gets fixed; the MTA must keep the mail and retry. */
      return MD_ERROR_TEMP;
    default:
      return MD_ERROR_IO;
    }
}
