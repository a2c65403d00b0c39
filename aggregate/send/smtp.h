/* smtp.h - the [smtp] configuration and one SMTP transaction (libcurl).
 *
 *   [smtp]
 *   url = smtp://mail.example.org:587    (or smtps://host:465)
 *   starttls = required | optional | never   (smtp:// only; default required)
 *   user = digest-bot
 *   password_file = /etc/mldigest/smtp-password   (0600: refused when
 *                                                  group or others can read it)
 *   password_env = MLDIGEST_SMTP_PASSWORD        (instead of the file)
 *   from = KVM digest <digest@example.org>
 *   timeout = 60                          (seconds, the whole transaction)
 *   ca_file = /etc/ssl/private-ca.pem     (trust this CA for the server)
 *   outbox = /var/lib/mldigest/outbox     (default: "outbox" beside the index)
 *
 * The password is read from its file or variable and kept in memory only;
 * no message of this module ever holds it.  Certificate verification is
 * always on.  Every failure of a transaction (connection refused, TLS,
 * timeout, 4xx, 5xx) is MD_ERROR_TEMP: the message stays queued and is
 * retried, as an MTA would.
 */
#pragma once
#include <glib.h>

typedef enum {
  MD_STARTTLS_REQUIRED,
  MD_STARTTLS_OPTIONAL,
  MD_STARTTLS_NEVER,
} MdStarttls;

typedef struct {
  char *url;
  MdStarttls starttls;
  char *user;
  char *password;     /* NULL without user */
  char *from;         /* as configured: "Name <addr>" or "addr" */
  char *from_addr;    /* its addr-spec: the envelope sender */
  long timeout;       /* seconds */
  char *ca_file;
  char *outbox;
} MdSmtpConfig;

/* Read [smtp] from CONFIG.  The outbox defaults to "outbox" beside
 * INDEX_PATH.  The password is read only when WANT_PASSWORD (sending).
 * MD_ERROR_CONFIG for a missing or bad key, an unreadable or
 * group/other-readable password file, an empty password variable. */
gboolean md_smtp_config_load (MdSmtpConfig *cfg, GKeyFile *config,
                              const char *index_path, gboolean want_password,
                              GError **error);
void md_smtp_config_clear (MdSmtpConfig *cfg);

/* One transaction: MAIL FROM, every RCPT, DATA MESSAGE (CRLF bytes).
 * MD_ERROR_TEMP when the server did not accept it. */
gboolean md_smtp_send (const MdSmtpConfig *cfg, const char *const *rcpts,
                       GBytes *message, GError **error);
