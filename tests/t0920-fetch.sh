#!/bin/sh
# fetchmail and getmail 6 pull list mail from a Dovecot IMAP and POP3
# server of the test's own (127.0.0.1, free ports, passwd-file users,
# maildirs in $TMP) with the configurations of contrib/fetchmailrc and
# contrib/getmailrc, changed only where a test must (server, port, no
# TLS on loopback, the password, the programs' paths), and the real
# mldigest-filter as their MDA.  Each runs twice: every message is
# recorded once and fetched once; the second run fetches nothing and
# leaves the index as it was.  A filter failing with 75 leaves the mail
# to the next run.
. "$(dirname "$0")/lib/tap.sh"
need_cmd dovecot
need_cmd fetchmail
need_cmd getmail
need_cmd tdbdump
[ -e /usr/lib/dovecot/imap ] || skip_all "Dovecot's IMAP server is not installed (Debian package dovecot-imapd)"
[ -e /usr/lib/dovecot/pop3 ] || skip_all "Dovecot's POP3 server is not installed (Debian package dovecot-pop3d)"
[ "$(id -u)" -ne 0 ] || need_cmd setpriv
. "$TOP/tests/lib/archive.sh"
. "$TOP/tests/lib/mailsrv.sh"

C=$TOP/contrib
mail_user_setup
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$TMP/bin/fail75"
chmod 755 "$TMP/bin/fail75"

# ---- the mail: the sample's 48 messages (the archive's real mail goes
# through the same filter in t0210 and t0910; here the fetching is
# tested, and getmail takes a tenth of a second a message).
split_mbox "$DATA/sample.mbox" "$TMP/msgs"
msgids "$TMP/msgs"/* | sort -u >"$TMP/expected"
N=$(ls "$TMP/msgs" | wc -l)
# The runs with a failing filter take the first five.
mkdir -p "$TMP/few"
for f in $(ls "$TMP/msgs"/* | head -n 5); do ln "$f" "$TMP/few/"; done
msgids "$TMP/few"/* | sort -u >"$TMP/expected-few"

# One server user per run below, each with the messages in its
# lists/kvmarm folder (for IMAP) and in its INBOX (for POP3).
for u in fm-imap fm-pop3 fm-fail gm-imap gm-pop3 gm-fail; do
  dovecot_user "$u@example.org" "secret-$u" "$TMP/srv/$u"
  case $u in *-fail) set -- "$TMP/few"/* ;; *) set -- "$TMP/msgs"/* ;; esac
  maildir_put "$TMP/srv/$u/Maildir/.lists.kvmarm" "$@"
  maildir_put "$TMP/srv/$u/Maildir" "$@"
  mkdir -p "$TMP/home-$u"
done
mail_own "$TMP/srv" "$TMP/bin"
dovecot_start imap pop3 || { fail 'dovecot starts'; exit 1; }
pass "dovecot serves IMAP on 127.0.0.1:$IMAP_PORT and POP3 on :$POP3_PORT"

# server_left USER: the messages still in its folder and its INBOX.
server_left () {
  find "$TMP/srv/$1/Maildir" -path '*/new/*' -o -path '*/cur/*' | wc -l
}
index_of () { echo "$TMP/home-$1/.local/share/mldigest/index.tdb"; }

# show_failure USER OK-STATUS: the client's last words when it failed
# otherwise than with OK-STATUS (besides 0), unless the run expects it.
show_failure () {
  case $rc in 0 | "$2") return 0 ;; esac
  case $1 in *-fail) return 0 ;; esac
  diag "$1: exit $rc; the end of its output:"
  tail -n 5 "$TMP/out-$1" | sed 's/^/#   /' >&2
}

# ---- fetchmail -----------------------------------------------------
# fetchmail_rc WHICH USER [MDA]: the poll entry WHICH (imap or pop3) of
# contrib/fetchmailrc for USER on the test's server, optionally with
# another MDA program.
fetchmail_rc () {
  case $1 in imap) _host=imap.example.org _port=$IMAP_PORT ;; pop3) _host=pop.example.org _port=$POP3_PORT ;; esac
  awk -v host="$_host" '$1 == "poll" && $2 == host { on = 1 } on && /^$/ { exit } on' "$C/fetchmailrc" |
  sed -e "s|^poll $_host |poll 127.0.0.1 service $_port |" \
      -e "s|\"alice@example.org\" is alice here|\"$2@example.org\" is $MAIL_USER here|" \
      -e 's|^  ssl$|  sslproto ""|' \
      -e "s|/usr/local/bin/mldigest-filter|${3:-$MAIL_FILTER}|"
}
# fetchmail_setup WHICH USER [MDA]: ~/.fetchmailrc and ~/.netrc.
fetchmail_setup () {
  _h=$TMP/home-$2
  fetchmail_rc "$@" >"$_h/.fetchmailrc"
  printf 'machine 127.0.0.1\nlogin %s@example.org\npassword secret-%s\n' "$2" "$2" >"$_h/.netrc"
  chmod 600 "$_h/.fetchmailrc" "$_h/.netrc"
  mail_own "$_h"
}
fetchmail_run () {  # fetchmail_run USER: exit status in $rc, output in $TMP/out-USER
  as_mail_user "$TMP/home-$1" fetchmail >>"$TMP/out-$1" 2>&1
  rc=$?
  show_failure "$1" 1
}

for which in imap pop3; do
  u=fm-$which
  fetchmail_setup $which $u
  ok "fetchmail $which: contrib's poll entry, MDA and all" \
    grep -q "mda \"$MAIL_FILTER --list kvmarm --quiet\"" "$TMP/home-$u/.fetchmailrc"
  fetchmail_run $u
  is "$rc" 0 "fetchmail $which: first run fetches"
  recorded_ids "$(index_of $u)" >"$TMP/recorded"
  ok "fetchmail $which: every message recorded ($(wc -l <"$TMP/expected") ids)" \
    cmp -s "$TMP/expected" "$TMP/recorded"
  is "$(grep -c '^reading message' "$TMP/out-$u")" "$N" "fetchmail $which: each of the $N messages fetched once"
  tdbdump "$(index_of $u)" >"$TMP/dump1"
  fetchmail_run $u
  is "$rc" 1 "fetchmail $which: the second run finds no new mail (exit 1)"
  is "$(grep -c '^reading message' "$TMP/out-$u")" "$N" "fetchmail $which: ... and fetches nothing"
  tdbdump "$(index_of $u)" >"$TMP/dump2"
  ok "fetchmail $which: ... and the index is as it was" cmp -s "$TMP/dump1" "$TMP/dump2"
  is "$(server_left $u)" $((2 * N)) "fetchmail $which: keep leaves the mail on the server"
  ok "fetchmail $which: no MDA failure" sh -c "! grep -q 'MDA returned' '$TMP/out-$u'"
done

# A failing filter: the mail stays new on the server and comes again.
fetchmail_setup imap fm-fail "$TMP/bin/fail75"
fetchmail_run fm-fail
is "$(grep -c 'MDA returned nonzero status 75' "$TMP/out-fm-fail")" 5 \
  'fetchmail: a filter failing with 75 is a failed delivery'
fetchmail_setup imap fm-fail
fetchmail_run fm-fail
recorded_ids "$(index_of fm-fail)" >"$TMP/recorded"
ok 'fetchmail: the next run fetches and records them all' cmp -s "$TMP/expected-few" "$TMP/recorded"

# ---- getmail ---------------------------------------------------------
# getmail_setup WHICH USER [MDA]: contrib/getmailrc for USER on the
# test's server, as ~/.config/getmail/getmailrc; its maildir; a "pass"
# that knows the password.
getmail_setup () {
  _h=$TMP/home-$2
  mkdir -p "$_h/.config/getmail" "$_h/bin" "$_h/Mail/lists.kvmarm/new" \
    "$_h/Mail/lists.kvmarm/cur" "$_h/Mail/lists.kvmarm/tmp"
  printf '#!/bin/sh\n[ "$*" = "show imap/example.org" ] && echo secret-%s\n' "$2" >"$_h/bin/pass"
  chmod 755 "$_h/bin/pass"
  case $1 in imap) _port=$IMAP_PORT ;; pop3) _port=$POP3_PORT ;; esac
  /usr/bin/python3 - "$C/getmailrc" "$_h/.config/getmail/getmailrc" "$1" "$_port" \
      "$2@example.org" "$_h/bin/pass" "${3:-$MAIL_FILTER}" <<'EOF'
import configparser, sys
src, dst, which, port, user, passcmd, mda = sys.argv[1:]
c = configparser.RawConfigParser()
c.read(src)
r = c["retriever"]
assert r["type"] == "SimpleIMAPSSLRetriever", r["type"]
if which == "imap":
    r["type"] = "SimpleIMAPRetriever"
else:  # as the comment says: the POP3 type and no mailboxes line
    r["type"] = "SimplePOP3Retriever"
    del r["mailboxes"]
r["server"] = "127.0.0.1"
r["port"] = port
# Also how long getmail waits for a lost delivery child (see getmail_run):
# 10 s, not the default 180, on loopback.
r["timeout"] = "10"
r["username"] = user
assert r["password_command"].startswith('("pass", ')
r["password_command"] = r["password_command"].replace('"pass"', '"%s"' % passcmd, 1)
assert c["mldigest"]["path"] == "/usr/local/bin/mldigest-filter"
c["mldigest"]["path"] = mda
with open(dst, "w") as f:
    c.write(f)
EOF
  mail_own "$_h"
}
# getmail_run USER: exit status in $rc, output in $TMP/last-USER (and
# all runs' in $TMP/out-USER).
#
# getmail 6 can lose a delivery child on a busy machine: it installs its
# SIGCHLD handler after fork(), so a child that exits first is waited for
# until the retriever's timeout, and the run ends with "waiting child pid
# N timed out" (getmail6 issues #52, #226).  That run is then done again,
# as cron would; the messages it delivered before are fetched once more,
# which the index ignores and the maildir does not (see local_ok).
getmail_run () {
  _try=0
  while :; do
    as_mail_user "$TMP/home-$1" getmail >"$TMP/last-$1" 2>&1
    rc=$?
    cat "$TMP/last-$1" >>"$TMP/out-$1"
    grep -q 'waiting child pid [0-9]* timed out' "$TMP/last-$1" || break
    : >"$TMP/raced-$1"
    diag "$1: getmail lost a delivery child (its SIGCHLD race), run again"
    _try=$((_try + 1))
    [ $_try -lt 3 ] || break
  done
  show_failure "$1" 0
}
local_mail () { ls "$TMP/home-$1/Mail/lists.kvmarm/new" | wc -l; }
# local_ok USER WANT-COUNT NAME: the maildir holds each message once; after
# getmail's race only that it holds each message.
local_ok () {
  if [ -e "$TMP/raced-$1" ]; then
    msgids "$TMP/home-$1/Mail/lists.kvmarm/new"/* | sort -u >"$TMP/local-ids"
    ok "$3 (every message; getmail's race put $(($(local_mail "$1") - $2)) in twice)" \
      cmp -s "$TMP/expected${4:-}" "$TMP/local-ids"
  else
    is "$(local_mail "$1")" "$2" "$3"
  fi
}

for which in imap pop3; do
  u=gm-$which
  getmail_setup $which $u
  getmail_run $u
  is "$rc" 0 "getmail $which: first run fetches"
  recorded_ids "$(index_of $u)" >"$TMP/recorded"
  ok "getmail $which: every message recorded ($(wc -l <"$TMP/expected") ids)" \
    cmp -s "$TMP/expected" "$TMP/recorded"
  local_ok $u "$N" "getmail $which: every message in the maildir once"
  tdbdump "$(index_of $u)" >"$TMP/dump1"
  getmail_run $u
  is "$rc" 0 "getmail $which: the second run"
  ok "getmail $which: ... fetches nothing" grep -q "^  0 messages (0 bytes) retrieved, $N skipped" "$TMP/last-$u"
  local_ok $u "$N" "getmail $which: ... the maildir still holds each message once"
  tdbdump "$(index_of $u)" >"$TMP/dump2"
  ok "getmail $which: ... and the index is as it was" cmp -s "$TMP/dump1" "$TMP/dump2"
  is "$(server_left $u)" $((2 * N)) "getmail $which: delete = false leaves the mail on the server"
done

getmail_setup imap gm-fail "$TMP/bin/fail75"
getmail_run gm-fail
is "$(grep -c 'delivery error (command fail75 [0-9]* error (75' "$TMP/last-gm-fail").$(local_mail gm-fail)" 5.0 \
  'getmail: a filter failing with 75 fails the delivery, before the maildir gets it'
getmail_setup imap gm-fail
getmail_run gm-fail
recorded_ids "$(index_of gm-fail)" >"$TMP/recorded"
ok 'getmail: the next run records them all' cmp -s "$TMP/expected-few" "$TMP/recorded"
local_ok gm-fail 5 'getmail: ... and delivers each once' -few

ok 'dovecot logged no error' sh -c "! grep -Eq 'Error|Fatal|Panic' '$DOVECOT_DIR/dovecot.log'"
grep -E 'Error|Fatal|Panic' "$DOVECOT_DIR/dovecot.log" | head -n 5 | sed 's/^/#   /' >&2
done_testing
