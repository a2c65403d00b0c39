#!/bin/sh
# Injection: the payloads of tests/data/hostile/injection.mbox (CR LF +
# header lines in encoded words, <script>, on* handlers, javascript:
# links, a tracking image, template syntax, a lone ".", instructions to
# a model) delivered into the sample week never become markup in the
# HTML report (each format the aggregator writes HTML in), nor a header
# line of the outgoing mail.  Checked against the same week without
# them, with Python's html.parser and email package.
. "$(dirname "$0")/lib/tap.sh"
[ -x /usr/bin/python3 ] || skip_all '/usr/bin/python3 is not installed'

CHECK=$TOP/tests/lib/check-injection.py
export MLDIGEST_NOW=2026-11-17T08:00:00Z MLDIGEST_TEMPLATES="$TOP/templates"
cat >"$TMP/conf" <<CONF
[smtp]
from = KVM digest <digest@example.org>
[list kvmarm]
to = KVM ARM <kvmarm@lists.example.org>
lang = en
CONF

"$FILTER" --index "$TMP/clean.tdb" --mbox "$DATA/sample.mbox" --list kvmarm -q
"$FILTER" --index "$TMP/hostile.tdb" --mbox "$DATA/sample.mbox" --list kvmarm -q
"$FILTER" --index "$TMP/hostile.tdb" --mbox "$DATA/hostile/injection.mbox" --list kvmarm 2>"$TMP/import.err"
is "$(cat "$TMP/import.err")" 'recorded 1, duplicates 0, merged 0, rejected 0' 'the hostile message is recorded'

# The stored record: one-line fields stay one line.
"$FILTER" --index "$TMP/hostile.tdb" --show injection-1@example.net >"$TMP/record"
ok 'the stored subject is one line, CR LF gone' \
  sh -c "grep -c '^subject: ' '$TMP/record' | grep -qx 1 && ! grep -q '^X-Injected' '$TMP/record'"

for week in clean hostile; do
  for lang in en zh-CN; do
    "$AGGREGATE" --index "$TMP/$week.tdb" --config "$TMP/conf" --week 2026-W46 \
      --lang $lang --format html -o "$TMP/$week.$lang.html" || fail "$week $lang: html report"
  done
  "$AGGREGATE" --index "$TMP/$week.tdb" --config "$TMP/conf" --week 2026-W46 \
    --template update --format html -o "$TMP/$week.update.html" || fail "$week: update template"
  "$AGGREGATE" --index "$TMP/$week.tdb" --config "$TMP/conf" --week 2026-W46 \
    --format mail -o "$TMP/$week.eml" || fail "$week: mail"
done
ok 'the hostile week names the message' grep -q "alert(&#39;subject&#39;)\|alert(&#x27;subject&#x27;)\|alert('subject')" "$TMP/hostile.en.html"

for r in en zh-CN update; do
  # The update template shows series only, not this thread.
  /usr/bin/python3 "$CHECK" html "$TMP/clean.$r.html" "$TMP/hostile.$r.html" \
    $([ $r = update ] && echo notext) >"$TMP/verdicts"
  verdicts "$TMP/verdicts" "html ($r)"
done
/usr/bin/python3 "$CHECK" mail "$TMP/clean.eml" "$TMP/hostile.eml" >"$TMP/verdicts"
verdicts "$TMP/verdicts" 'mail'

done_testing
