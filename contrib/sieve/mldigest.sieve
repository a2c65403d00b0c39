# mldigest.sieve - record kvmarm mail in mldigest's index from Dovecot
# (dovecot-lda or LMTP), with Pigeonhole's extprograms plugin.
#
# As a global script that runs before each user's own (the usual way:
# users' own scripts cannot run programs), in the Dovecot configuration:
#
#   plugin {
#     sieve_before = /etc/dovecot/sieve/mldigest.sieve
#     sieve_plugins = sieve_extprograms
#     sieve_global_extensions = +vnd.dovecot.pipe +vnd.dovecot.execute
#     sieve_pipe_bin_dir = /usr/local/lib/mldigest/sieve-pipe
#     sieve_execute_bin_dir = /usr/local/lib/mldigest/sieve-pipe
#   }
#   protocol lda {
#     mail_plugins = $mail_plugins sieve
#   }
#
# (the same mail_plugins line in `protocol lmtp` for LMTP), then compile
# it once, as Dovecot runs it as the mail user, who cannot write there:
#
#   sievec /etc/dovecot/sieve/mldigest.sieve
#
# Dovecot runs only programs in the pipe directory; link the filter in:
#
#   ln -s /usr/local/bin/mldigest-filter /usr/local/lib/mldigest/sieve-pipe/
#
# As a user's own script (~/.dovecot.sieve, or included from it), the
# extensions must be open to personal scripts: drop sieve_before and say
# `sieve_extensions` where it says `sieve_global_extensions` above.
#
# The filter runs as the mail user with the environment Dovecot gives a
# program (HOME, USER and little else; no MLDIGEST_INDEX, no
# XDG_DATA_HOME), so the index is that user's
# ~/.local/share/mldigest/index.tdb unless an --index argument says
# otherwise.

require ["vnd.dovecot.pipe", "copy"];

if header :contains "List-Id" "<kvmarm.lists." {
  # :copy keeps the normal delivery; :try lets delivery go on when the
  # filter fails (exit 75, index busy), instead of failing the script.
  pipe :copy :try "mldigest-filter" ["--list", "kvmarm", "--quiet"];
}

# The same with vnd.dovecot.execute, which runs the program at once and
# is a test, so a failure can be acted on (requires "vnd.dovecot.execute"
# and "imap4flags" instead of "vnd.dovecot.pipe"):
#
#   if header :contains "List-Id" "<kvmarm.lists." {
#     if not execute :pipe "mldigest-filter" ["--list", "kvmarm", "--quiet"] {
#       addflag "$mldigest-not-indexed";
#     }
#   }
