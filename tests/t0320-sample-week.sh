#!/bin/sh
# The bundled sample week (tests/data/sample.mbox) gives the facts its
# README lists: threads, categories, series, reviews, applied, robots,
# NAKs, people; by Date and by arrival alike.  Then the command line:
# text output, -o, exit codes.
. "$(dirname "$0")/lib/tap.sh"
need_cmd python3
need_cmd tdbtool

"$FILTER" --mbox "$DATA/sample.mbox" --list kvmarm || { echo "Bail out! import failed"; exit 1; }

# expect JSON: every fact of tests/data/README the JSON can show.
expect () {
  python3 - "$1" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
T = doc['threads']
def thread(prefix):
    return next(t for t in T if t['id'].startswith(prefix))
def check(name, got, want):
    print('%s\t%s' % ('PASS' if got == want else 'FAIL', name))
    if got != want:
        print('# got:  %r\n# want: %r' % (got, want))

check('totals', doc['totals'], {'messages': 38, 'threads': 11, 'large_threads': 0})
check('categories', [(c['name'], c['threads'], c['messages']) for c in doc['categories']],
      [('PATCH', 6, 26), ('RFC', 1, 4), ('GIT PULL', 1, 2), ('Selftest', 1, 1),
       ('Discussion', 1, 4), ('Other', 1, 1)])
rows = sorted((t['messages'][0]['date'], t['id'], len(t['messages']), t['participants'], t['category'])
              for t in T)
check('threads: root, messages, people, category', [r[1:] for r in rows], [
    ('20261109081204.1213-1-jonas.keller@example.com', 4, 2, 'PATCH'),
    ('20261110091500.2510-1-alice.moreau@example.org', 11, 6, 'PATCH'),
    ('20261110102033.4044-1-kenji.sato@example.net', 4, 1, 'PATCH'),
    ('d8f3a1c2-5b7e-4c09-9a1f-0c2e6b7d4a55@example.com', 1, 1, 'Other'),
    ('20261111080014.9022-1-lena.fischer@example.net', 4, 2, 'RFC'),
    ('20261111140037.71244-1-sofia.lindgren@example.org', 1, 1, 'PATCH'),
    ('20261112090045.1055-1-ravi.shankar@example.com', 4, 1, 'PATCH'),
    ('a1b2c3d4e5f60718@example.org', 4, 3, 'Discussion'),
    ('20261112164502.90211-1-dmitri.volkov@example.net', 1, 1, 'Selftest'),
    ('20261113161026.11873-1-marek.horvat@example.net', 2, 2, 'PATCH'),
    ('20261114090000.241337-1-oskar@example.net', 2, 2, 'GIT PULL')])
v3 = thread('20261110091500.2510-1-alice')
s = v3['series']
check('v3: 4 of 4 after rejoining', (s['version'], s['total'], s['received'], s['missing']), (3, 4, 4, []))
check('v3: 3/4 rejoined its cover', [(j['message_id'], j['rule'], j['to']) for j in v3['joins']],
      [('20261110091500.2510-4-alice.moreau@example.org', 'series', v3['id'])])
check('v3: after v2', (s['previous'] or {}).get('id'), '20261026090211.1221-1-alice.moreau@example.org')
check('v3: v2 dated', (s['previous'] or {}).get('date'), '2026-10-26T09:02:11Z')
tr = v3['trailers']
check('v3: trailers', ([(x['name'], x['patch']) for x in tr['tested_by']],
                       [(x['name'], x['patch']) for x in tr['reviewed_by']],
                       [(x['name'], x['patch']) for x in tr['acked_by']]),
      ([('王晓明', 0)], [('Priya Raman', 1)], [('Dmitri Volkov', 4)]))
check('v3: applied', [a['line'].split(',')[0] for a in v3['applied']], ['Applied to next'])
check('v3: subjects unfolded', all('\n' not in m['subject'] for m in v3['messages']), True)
kt = thread('20261109081204.1213')
check('kvmtool: project, 2 of 2, no v1', (kt['series']['project'], kt['series']['received'],
                                        kt['series']['previous']), ('kvmtool', 2, None))
check('kvmtool: reviewed 2/2', [(x['name'], x['patch']) for x in kt['trailers']['reviewed_by']],
      [('Priya Raman', 2)])
kut = thread('20261110102033.4044')
check('kvm-unit-tests: project, 3 of 3', (kut['series']['project'], kut['series']['received']),
      ('kvm-unit-tests', 3))
st = thread('20261111140037.71244')
check('6.1 RESEND: project, resend, the late "queued" not this week',
      (st['series']['project'], st['series']['resend'], len(st['messages']), st['applied']),
      ('6.1', True, 1, []))
check('RFC: robot failure', len(thread('20261111080014.9022')['robot_failures']), 1)
check('NAK', [x['name'] for x in thread('20261113161026.11873')['trailers']['nacked_by']], ['Oskar Brandt'])
check('NAK message', len(thread('20261113161026.11873')['naks']), 1)
check('GIT PULL merged', [a['from_email'] for a in thread('20261114090000.241337')['applied']],
      ['pr-tracker-bot@kernel.org'])
bug = thread('d8f3a1c2')
check('bug report continues', (bug['continues'], len(bug['earlier'])), (True, 2))
check('contributors', sorted((c['name'], c['messages'], c['bot']) for c in doc['contributors']), sorted([
    ('Alice Moreau', 6, False), ('Kenji Sato', 4, False), ('Oskar Brandt', 4, False),
    ('Ravi Shankar', 4, False), ('Jonas Keller', 3, False), ('Lena Fischer', 3, False),
    ('Priya Raman', 3, False), ('Dmitri Volkov', 2, False), ('Tomasz Nowak', 2, False),
    ('Hélène Dupré-Marchal', 1, False), ('Ines Carvalho', 1, False), ('Sofia Lindgren', 1, False),
    ('王晓明', 1, False), ('Marek Horvat', 1, False),
    ('kernel test robot', 1, True), ('pr-tracker-bot', 1, True)]))
check('contributors: most messages first',
      [c['messages'] for c in doc['contributors']] == sorted((c['messages'] for c in doc['contributors']), reverse=True), True)
check('domains', [(d['domain'], d['messages']) for d in doc['domains']],
      [('example.net', 14), ('example.com', 12), ('example.org', 10)])
check('new patches', len(doc['patches']), 17)
check('patches carry commit messages and diffstats',
      all(p['commit_message'] and p['diffstat'] and p['files'] for p in doc['patches']), True)
EOF
}

run_expect () {
  expect "$1" > "$TMP/checks"
  verdicts "$TMP/checks" "$2"
}

ok 'by Date: aggregates' "$AGGREGATE" --format json --list kvmarm --since 2026-11-09 --until 2026-11-15 -o "$TMP/date.json"
run_expect "$TMP/date.json" 'by Date'
ok 'by week: the same document' sh -c "'$AGGREGATE' --format json --week 2026-W46 | grep -v '\"generated\"' > '$TMP/week.json' &&
  grep -v '\"generated\"' '$TMP/date.json' | cmp -s - '$TMP/week.json'"
MLDIGEST_NOW=2026-11-16T00:00:00Z "$AGGREGATE" --format json --list kvmarm.lists.example.org -o "$TMP/arrival.json"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["window"])' "$TMP/arrival.json")" \
   "{'since': '2026-11-09T00:00:00Z', 'until': '2026-11-16T00:00:00Z', 'by': 'arrival'}" \
   'default window: the 7 days before now, by arrival'
run_expect "$TMP/arrival.json" 'by arrival'

# text
"$AGGREGATE" --week 2026-W46 --format facts --timezone Asia/Tokyo > "$TMP/week.txt"
ok 'text: totals' grep -q '^messages 38, threads 11, large threads 0$' "$TMP/week.txt"
ok 'text: in the asked time zone' grep -q '^kvmarm: 2026-11-09 09:00 .. 2026-11-16 09:00 Asia/Tokyo' "$TMP/week.txt"
ok 'text: no control characters' python3 -c '
import sys
text = open(sys.argv[1], encoding="utf-8").read()
sys.exit(any(ord(c) < 32 and c != "\n" for c in text))' "$TMP/week.txt"

# -o replaces a file atomically, leaves no temporary behind
mkdir "$TMP/out"
echo old > "$TMP/out/report.json"
ok '-o writes' "$AGGREGATE" --format json --week 2026-W46 -o "$TMP/out/report.json"
is "$(ls "$TMP/out")" report.json '-o leaves only the report'
ok '-o report is complete JSON' python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/out/report.json"

# -o to a pipe writes into it rather than renaming over it
mkfifo "$TMP/fifo"
cat "$TMP/fifo" > "$TMP/from-fifo" &
"$AGGREGATE" --format json --week 2026-W46 -o "$TMP/fifo"
wait
ok '-o to a FIFO: still a FIFO' test -p "$TMP/fifo"
ok '-o to a FIFO: the report went through' python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/from-fifo"

# exit codes (sysexits)
code () { "$@" > /dev/null 2> "$TMP/err"; echo $?; }
is "$(code "$AGGREGATE" --week 2026-W54)" 64 'bad week: EX_USAGE'
is "$(code "$AGGREGATE" --week 2026-W46 --since 2026-11-01)" 64 '--week with --since: EX_USAGE'
is "$(code "$AGGREGATE" --format yaml)" 64 'unknown format: EX_USAGE'
is "$(code "$AGGREGATE" --timezone Mars/Olympus)" 64 'unknown time zone: EX_USAGE'
ok 'errors name the program and the problem' grep -q "^mldigest-aggregate: unknown time zone 'Mars/Olympus'" "$TMP/err"
is "$(code "$AGGREGATE" --index "$TMP/nope/index.tdb")" 66 'no index: EX_NOINPUT'
if [ -w /dev/full ]; then
  is "$(code "$AGGREGATE" --week 2026-W46 -o /dev/full)" 75 'disk full: EX_TEMPFAIL, retry later'
else
  skip 'no /dev/full'
fi
printf '[defaults]\ncategory_rules = PATCH: pach\n' > "$TMP/bad.conf"
is "$(code "$AGGREGATE" --config "$TMP/bad.conf" --week 2026-W46)" 78 'bad category rule: EX_CONFIG'
# A record damaged on disk: the week is still reported, the record
# counted as skipped and left out of the totals.
cp "$MLDIGEST_INDEX" "$TMP/damaged.tdb"
tdbtool "$TMP/damaged.tdb" store "m:20261110102033.4044-1-kenji.sato@example.net" garbage > /dev/null
is "$(code "$AGGREGATE" --index "$TMP/damaged.tdb" --week 2026-W46 --format json -o "$TMP/damaged.json")" 0 \
  'a damaged record: the week is still reported'
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["skipped"], d["totals"]["messages"])' "$TMP/damaged.json")" \
  "1 37" 'the damaged record is counted as skipped, the other 37 reported'

"$FILTER" --list kvm < "$DATA/hostile/long-header.eml"
is "$(code "$AGGREGATE" --week 2026-W46)" 64 'two lists and no --list: EX_USAGE'
ok 'which names the lists' grep -q 'kvm, kvmarm' "$TMP/err"
done_testing
