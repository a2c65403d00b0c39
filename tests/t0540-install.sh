#!/bin/sh
# make install into a temporary DESTDIR: the installed programs run from
# another directory and use the installed templates; every man page
# renders with groff -ww without a warning; make uninstall removes it all.
. "$(dirname "$0")/lib/tap.sh"
need_cmd groff

DEST=$TMP/dest
PREFIX=/usr/local   # the build's own: installing must not rebuild
SAN=
[ "$(basename "$BUILD")" = build-san ] && SAN=SANITIZE=1
unset MLDIGEST_TEMPLATES
make -C "$TOP" --no-print-directory -s install DESTDIR="$DEST" PREFIX="$PREFIX" $SAN >"$TMP/make.out" 2>&1
is "$?" 0 'make install DESTDIR=... succeeds'
R=$DEST$PREFIX
for f in bin/mldigest-filter bin/mldigest-aggregate \
         share/man/man1/mldigest-filter.1 share/man/man1/mldigest-aggregate.1 \
         share/man/man5/mldigest.conf.5 \
         share/mldigest/templates/weekly.en.md.tmpl share/mldigest/templates/weekly.zh-CN.md.tmpl \
         share/doc/mldigest/contrib/mldigest.conf.example share/doc/mldigest/contrib/procmailrc \
         share/doc/mldigest/README; do
  ok "installs $f" test -s "$R/$f"
done
ok 'the programs are executable' test -x "$R/bin/mldigest-filter" -a -x "$R/bin/mldigest-aggregate"
if [ -d "$TOP/templates/prompts" ]; then
  ok 'the prompt templates are installed' test -d "$R/share/mldigest/templates/prompts"
fi

# ---- the installed programs, from elsewhere, with the installed templates
mkdir -p "$TMP/elsewhere" && cd "$TMP/elsewhere" || exit 1
export MLDIGEST_NOW=2026-11-16T00:00:00Z
printf '\nINSTALLED-TEMPLATE-MARK\n' >>"$R/share/mldigest/templates/weekly.en.md.tmpl"
"$R/bin/mldigest-filter" --quiet --mbox "$DATA/sample.mbox"
is "$?" 0 'the installed filter imports the sample'
"$R/bin/mldigest-aggregate" --week 2026-W46 --lang en >"$TMP/report.md" 2>"$TMP/agg.err"
is "$?" 0 'the installed aggregator renders the week'
ok '... with the installed template' grep -q INSTALLED-TEMPLATE-MARK "$TMP/report.md"
"$AGGREGATE" --week 2026-W46 --lang en >"$TMP/built.md"
grep -v -e INSTALLED-TEMPLATE-MARK -e '^$' "$TMP/report.md" >"$TMP/a" ; grep -v '^$' "$TMP/built.md" >"$TMP/b"
ok '... which is the shipped one' cmp -s "$TMP/a" "$TMP/b"
MLDIGEST_TEMPLATES=$TOP/templates "$R/bin/mldigest-aggregate" --week 2026-W46 --lang en >"$TMP/over.md"
ok '$MLDIGEST_TEMPLATES overrides the installed templates' sh -c "! grep -q INSTALLED-TEMPLATE-MARK '$TMP/over.md'"
"$R/bin/mldigest-aggregate" --check-config --config "$R/share/doc/mldigest/contrib/mldigest.conf.example" >/dev/null
is "$?" 0 'the installed example passes the installed --check-config'

# ---- the man pages
for page in "$R"/share/man/man1/*.1 "$R"/share/man/man5/*.5; do
  groff -ww -man -Tutf8 "$page" >"$TMP/page.txt" 2>"$TMP/groff.err"
  ok "groff -ww ${page#"$R"/}: no warning" test ! -s "$TMP/groff.err"
  [ -s "$TMP/groff.err" ] && sed 's/^/#   /' "$TMP/groff.err" >&2
  ok "... and a page of text" test "$(wc -l <"$TMP/page.txt")" -gt 20
done

cd "$TOP" || exit 1
make -C "$TOP" --no-print-directory -s uninstall DESTDIR="$DEST" PREFIX="$PREFIX" >/dev/null 2>&1
is "$?" 0 'make uninstall succeeds'
is "$(find "$DEST" -type f | wc -l | tr -d ' ')" 0 'and leaves no file behind'
done_testing
