#!/bin/sh
# mldigest-filter --mbox and --maildir: arrival times, the summary line,
# the progress bar, skipped messages, errors; and --show's output.
. "$(dirname "$0")/lib/tap.sh"

# msg ID DATE SUBJECT [BODY]
msg () {
  printf 'From: Oliver Upton <oliver@example.org>\nSubject: %s\n' "$3"
  printf 'Date: %s\nMessage-ID: <%s>\nList-Id: <kvmarm.lists.example.org>\n\n' "$2" "$1"
  printf '%s\n' "${4:-Some text.}"
}
show () { "$FILTER" --show "$1" | sed -n "s/^$2: //p"; }
iso () { echo "$(date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ) ($(date -u -d "$1" +%s))"; }

# ---- mbox ----
{
  echo 'From oliver@example.org Tue Nov 10 09:00:00 2026'
  msg a@example.org 'Tue, 10 Nov 2026 08:59:00 +0000' 'first' 'Text first.
From here on, text (after text: not a From_ line).
>From a quoted line'
  echo
  echo 'From mboxrd@z Thu Jan  1 00:00:00 1970'
  msg b@example.org 'Wed, 11 Nov 2026 10:00:00 +0100' 'no date on the From_ line'
  echo
  echo 'From x Wed Nov 11 12:00:00 2026'
  printf '\n\n'
  echo
  echo 'From x Wed Nov 11 12:30:00 2026'
  msg c@example.org 'Wed, 11 Nov 2026 12:29:00 +0000' 'third'
} >"$TMP/week.mbox"

"$FILTER" --mbox "$TMP/week.mbox" >"$TMP/out" 2>"$TMP/err"
is "$?" 0 '--mbox FILE imports'
is "$(tail -1 "$TMP/err")" 'recorded 3, duplicates 0, merged 0, rejected 1' 'the summary line counts each outcome'
ok 'the message that cannot be recorded is named in a warning' \
  grep -q "^mldigest-filter: warning: skipping '$TMP/week.mbox' line 21: empty message" "$TMP/err"
is "$(show a@example.org arrival)" "$(iso '2026-11-10 09:00:00')" 'arrival from the From_ line'
is "$(show b@example.org arrival)" "$(iso '2026-11-11 09:00:00')" 'a placeholder From_ date gives the Date header as arrival'
"$FILTER" --show a@example.org >"$TMP/show"
ok 'a "From " line after text stays in the body' grep -q '^  From here on, text' "$TMP/show"
ok '">From " loses one ">" (mboxrd)' grep -q '^  From a quoted line$' "$TMP/show"

"$FILTER" --mbox - --quiet <"$TMP/week.mbox" >"$TMP/out" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" '0:' '--mbox - with --quiet: a second import, silent'

# A progress bar on request, with an ETA when the size is known.
"$FILTER" --mbox "$TMP/week.mbox" --progress --index "$TMP/p.tdb" 2>"$TMP/err" >/dev/null
ok '--progress draws a bar with rate and ETA' grep -q 'messages .*/s .*ETA' "$TMP/err"
ok 'and ends with the summary line' sh -c "tail -1 '$TMP/err' | grep -q '^recorded 3,'"

printf 'Subject: not an mbox\n\nbody\n' >"$TMP/plain"
"$FILTER" --mbox "$TMP/plain" 2>"$TMP/err"
is "$?" 65 'text that is not an mbox: 65'
ok 'with an error naming the file and line' grep -q "^mldigest-filter: '$TMP/plain': not an mbox: line 1 " "$TMP/err"
"$FILTER" --mbox "$TMP/none" 2>"$TMP/err"
is "$?" 66 'a missing mbox: 66'

# ---- maildir ----
mkdir -p "$TMP/md/cur" "$TMP/md/new" "$TMP/md/tmp"
msg d@example.org 'Thu, 12 Nov 2026 08:00:00 +0000' 'in cur' >"$TMP/md/cur/1794643200.M1P1.host:2,S"
msg e@example.org 'Thu, 12 Nov 2026 08:00:00 +0000' 'in new' >"$TMP/md/new/unnamed"
touch -d '2026-11-12 09:30:00 UTC' "$TMP/md/new/unnamed"
msg f@example.org 'Thu, 12 Nov 2026 08:00:00 +0000' 'not yet delivered' >"$TMP/md/tmp/1794643300.M2P2.host"
"$FILTER" --maildir "$TMP/md" --index "$TMP/md.tdb" 2>"$TMP/err"
is "$?:$(cat "$TMP/err")" '0:recorded 2, duplicates 0, merged 0, rejected 0' '--maildir imports cur/ and new/, not tmp/'
is "$("$FILTER" --index "$TMP/md.tdb" --show d@example.org | sed -n 's/^arrival: //p')" \
  "$(iso @1794643200)" 'arrival from the maildir file name'
is "$("$FILTER" --index "$TMP/md.tdb" --show e@example.org | sed -n 's/^arrival: //p')" \
  "$(iso '2026-11-12 09:30:00')" 'else from the file time'
"$FILTER" --maildir "$TMP/nomd" --index "$TMP/md.tdb" 2>/dev/null
is "$?" 66 'a missing maildir: 66'

# ---- --show ----
printf 'From: =?utf-8?q?Philippe_Mathieu-Daud=C3=A9?= <p@example.org>\nSubject: ctl\033[31m red\nDate: Thu, 12 Nov 2026 08:00:00 +0000\nMessage-ID: <Ctl@Example.ORG>\n\nbody\033]0;title\007\n' |
  "$FILTER"
"$FILTER" --show '<Ctl@EXAMPLE.org>' >"$TMP/show"
is "$?" 0 '--show takes an id as pasted from a header'
is "$(sed -n 's/^from: //p' "$TMP/show")" 'Philippe Mathieu-Daudé <p@example.org>' 'names are decoded'
ok 'control characters are shown escaped, never sent raw' \
  sh -c "! grep -q \"\$(printf '\\033')\" '$TMP/show' && grep -q 'x1b' '$TMP/show'"
"$FILTER" --show a@example.org --show nowhere@example.org >"$TMP/show" 2>"$TMP/err"
is "$?" 66 'an unknown id: 66'
ok 'after printing the ones it found' grep -q '^message-id: a@example.org$' "$TMP/show"

# --pass with a standard output that fails: 75, the MTA keeps the mail.
msg g@example.org 'Thu, 12 Nov 2026 08:00:00 +0000' 'to a full stdout' | "$FILTER" --pass >/dev/full 2>"$TMP/err"
is "$?" 75 '--pass to a failing standard output: 75'
ok 'saying so' grep -q '^mldigest-filter: cannot write to standard output: ' "$TMP/err"

done_testing
