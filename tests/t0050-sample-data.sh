#!/bin/sh
# The bundled sample week and hostile messages are what tests/data/README
# says they are: other tests assert facts from that README.
. "$(dirname "$0")/lib/tap.sh"
plan 7

MBOX=$DATA/sample.mbox
is "$(grep -c '^From ' "$MBOX")" 48 'sample.mbox holds 48 messages'
is "$(grep -ci '^Message-ID:' "$MBOX")" 48 'each has a Message-ID'
is "$(grep -i '^Message-ID:' "$MBOX" | sort | uniq -d | wc -l)" 0 'Message-IDs are unique'
is "$(grep -c '^List-Id: <kvmarm.lists.example.org>$' "$MBOX")" 48 'each carries the kvmarm List-Id'
# Only fictional domains, plus the two robots' (and their Message-IDs').
strangers=$(grep -Eo '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+' "$MBOX" \
  | grep -Ev '@((lists\.)?example\.(org|com|net)|intel\.com|kernel\.org)$' \
  | sort -u)
is "$strangers" '' 'no address outside example.org/.com/.net and the robots'
is "$(grep -c '^>From \|^>>From ' "$MBOX")" 2 'mboxrd From-quoting in bodies'
is "$(find "$DATA/hostile" -type f | wc -l)" 7 'seven hostile messages'
