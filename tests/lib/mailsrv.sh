# mailsrv.sh - a mail user, a Dovecot of the test's own and sample mail,
# for the tests that run real mail programs (dovecot-lda, fetchmail,
# getmail) on loopback.
#
#   . "$TOP/tests/lib/mailsrv.sh"      (after tap.sh)
#   free_port                 a free TCP port on 127.0.0.1
#   mail_user_setup           $MAIL_USER/$MAIL_UID/$MAIL_GID: who reads mail
#   as_mail_user HOME CMD...  run CMD as that user, clean environment
#   mail_own PATH...          hand files to the mail user
#   split_mbox MBOX DIR [N]   an mboxrd file, one message a file (first N)
#   maildir_put MAILDIR FILE...  messages into MAILDIR/new, as an MTA would
#   dovecot_start [imap] [pop3]  $TMP/dovecot/dovecot.conf, ports in
#                             $IMAP_PORT/$POP3_PORT; stopped at exit
#   dovecot_user NAME PASSWORD HOME   a passwd-file user (before start)
#
# Sourcing it also makes HUP, INT and TERM end the test through its
# exit hooks, so that a killed test stops its servers too.
#
# A test killed by a signal (prove interrupted, a timeout) still runs
# its exit hooks, which stop the servers it started.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Mail programs refuse to deliver as root (getmail) and Dovecot's mail
# processes run as the user of the mailbox, so when the test runs as
# root the mail side runs as nobody; otherwise as the caller.

free_port () {
  /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

mail_user_setup () {
  if [ "$(id -u)" -eq 0 ]; then
    MAIL_USER=nobody MAIL_UID=$(id -u nobody) MAIL_GID=$(id -g nobody)
    # nobody must be able to reach its homes and the programs in $TMP.
    chmod 711 "$TMP"
  else
    MAIL_USER=$(id -un) MAIL_UID=$(id -u) MAIL_GID=$(id -g)
  fi
  mkdir -p "$TMP/bin"
  # A copy: the build tree may sit where nobody cannot read.
  cp "$FILTER" "$TMP/bin/mldigest-filter"
  MAIL_FILTER=$TMP/bin/mldigest-filter
}

mail_own () {
  [ "$(id -u)" -eq 0 ] || return 0
  chown -R "$MAIL_UID:$MAIL_GID" "$@"
}

# The programs see only what a mail user's session would have, and get
# five minutes at most: a hung client must not hang the test, and a slow
# run on a loaded machine must not be cut short either.
as_mail_user () {
  _home=$1; shift
  set -- env -i PATH=/usr/bin:/bin HOME="$_home" USER="$MAIL_USER" LOGNAME="$MAIL_USER" \
    LC_ALL=C.UTF-8 TZ=UTC timeout 300 "$@"
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid="$MAIL_UID" --regid="$MAIL_GID" --clear-groups "$@"
  else
    "$@"
  fi
}

# mboxrd: "From " starts a message, ">From " lines lose one '>'.
split_mbox () {
  mkdir -p "$2"
  LC_ALL=C awk -v n="${3:-0}" -v dir="$2" '
    /^From / { if (n && ++k > n) exit; if (!n) ++k; f = sprintf("%s/%05d.eml", dir, k); next }
    { if ($0 ~ /^>+From /) $0 = substr($0, 2); print > f }' "$1"
}

_maildir_n=0
maildir_put () {
  _md=$1; shift
  mkdir -p "$_md/new" "$_md/cur" "$_md/tmp"
  for _f in "$@"; do
    _maildir_n=$((_maildir_n + 1))
    ln "$_f" "$_md/tmp/179000000$_maildir_n.M$_maildir_n.mldigest-test" 2>/dev/null ||
      cp "$_f" "$_md/tmp/179000000$_maildir_n.M$_maildir_n.mldigest-test"
    mv "$_md/tmp/179000000$_maildir_n.M$_maildir_n.mldigest-test" "$_md/new/"
  done
}

DOVECOT_DIR=$TMP/dovecot
dovecot_user () {
  mkdir -p "$DOVECOT_DIR" "$3"
  # passwd-file: user:password:uid:gid:gecos:home:shell
  echo "$1:{PLAIN}$2:$MAIL_UID:$MAIL_GID::$3::" >>"$DOVECOT_DIR/passwd"
  chmod 600 "$DOVECOT_DIR/passwd"
}

# The settings every Dovecot program of the test reads (dovecot, and
# dovecot-lda through -c): everything under $DOVECOT_DIR, mail in
# maildirs under the users' homes, "/" between folder names.
dovecot_conf () {
  # As root Dovecot's own users (Debian makes them); otherwise all is
  # the caller's, groups too (Dovecot cannot chown its sockets).
  if [ "$(id -u)" -eq 0 ]; then
    _internal=dovecot _login=dovenull _group=dovecot
  else
    _internal=$MAIL_USER _login=$MAIL_USER _group=$(id -gn)
  fi
  mkdir -p "$DOVECOT_DIR"
  cat <<EOF
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_DIR/dovecot.log
default_internal_user = $_internal
default_login_user = $_login
default_internal_group = $_group
protocols = $*
listen = 127.0.0.1
ssl = no
# Loopback only, and a test password: plain text is fine here.
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = $DOVECOT_DIR/passwd
}
userdb {
  driver = passwd-file
  args = $DOVECOT_DIR/passwd
}
EOF
}

dovecot_stop () {
  [ -s "$DOVECOT_DIR/master.pid" ] || return 0
  _pid=$(cat "$DOVECOT_DIR/master.pid")
  kill "$_pid" 2>/dev/null || return 0
  _i=0
  while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 50 ]; do
    sleep 0.1; _i=$((_i + 1))
  done
  kill -9 "$_pid" 2>/dev/null || :
  rm -f "$DOVECOT_DIR/master.pid"
}

# dovecot_start PROTOCOL...: a server for imap and/or pop3 on free
# loopback ports; returns once it accepts connections (10 s at most).
dovecot_start () {
  IMAP_PORT=$(free_port) POP3_PORT=$(free_port)
  {
    dovecot_conf "$@"
    cat <<EOF
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
EOF
    # Only root can chroot the login and anvil processes.
    [ "$(id -u)" -eq 0 ] ||
      printf 'service %s {\n  chroot =\n}\n' imap-login pop3-login anvil
  } >"$DOVECOT_DIR/dovecot.conf"
  # Dovecot's auth process reads the users as its internal user.
  [ "$(id -u)" -ne 0 ] || chgrp dovecot "$DOVECOT_DIR/passwd"
  chmod 640 "$DOVECOT_DIR/passwd"
  dovecot -c "$DOVECOT_DIR/dovecot.conf" -F 2>>"$DOVECOT_DIR/dovecot.log" &
  echo $! >"$DOVECOT_DIR/master.pid"
  at_exit dovecot_stop
  _i=0
  while [ $_i -lt 100 ]; do
    _up=1
    for _p in "$@"; do
      case $_p in imap) _port=$IMAP_PORT ;; pop3) _port=$POP3_PORT ;; *) continue ;; esac
      /usr/bin/python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$_port" 2>/dev/null || _up=0
    done
    [ $_up = 1 ] && return 0
    kill -0 "$(cat "$DOVECOT_DIR/master.pid")" 2>/dev/null || break
    sleep 0.1; _i=$((_i + 1))
  done
  diag "dovecot did not start:"
  sed 's/^/#   /' "$DOVECOT_DIR/dovecot.log" >&2
  return 1
}
