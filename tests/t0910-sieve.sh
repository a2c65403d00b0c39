#!/bin/sh
# Sieve: Dovecot's LDA (dovecot-lda -c with a configuration of the test's
# own, no Dovecot service) runs contrib/sieve/mldigest.sieve with the
# Dovecot settings its comment gives, through Pigeonhole's
# vnd.dovecot.pipe, and the real mldigest-filter records every kvmarm
# message while Dovecot delivers every message to the mailbox.  As a
# global script (sieve_before), as a user's own script, and the
# vnd.dovecot.execute variant of its comment; a failing filter never
# stops delivery.
. "$(dirname "$0")/lib/tap.sh"
LDA=/usr/lib/dovecot/dovecot-lda
[ -x "$LDA" ] || skip_all "dovecot-lda is not installed (Debian package dovecot-core)"
need_cmd sievec
[ -e /usr/lib/dovecot/modules/sieve/lib90_sieve_extprograms_plugin.so ] ||
  skip_all "Pigeonhole's extprograms plugin is not installed (Debian package dovecot-sieve)"
need_cmd tdbdump
[ "$(id -u)" -ne 0 ] || need_cmd setpriv
. "$TOP/tests/lib/archive.sh"
. "$TOP/tests/lib/mailsrv.sh"

SIEVE=$TOP/contrib/sieve/mldigest.sieve
mail_user_setup
mkdir -p "$TMP/sieve-pipe" "$TMP/sieve"
ln -s "$MAIL_FILTER" "$TMP/sieve-pipe/mldigest-filter"

# ---- the mail: the sample's week, and one message of another list ----
split_mbox "$DATA/sample.mbox" "$TMP/msgs"
N=$(ls "$TMP/msgs" | wc -l)
msgids "$TMP/msgs"/* | sort -u >"$TMP/expected"
sed -e 's/^List-Id: .*/List-Id: <kvm.vger.example.org>/' \
    -e 's/^Message-ID: .*/Message-ID: <other-list@example.org>/' \
  "$TMP/msgs/00001.eml" >"$TMP/other.eml"
is "$(grep -ci '^List-Id: <kvmarm\.lists\.' "$TMP/msgs"/* | grep -c ':1$')" "$N" \
  "$N sample messages, all of kvmarm"

# ---- the Dovecot settings of the script's comment --------------------
# The first "plugin {...}" and "protocol lda {...}" blocks of the comment,
# with the paths moved into $TMP.
comment_block () {  # comment_block FIRST-LINE-PATTERN
  awk -v pat="$1" '
    !on && $0 ~ "^#   " pat { on = 1 }
    on { sub(/^#   /, ""); print }
    on && /^}/ { exit }' "$SIEVE" |
  sed -e "s|/etc/dovecot/sieve/mldigest.sieve|$TMP/sieve/mldigest.sieve|" \
      -e "s|/usr/local/lib/mldigest/sieve-pipe|$TMP/sieve-pipe|"
}
comment_block 'plugin [{]' >"$TMP/plugin.conf"
comment_block 'protocol lda [{]' >"$TMP/lda.conf"
ok "the comment gives a plugin block with sieve_before" grep -q "sieve_before = $TMP/sieve/" "$TMP/plugin.conf"
ok "the comment gives mail_plugins for protocol lda" grep -q 'mail_plugins = .*sieve' "$TMP/lda.conf"

# conf NAME PLUGIN-FILE: a dovecot-lda configuration of the test's own.
conf () {
  # dovecot-lda logs to its standard error, which deliver() keeps.
  { dovecot_conf; echo "log_path = /dev/stderr"; cat "$TMP/lda.conf" "$2"; } >"$TMP/$1.conf"
}
conf global "$TMP/plugin.conf"
# A user's own script: no sieve_before; sieve_extensions instead.
sed -e '/sieve_before/d' -e 's/sieve_global_extensions/sieve_extensions/' \
  "$TMP/plugin.conf" >"$TMP/plugin-personal.conf"
echo '  sieve = file:~/sieve;active=~/.dovecot.sieve' >"$TMP/sieve-line"
sed -i "/^plugin {/r $TMP/sieve-line" "$TMP/plugin-personal.conf"
conf personal "$TMP/plugin-personal.conf"

cp "$SIEVE" "$TMP/sieve/mldigest.sieve"
# The vnd.dovecot.execute variant of the comment, switched on.
{
  echo 'require ["vnd.dovecot.execute", "imap4flags"];'
  sed -n '/^#   if header :contains/,/^#   }$/s/^#   //p' "$SIEVE"
} >"$TMP/sieve/execute.sieve"
sed "s|$TMP/sieve/mldigest.sieve|$TMP/sieve/execute.sieve|" "$TMP/global.conf" >"$TMP/execute.conf"
for s in mldigest execute; do
  ok "sievec compiles the $s script" sievec -c "$TMP/global.conf" "$TMP/sieve/$s.sieve"
done
mail_own "$TMP/sieve" "$TMP/bin"

# deliver NAME CONF FILE...: each message through dovecot-lda, as the
# mail user NAME with home $TMP/home-NAME.  Counts failed deliveries.
deliver () {
  _name=$1 _conf=$2; shift 2
  mkdir -p "$TMP/home-$_name"
  mail_own "$TMP/home-$_name"
  fails=0
  for f in "$@"; do
    as_mail_user "$TMP/home-$_name" "$LDA" -c "$_conf" -e \
      -f sender@example.org -a "$_name@example.org" <"$f" 2>>"$TMP/lda-$_name.log" ||
      fails=$((fails + 1))
  done
}

# check NAME: every message in the mailbox, the kvmarm ones in the index.
check () {
  _home=$TMP/home-$1
  is "$fails" 0 "$1: dovecot-lda delivered every message"
  msgids "$_home/Maildir/new"/* | sort >"$TMP/delivered"
  { cat "$TMP/expected"; echo other-list@example.org; } | sort >"$TMP/want"
  ok "$1: every message in the mailbox" cmp -s "$TMP/want" "$TMP/delivered"
  _index=$_home/.local/share/mldigest/index.tdb
  ok "$1: the index is the mail user's ~/.local/share/mldigest/index.tdb" test -s "$_index"
  recorded_ids "$_index" >"$TMP/recorded"
  ok "$1: every kvmarm message recorded, the other list's not" cmp -s "$TMP/expected" "$TMP/recorded"
  # A user's script logs its compile errors beside it.
  cat "$TMP/lda-$1.log" "$_home/.dovecot.sieve.log" 2>/dev/null >"$TMP/logs"
  ok "$1: no error or warning from dovecot-lda or the script" \
    sh -c "! grep -Eiq 'error|warning|fatal' '$TMP/logs'"
}

# ---- global script (sieve_before) -----------------------------------
deliver global "$TMP/global.conf" "$TMP/msgs"/* "$TMP/other.eml"
check global
is "$(grep -c "pipe action: piped message to program .mldigest-filter'" "$TMP/lda-global.log")" "$N" \
  "global: Dovecot logs $N pipes to mldigest-filter"

# Delivered again: the index stays as it was, the mailbox gets the copies.
tdbdump "$TMP/home-global/.local/share/mldigest/index.tdb" | sort >"$TMP/dump1"
deliver global "$TMP/global.conf" "$TMP/msgs"/*
tdbdump "$TMP/home-global/.local/share/mldigest/index.tdb" | sort >"$TMP/dump2"
ok 'global: the same mail delivered again changes nothing in the index' cmp -s "$TMP/dump1" "$TMP/dump2"
is "$(ls "$TMP/home-global/Maildir/new" | wc -l)" $((2 * N + 1)) 'global: and is delivered again'

# ---- a user's own script ---------------------------------------------
mkdir -p "$TMP/home-personal"
cp "$SIEVE" "$TMP/home-personal/.dovecot.sieve"
deliver personal "$TMP/personal.conf" "$TMP/msgs"/* "$TMP/other.eml"
check personal

# ---- a filter that fails (exit 75) never stops delivery ---------------
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$TMP/bin/fail75"
chmod 755 "$TMP/bin/fail75"
ln -sf "$TMP/bin/fail75" "$TMP/sieve-pipe/mldigest-filter"
deliver fail "$TMP/global.conf" "$TMP/msgs/00001.eml" "$TMP/msgs/00002.eml"
is "$fails.$(ls "$TMP/home-fail/Maildir/new" | wc -l)" 0.2 \
  'pipe :try: with the filter failing (75) dovecot-lda still delivers'
ok 'pipe :try: Dovecot logs the exit status 75' grep -q 'mldigest-filter ([0-9]*): Terminated with non-zero exit code 75' "$TMP/lda-fail.log"

# ---- the vnd.dovecot.execute variant: records, or flags the message ---
ln -sf "$MAIL_FILTER" "$TMP/sieve-pipe/mldigest-filter"
deliver execute "$TMP/execute.conf" "$TMP/msgs"/* "$TMP/other.eml"
check execute
ln -sf "$TMP/bin/fail75" "$TMP/sieve-pipe/mldigest-filter"
deliver exfail "$TMP/execute.conf" "$TMP/msgs/00001.eml"
is "$fails" 0 'execute: with the filter failing dovecot-lda still delivers'
ok 'execute: ... and flags the message $mldigest-not-indexed' \
  grep -q 'mldigest-not-indexed' "$TMP/home-exfail/Maildir/dovecot-keywords"
ln -sf "$MAIL_FILTER" "$TMP/sieve-pipe/mldigest-filter"

# ---- real archive mail -------------------------------------------------
if [ -d "$CORPUS" ]; then
  archive_split 100 "$TMP/archive"
  msgids "$TMP/archive"/* | sort -u >"$TMP/expected-archive"
  deliver archive "$TMP/global.conf" "$TMP/archive"/*
  is "$fails.$(ls "$TMP/home-archive/Maildir/new" | wc -l)" 0.100 \
    'archive: dovecot-lda delivered 100 kvmarm archive messages'
  recorded_ids "$TMP/home-archive/.local/share/mldigest/index.tdb" >"$TMP/recorded"
  ok "archive: every one recorded ($(wc -l <"$TMP/expected-archive") distinct ids)" \
    cmp -s "$TMP/expected-archive" "$TMP/recorded"
else
  skip "real-mail corpus not found at $CORPUS (set MLDIGEST_CORPUS)"
fi
done_testing
