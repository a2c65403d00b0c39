# postfix.sh - a real MTA for the tests: Debian's Postfix run from a
# directory of the test's own, on a free loopback port, delivering every
# recipient's copy into one maildir, $PF_DIR/mail/all/ (Delivered-To says
# whose copy a file is).
#
#   . "$TOP/tests/lib/postfix.sh"
#   need_postfix                   # skip_all unless Postfix can run here
#   postfix_start NAME [tls] [auth USER PASSWORD]
#                                  # -> $PF_PORT, $PF_DIR (and with tls
#                                  # $PF_SMTPS_PORT: TLS from the start);
#                                  # stopped at exit
#   postfix_wait_mail N            # wait until the maildir holds N messages
#   postfix_mail                   # the paths of the messages
#
# tls: STARTTLS with a self-signed certificate for 127.0.0.1
# ($PF_DIR/cert.pem, made with openssl).  auth: SMTP AUTH (PLAIN, LOGIN,
# or the mechanisms in $PF_AUTH_MECHS),
# the password checked by tests/lib/sasl-auth.py, and mail only from a
# client that authenticated.  Postfix's master runs as root (as it must) and its
# daemons as the postfix user.

need_postfix () {
  [ -x /usr/sbin/postfix ] && [ -x /usr/lib/postfix/sbin/master ] ||
    skip_all 'Postfix is not installed (contrib/install-deps.sh installs it)'
  [ "$(id -u)" -eq 0 ] || skip_all 'Postfix needs root to start its master'
  id postfix >/dev/null 2>&1 || skip_all 'no postfix user'
  need_cmd openssl
}

_pf_free_port () {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_pf_master_cf () {
  cat <<CF
127.0.0.1:$1 inet n - n - - smtpd
127.0.0.1:$2 inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
virtual   unix - n n - - virtual
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CF
}

_pf_main_cf () {
  cat <<CF
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
daemon_directory = /usr/lib/postfix/sbin
command_directory = /usr/sbin
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR
myhostname = mx.test.invalid
mydomain = test.invalid
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP
virtual_mailbox_domains = example.org example.com example.net lists.example.org
virtual_mailbox_base = $PF_DIR/mail
virtual_mailbox_maps = static:all/
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
virtual_mailbox_limit = 0
message_size_limit = 0
alias_maps =
alias_database =
local_recipient_maps =
smtputf8_enable = no
biff = no
CF
}

_pf_tls_cf () {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$PF_DIR/key.pem" -out "$PF_DIR/cert.pem" 2>/dev/null
  cat <<CF
smtpd_tls_cert_file = $PF_DIR/cert.pem
smtpd_tls_key_file = $PF_DIR/key.pem
smtpd_tls_security_level = may
CF
}

_pf_auth_cf () {
  /usr/bin/python3 "$TOP/tests/lib/sasl-auth.py" "$PF_DIR/auth" "$1" "$2" ${PF_AUTH_MECHS:-} > "$PF_DIR/auth.out" 2>&1 &
  echo $! > "$PF_DIR/auth.pid"
  for _i in $(seq 1 100); do [ -S "$PF_DIR/auth" ] && break; sleep 0.05; done
  cat <<CF
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $PF_DIR/auth
smtpd_sasl_security_options = noanonymous
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
CF
}

_pf_listening () {
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# Stop the instance in $PF_DIR; postfix_stop_all (run at exit) stops
# every instance this test started.
postfix_stop () {
  [ -n "${PF_DIR:-}" ] || return 0
  [ -s "$PF_DIR/auth.pid" ] && kill "$(cat "$PF_DIR/auth.pid")" 2>/dev/null
  postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || :
}
postfix_stop_all () {
  for PF_DIR in ${PF_STARTED:-}; do postfix_stop; done
}

postfix_start () {
  PF_DIR=$TMP/postfix-$1; shift
  mkdir -p "$PF_DIR/etc" "$PF_DIR/mail" "$PF_DIR/data" "$PF_DIR/queue"
  # the daemons (user postfix) reach the queue and the maildirs through $TMP
  chmod 711 "$TMP" "$PF_DIR"
  chown postfix "$PF_DIR/mail" "$PF_DIR/data"
  _pf_main_cf > "$PF_DIR/etc/main.cf"
  PF_TLS=no
  [ "${1:-}" = tls ] && { shift; PF_TLS=yes; _pf_tls_cf >> "$PF_DIR/etc/main.cf"; }
  [ "${1:-}" = auth ] && { _pf_auth_cf "$2" "$3" >> "$PF_DIR/etc/main.cf"; }
  [ -n "${PF_STARTED:-}" ] || at_exit postfix_stop_all
  PF_STARTED="${PF_STARTED:-} $PF_DIR"
  for _try in 1 2 3; do
    PF_PORT=$(_pf_free_port)
    PF_SMTPS_PORT=$(_pf_free_port)
    _pf_master_cf "$PF_PORT" "$PF_SMTPS_PORT" > "$PF_DIR/etc/master.cf"
    [ "$PF_TLS" = yes ] || sed -i '/wrappermode/d' "$PF_DIR/etc/master.cf"
    postfix -c "$PF_DIR/etc" set-permissions >/dev/null 2>&1 || :
    if postfix -c "$PF_DIR/etc" start >>"$PF_DIR/start.log" 2>&1 && _pf_listening "$PF_PORT" &&
       { [ "$PF_TLS" = no ] || _pf_listening "$PF_SMTPS_PORT"; }; then
      return 0
    fi
    postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1   # the port was taken between asking and binding: again
  done
  cat "$PF_DIR/start.log" "$PF_DIR/maillog"; cp -r $PF_DIR /tmp/pftest/keep; exit 1
  exit 1
}

postfix_mail () {
  [ -d "$PF_DIR/mail/all/new" ] && find "$PF_DIR/mail/all/new" -type f | sort
}

postfix_wait_mail () {
  for _i in $(seq 1 300); do
    [ "$(postfix_mail | wc -l)" -ge "$1" ] && return 0
    sleep 0.1
  done
  diag "$(postfix_mail | wc -l) messages, not $1, after 30 s; the MTA's log:"
  tail -20 "$PF_DIR/maillog" >&2
  return 1
}
