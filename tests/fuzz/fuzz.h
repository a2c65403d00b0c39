/* fuzz.h - what the libFuzzer targets in tests/fuzz/ check on every input.
 *
 * The checks abort with a message, so libFuzzer keeps the input that
 * broke a promise of the parser's headers (valid UTF-8, one line,
 * bounded) as a crash artifact, just like a sanitizer report.
 */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#define FUZZ_CHECK(cond, ...)                                            \
  do {                                                                   \
    if (!(cond))                                                         \
      {                                                                  \
        fprintf (stderr, "fuzz check failed: %s: ", #cond);              \
        fprintf (stderr, __VA_ARGS__);                                   \
        fputc ('\n', stderr);                                            \
        abort ();                                                        \
      }                                                                  \
  } while (0)

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Each target is one program that includes this header once.  Criticals
 * and warnings mean the parser handed GLib or GMime something they
 * refuse: a bug, so they stop the run like a crash. */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* A NUL-terminated copy of the input, for the APIs that take strings. */
static inline char *
fuzz_cstring (const guint8 *data, size_t size)
{
  return g_strndup ((const char *) data, size);
}

static inline void
fuzz_check_text (const char *what, const char *s, gsize max)
{
  FUZZ_CHECK (s != NULL, "%s is NULL", what);
  FUZZ_CHECK (g_utf8_validate (s, -1, NULL), "%s is not valid UTF-8", what);
  FUZZ_CHECK (strlen (s) <= max, "%s: %zu bytes, more than %zu", what, strlen (s), (size_t) max);
}

/* One line: no CR, LF or other control character. */
static inline void
fuzz_check_line (const char *what, const char *s, gsize max)
{
  fuzz_check_text (what, s, max);
  for (const char *p = s; *p; p++)
    FUZZ_CHECK ((guchar) *p >= 0x20 && *p != 0x7F, "%s holds control byte 0x%02x", what, (guchar) *p);
}
