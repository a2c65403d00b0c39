#!/bin/sh
# --format mail: the message --send would send, read back by Python's
# email package.  Its parts are the --format text and --format html
# renderings byte for byte; its headers are the configured ones, encoded
# per RFC 2047, CR/LF-free; the Message-ID is the same at every run.
. "$(dirname "$0")/lib/tap.sh"
[ -x /usr/bin/python3 ] || skip_all '/usr/bin/python3 is not installed'

"$FILTER" --mbox "$DATA/sample.mbox" --list kvmarm 2>/dev/null || { echo "Bail out! import failed"; exit 1; }
export MLDIGEST_NOW=2026-11-17T08:00:00Z MLDIGEST_TEMPLATES="$TOP/templates"
conf () {
  cat > "$TMP/conf" <<CONF
[smtp]
from = KVM 周报 <digest@example.org>
[list kvmarm]
to = KVM ARM <kvmarm@lists.example.org>
cc = a@example.com; Bob <b@example.com>
bcc = hidden@example.com
$*
CONF
}
agg () { "$AGGREGATE" --config "$TMP/conf" --week 2026-W46 "$@"; }
check () {   # check NAME MESSAGE TEXT HTML HEADER=VALUE...
  name=$1; shift
  /usr/bin/python3 "$TOP/tests/lib/check-mail.py" --wire "$@" > "$TMP/verdicts" 2>&1
  verdicts "$TMP/verdicts" "$name"
}

conf
ok 'zh-CN: --format mail' agg --format mail -o "$TMP/zh.eml"
agg --format text -o "$TMP/zh.txt"
agg --format html -o "$TMP/zh.html"
check zh-CN "$TMP/zh.eml" "$TMP/zh.txt" "$TMP/zh.html" \
  'subject=[kvmarm] 邮件列表周报 2026-W46' 'message-id=<mldigest.2026-W46.kvmarm@example.org>' \
  'from=KVM 周报 <digest@example.org>' 'to=KVM ARM <kvmarm@lists.example.org>' \
  'cc=a@example.com, Bob <b@example.com>' 'content-language=zh-CN' 'in-reply-to=-' 'reply-to=-'
ok 'the Subject is RFC 2047-encoded on the wire' grep -q '^Subject: \[kvmarm\] =?UTF-8?' "$TMP/zh.eml"
ok 'no Bcc address anywhere in the message' sh -c "! grep -q hidden@ '$TMP/zh.eml'"
MLDIGEST_NOW=2026-11-20T08:00:00Z agg --format mail -o "$TMP/zh2.eml"
is "$(grep '^Message-Id:' "$TMP/zh2.eml")" "$(grep '^Message-Id:' "$TMP/zh.eml")" \
   'another run, another day: the same Message-ID'

conf 'lang = en
reply_to = KVM list <kvm@example.org>'
agg --format mail -o "$TMP/en.eml"
agg --format text -o "$TMP/en.txt"
agg --format html -o "$TMP/en.html"
check en "$TMP/en.eml" "$TMP/en.txt" "$TMP/en.html" \
  'subject=[kvmarm] weekly digest 2026-W46' 'content-language=en' 'reply-to=KVM list <kvm@example.org>'

# GKeyFile turns \r \n in a value into CR LF: a template carrying them
conf 'subject = [{list}]\r\nBcc: evil@example.com\r\n\r\nbody {week} {{x}'
ok 'subject template with CR/LF: still a message' agg --format mail -o "$TMP/crlf.eml"
check 'CR/LF subject' "$TMP/crlf.eml" "$TMP/zh.txt" "$TMP/zh.html" \
  'subject=[kvmarm] Bcc: evil@example.com body 2026-W46 {x}' 'bcc=-'

# The last complete ISO week in the list's time zone, with no window
# option: Monday 05:00 in Tokyo is still Sunday in UTC.
conf
is "$(MLDIGEST_NOW=2026-11-15T20:00:00Z "$AGGREGATE" --config "$TMP/conf" --format mail | grep '^Message-Id:' | tr -d '\r')" \
   'Message-Id: <mldigest.2026-W45.kvmarm@example.org>' 'no window, UTC: the last complete week is W45'
conf 'timezone = Asia/Tokyo'
is "$(MLDIGEST_NOW=2026-11-15T20:00:00Z "$AGGREGATE" --config "$TMP/conf" --format mail | grep '^Message-Id:' | tr -d '\r')" \
   'Message-Id: <mldigest.2026-W46.kvmarm@example.org>' 'no window, Asia/Tokyo: W46 has ended there'

code () { "$@" > /dev/null 2> "$TMP/err"; echo $?; }
printf '[smtp]\nfrom = digest@example.org\n' > "$TMP/conf"
is "$(code agg --format mail)" 78 'no "to" for the list: EX_CONFIG'
ok 'which says so' grep -q "\[list kvmarm\] no 'to'" "$TMP/err"
printf '[list kvmarm]\nto = kvmarm@lists.example.org\n' > "$TMP/conf"
is "$(code agg --format mail)" 78 'no [smtp] from: EX_CONFIG'
conf 'subject = {list} {month}'
is "$(code agg --format mail)" 78 'an unknown subject placeholder: EX_CONFIG'
conf 'cc = not an address'
is "$(code agg --format mail)" 78 'a cc that is no address: EX_CONFIG'
is "$(code agg --force)" 64 '--force without --send: EX_USAGE'
is "$(code agg --send --format text)" 64 '--send with --format: EX_USAGE'
done_testing
