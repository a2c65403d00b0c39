#!/bin/sh
# --send through a real MTA: Debian's Postfix, started from $TMP on a free
# loopback port with STARTTLS (a self-signed certificate made here with
# openssl) and SMTP AUTH, delivering into a maildir.  What arrives is read
# back with Python's email package: its parts are the --format text and
# --format html renderings byte for byte, its Subject the configured one.
# Then: exactly once per (list, week), --force, threading to the previous
# week, archive_dir, an untrusted certificate and a readable password
# file refused.
. "$(dirname "$0")/lib/tap.sh"
. "$TOP/tests/lib/postfix.sh"
[ -x /usr/bin/python3 ] || skip_all '/usr/bin/python3 is not installed'
need_postfix

export MLDIGEST_TEMPLATES="$TOP/templates" MLDIGEST_NOW=2026-12-01T08:00:00Z
postfix_start mx tls auth digest-bot 's3cret pass'
printf 's3cret pass\n' > "$TMP/password"
chmod 600 "$TMP/password"
mkdir -p "$TMP/archive"

# conf FILE [EXTRA [LIST EXTRA]]: a configuration for this server
conf () {
  cat > "$1" <<CONF
[smtp]
url = smtp://127.0.0.1:$PF_PORT
starttls = required
ca_file = $PF_DIR/cert.pem
user = digest-bot
password_file = $TMP/password
from = KVM 周报 <digest@example.org>
timeout = 20
${2:-}
[defaults]
to = KVM ARM <kvmarm@lists.example.org>
cc = Reviewer <reviewer@example.com>
bcc = archive@example.net
archive_dir = $TMP/archive
${3:-}
CONF
}
conf "$TMP/conf"
count () { postfix_mail | wc -l | tr -d ' '; }
# settle: Postfix has delivered what it was given (its queue is empty)
settle () {
  for _i in $(seq 1 100); do
    [ -z "$(find "$PF_DIR/queue/incoming" "$PF_DIR/queue/active" "$PF_DIR/queue/maildrop" -type f 2>/dev/null)" ] && break
    sleep 0.1
  done
  sleep 0.3
}
ids () { for f in $(postfix_mail); do grep -i -m1 '^Message-Id:' "$f"; done | sort | uniq -c | sed 's/^ *//'; }

# deliver NAME INDEX WEEK: send WEEK of INDEX; the three copies arrive and
# read back as the renderings.
deliver () {
  nm=$1 index=$2 week=$3
  before=$(count)
  ok "$nm: --send exits 0" "$AGGREGATE" --index "$index" --config "$TMP/conf" --send --week "$week"
  postfix_wait_mail $((before + 3))
  is "$(count)" $((before + 3)) "$nm: one copy each for To, Cc and Bcc"
  "$AGGREGATE" --index "$index" --config "$TMP/conf" --week "$week" --format text -o "$TMP/$nm.txt"
  "$AGGREGATE" --index "$index" --config "$TMP/conf" --week "$week" --format html -o "$TMP/$nm.html"
  "$AGGREGATE" --index "$index" --config "$TMP/conf" --week "$week" --format md -o "$TMP/$nm.md"
  copy=$(grep -l '^Delivered-To: kvmarm@lists.example.org' $(postfix_mail) | tail -1)
  /usr/bin/python3 "$TOP/tests/lib/check-mail.py" "$copy" "$TMP/$nm.txt" "$TMP/$nm.html" \
    "subject=[kvmarm] 邮件列表周报 $week" "message-id=<mldigest.$week.kvmarm@example.org>" \
    'from=KVM 周报 <digest@example.org>' 'to=KVM ARM <kvmarm@lists.example.org>' \
    'cc=Reviewer <reviewer@example.com>' 'content-language=zh-CN' > "$TMP/verdicts" 2>&1
  verdicts "$TMP/verdicts" "$nm: received"
  ok "$nm: the Bcc copy arrived" grep -q '^Delivered-To: archive@example.net' $(postfix_mail)
  ok "$nm: over STARTTLS, authenticated" grep -q 'with ESMTPSA' "$copy"
  ok "$nm: nothing left in the outbox" test -z "$(ls "$(dirname "$index")/outbox")"
  ok "$nm: archive_dir keeps the Markdown" cmp -s "$TMP/archive/kvmarm.$week.md" "$TMP/$nm.md"
  ok "$nm: archive_dir keeps the HTML" cmp -s "$TMP/archive/kvmarm.$week.html" "$TMP/$nm.html"
}

mkdir -p "$TMP/sample"
"$FILTER" --index "$TMP/sample/index.tdb" --list kvmarm --mbox "$DATA/sample.mbox" 2>/dev/null
deliver sample "$TMP/sample/index.tdb" 2026-W46

if [ -d "$CORPUS" ]; then
  mkdir -p "$TMP/corpus"
  xz -dc "$CORPUS/archive/kvmarm-2019-2021.mbox.xz" |
    "$FILTER" --index "$TMP/corpus/index.tdb" --list kvmarm --mbox - 2>/dev/null
  deliver 'real week 2021-W10' "$TMP/corpus/index.tdb" 2021-W10
else
  skip "real-mail corpus not found at $CORPUS (set MLDIGEST_CORPUS)"
fi

# Exactly once: the week is recorded as sent; --force sends it again.
S="--index $TMP/sample/index.tdb --config $TMP/conf"
n=$(count)
# shellcheck disable=SC2086
out=$("$AGGREGATE" $S --send --week 2026-W46); rc=$?
is "$rc" 0 'a week already sent: exit 0'
ok 'and it says so' sh -c "echo '$out' | grep -q 'kvmarm 2026-W46: already sent on .* as <mldigest.2026-W46.kvmarm@example.org>'"
settle
is "$(count)" "$n" 'and sends nothing'
# shellcheck disable=SC2086
ok '--force sends it again' "$AGGREGATE" $S --send --force --week 2026-W46
postfix_wait_mail $((n + 3))
is "$(ids | grep -c 'mldigest.2026-W46.kvmarm@example.org')" 1 'every copy of the week carries one Message-ID'

# The next week threads under this one.
# shellcheck disable=SC2086
ok 'the next week: sent' "$AGGREGATE" $S --send --week 2026-W47
postfix_wait_mail $((n + 6))
w47=$(grep -l 'mldigest.2026-W47' $(postfix_mail) | head -1)
ok 'In-Reply-To: the previous week' grep -q '^In-Reply-To: <mldigest.2026-W46.kvmarm@example.org>' "$w47"
ok 'References: the previous week' grep -q '^References: <mldigest.2026-W46.kvmarm@example.org>' "$w47"

# With no window option: the last complete ISO week, once, however often
# the timer fires.
# shellcheck disable=SC2086
MLDIGEST_NOW=2026-11-18T09:00:00Z "$AGGREGATE" $S --send > "$TMP/timer.out"
ok 'a timer firing on Wednesday finds W46 sent' grep -q 'kvmarm 2026-W46: already sent' "$TMP/timer.out"

# smtps:// (TLS from the first byte), and starttls = never (AUTH in the
# clear, which this server allows).
n=$(count)
conf "$TMP/smtps.conf" "url = smtps://127.0.0.1:$PF_SMTPS_PORT"
ok 'smtps://: sent' "$AGGREGATE" --index "$TMP/sample/index.tdb" --config "$TMP/smtps.conf" --send --force --week 2026-W46
postfix_wait_mail $((n + 3))
ok 'smtps://: over TLS, authenticated' grep -q 'with ESMTPSA' "$(postfix_mail | xargs ls -t | head -1)"
conf "$TMP/never.conf" 'starttls = never'
ok 'starttls = never: sent' "$AGGREGATE" --index "$TMP/sample/index.tdb" --config "$TMP/never.conf" --send --force --week 2026-W46
postfix_wait_mail $((n + 6))
ok 'starttls = never: in the clear' sh -c "grep -q 'with ESMTPA ' \$(ls -t $PF_DIR/mail/all/new/* | head -1)"
conf "$TMP/optional.conf" 'starttls = optional'
ok 'starttls = optional: sent' "$AGGREGATE" --index "$TMP/sample/index.tdb" --config "$TMP/optional.conf" --send --force --week 2026-W46
postfix_wait_mail $((n + 9))
ok 'starttls = optional: TLS, since the server offers it' sh -c "grep -q 'with ESMTPSA ' \$(ls -t $PF_DIR/mail/all/new/* | head -1)"

ok 'AUTH PLAIN was used' grep -q 'sasl_method=PLAIN, sasl_username=digest-bot' "$PF_DIR/maillog"

# A server that offers AUTH LOGIN only.
MX1=$PF_DIR MX1_PORT=$PF_PORT
PF_AUTH_MECHS=LOGIN postfix_start login tls auth digest-bot 's3cret pass'
conf "$TMP/login.conf"
n=$(count)
ok 'AUTH LOGIN: sent' "$AGGREGATE" --index "$TMP/sample/index.tdb" --config "$TMP/login.conf" --send --force --week 2026-W46
postfix_wait_mail $((n + 3))
ok 'AUTH LOGIN was used' grep -q 'sasl_method=LOGIN, sasl_username=digest-bot' "$PF_DIR/maillog"
postfix_stop
PF_DIR=$MX1 PF_PORT=$MX1_PORT

# An untrusted certificate: refused, the message queued (75); trusted
# again, the next run delivers the queue first, once.
conf "$TMP/untrusted.conf" 'ca_file ='
n=$(count)
code () { "$@" > "$TMP/out" 2> "$TMP/err"; echo $?; }
is "$(code "$AGGREGATE" --index "$TMP/sample/index.tdb" --config "$TMP/untrusted.conf" --send --week 2026-W48)" 75 \
   'a certificate nobody trusts: EX_TEMPFAIL'
ok 'which the error names' grep -qi 'certificate' "$TMP/err"
ok 'the message waits in the outbox' test -f "$TMP/sample/outbox/kvmarm.2026-W48.msg"
settle
is "$(count)" "$n" 'nothing was delivered'
# shellcheck disable=SC2086
is "$(code "$AGGREGATE" $S --send --week 2026-W49)" 0 'trusted again: the queue, then the week'
postfix_wait_mail $((n + 6)); settle
is "$(ids | grep -c 'mldigest.2026-W4[89]')" 2 'W48 from the queue and W49, one Message-ID each'
is "$(count)" $((n + 6)) 'each delivered once'
is "$(ls "$TMP/sample/outbox")" '' 'the outbox is empty'

# The password file: refused when others can read it (78, nothing sent,
# nothing queued); a wrong password is the server's refusal (75).
chmod 644 "$TMP/password"
is "$(code "$AGGREGATE" $S --send --week 2026-W50)" 78 'a password file others can read: EX_CONFIG'
ok 'which the error says' grep -q "password_file '$TMP/password' must be" "$TMP/err"
ok 'and nothing is queued' test -z "$(ls "$TMP/sample/outbox")"
ok 'the password is in no message' sh -c "! grep -q 's3cret' '$TMP/err' '$TMP/out'"
printf 'wrong\n' > "$TMP/password"; chmod 600 "$TMP/password"
is "$(code "$AGGREGATE" $S --send --week 2026-W50)" 75 'a wrong password: EX_TEMPFAIL, queued'
ok 'the server said why' grep -q '535' "$TMP/err"
printf 's3cret pass\n' > "$TMP/password"
MLDIGEST_SMTP_PW='s3cret pass' conf "$TMP/env.conf" 'password_env = MLDIGEST_SMTP_PW
password_file ='
n=$(count)
is "$(MLDIGEST_SMTP_PW='s3cret pass' code "$AGGREGATE" --index "$TMP/sample/index.tdb" --config "$TMP/env.conf" --send --week 2026-W50)" 0 \
   'password_env: the queued week goes out'
postfix_wait_mail $((n + 3))
done_testing
