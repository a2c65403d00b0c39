#!/bin/sh
# The filter as built (statically, C library included: see the Makefile)
# still converts mail in charsets that glibc only has as loadable iconv
# modules: KOI8-R, windows-1252 and ISO-2022-JP, in headers (RFC 2047)
# and bodies, come out of --show as UTF-8.
. "$(dirname "$0")/lib/tap.sh"

IDX=$TMP/index.tdb

# msg ID CHARSET FROM SUBJECT: headers, then the body from stdin's bytes.
msg () {
  printf 'From: %s <a@example.org>\nTo: b@example.org\nSubject: %s\n' "$3" "$4"
  printf 'Date: Mon, 1 Jun 2020 10:00:00 +0000\nMessage-ID: <%s>\n' "$1"
  printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=%s\n\n' "$2"
  cat
}
field () { "$FILTER" --index "$IDX" --show "$1" | sed -n "s/^$2: *//p" | head -n 1; }
body () { "$FILTER" --index "$IDX" --show "$1" | sed -n '/^body:/{n;s/^ *//;p;}'; }

# KOI8-R: "Привет мир" (hello world)
printf '\360\322\311\327\305\324 \315\311\322\n' |
  msg koi8@example.org koi8-r '=?koi8-r?b?8NLJ18XU?=' 'koi8' |
  "$FILTER" --index "$IDX" --list t
is "$?" 0 'a KOI8-R message is recorded'
is "$(field koi8@example.org from)" 'Привет <a@example.org>' '... its RFC 2047 name decoded'
is "$(body koi8@example.org)" 'Привет мир' '... its body converted'

# windows-1252: curly quotes and an e acute, which ISO-8859-1 lacks
printf 'caf\351 \223quoted\224\n' |
  msg cp1252@example.org windows-1252 'Someone' '=?windows-1252?q?caf=E9_=93quoted=94?=' |
  "$FILTER" --index "$IDX" --list t
is "$?" 0 'a windows-1252 message is recorded'
is "$(field cp1252@example.org subject)" 'café “quoted”' '... its subject decoded'
is "$(body cp1252@example.org)" 'café “quoted”' '... its body converted'

# ISO-2022-JP (stateful): "日本語" in the body
printf '\033$BF|K\\8l\033(B\n' |
  msg jis@example.org iso-2022-jp 'Someone' 'jis' |
  "$FILTER" --index "$IDX" --list t
is "$?" 0 'an ISO-2022-JP message is recorded'
is "$(body jis@example.org)" '日本語' '... its body converted'

done_testing
