# mldigest.sieve - record kvmarm mail in mldigest's index from Dovecot.
#
# Needs Pigeonhole's extprograms plugin.  In the Dovecot configuration:
#
#   plugin {
#     sieve_plugins = sieve_extprograms
#     sieve_global_extensions = +vnd.dovecot.pipe +vnd.dovecot.execute
#     sieve_pipe_bin_dir = /usr/local/lib/mldigest/sieve-pipe
#     sieve_execute_bin_dir = /usr/local/lib/mldigest/sieve-pipe
#   }
#
# and in that directory a link to the program (Dovecot runs only what
# is in it):  ln -s /usr/local/bin/mldigest-filter /usr/local/lib/mldigest/sieve-pipe/
#
# The filter runs as the mail user, so its index is that user's
# ($XDG_DATA_HOME/mldigest/index.tdb) unless --index says otherwise.

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
