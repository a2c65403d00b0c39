#!/usr/bin/env python3
"""check-weeks.py MBOX JSON... - check mldigest-aggregate's weekly JSON
against an independent reading of the mbox the index was built from.

For every week:
  - totals add up (threads, categories, messages, large threads);
  - every window message is in exactly one thread, and the window holds
    exactly the mbox's messages whose Date falls in it (Message-IDs and
    dates read here with Python's email package, not mldigest's parser);
  - no subject holds a newline or an undecoded encoded word;
  - messages of each thread are in time order;
  - each thread agrees with a strict grouping by References and
    In-Reply-To (connected components over all the ids a message names):
    a thread never spans two strict groups unless the thread's `joins`
    (series rejoining, careful subject merging) connect them, and a
    strict group is never split between two threads of one week unless
    the headers conflict (a message whose References disagree with its
    parent's own: JWZ keeps one parent, the strict grouping both).
Then over all weeks: the share of v2+ series whose previous version is in
the archive (same sender and title, lower version, found here) that
mldigest linked.  Prints "PASS<TAB>name" / "FAIL<TAB>name" per check and
'#' diagnostics; exits 1 when a check failed.
"""
import email.header
import email.policy
import email.utils
import json
import mailbox
import re
import sys
from collections import defaultdict
from datetime import datetime, timezone

ENCODED_WORD = re.compile(r'=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=')
ANGLE_ID = re.compile(r'<([^<>\s]+)>')
VERSION = re.compile(r'\bv(\d+)\b', re.I)


def norm_id(raw):
    """Message-ID as mldigest stores it: no <>, domain lower-case."""
    raw = raw.strip()
    if raw.startswith('<'):
        raw = raw[1:raw.find('>')] if '>' in raw else raw[1:]
    raw = raw.strip()
    if not raw or any(c.isspace() for c in raw):
        return None
    local, at, domain = raw.rpartition('@')
    return local + at + domain.lower() if at else raw


def ids_in(value):
    if not value:
        return []
    found = ANGLE_ID.findall(str(value))
    if not found:
        found = [w for w in str(value).split() if '@' in w]
    return [i for i in (norm_id(x) for x in found) if i]


def header_text(msg, name):
    raw = msg.get(name)
    if raw is None:
        return ''
    try:
        parts = email.header.decode_header(str(raw))
        return ''.join(p.decode(c or 'ascii', 'replace') if isinstance(p, bytes) else p
                       for p, c in parts)
    except Exception:
        return str(raw)


def parse_date(msg):
    try:
        d = email.utils.parsedate_to_datetime(msg.get('Date'))
        if d.tzinfo is None:
            d = d.replace(tzinfo=timezone.utc)
        return d.timestamp()
    except Exception:
        return None


def tags(subject):
    """(is_reply, version, index, title) of a patch subject, roughly."""
    s = re.sub(r'\s+', ' ', subject).strip()
    reply = bool(re.match(r'^(re|aw|sv|fwd?)\s*:', s, re.I))
    groups = re.findall(r'\[([^\]]*)\]', s)
    patch = [g for g in groups if re.search(r'patch|git pull', g, re.I)]
    if not patch:
        return reply, None, None, None
    g = ' '.join(patch)
    v = VERSION.search(g.replace('PATCHv', 'PATCH v').replace('patchv', 'patch v'))
    k = re.search(r'(\d+)/(\d+)', g)
    title = s[s.rfind(']') + 1:].strip().lower().rstrip('.,;: ')
    return reply, int(v.group(1)) if v else 1, int(k.group(1)) if k else 0, title


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(x, x) != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


class Archive(UnionFind):
    def __init__(self, path):
        self.date = {}            # id -> UTC seconds (first copy wins)
        self.names = {}           # id -> ids it names
        self.posting = {}         # id -> (from, version, title) of covers/single patches
        UnionFind.__init__(self)
        for msg in mailbox.mbox(path):
            mid = norm_id(str(msg.get('Message-ID', '')))
            if mid is None or mid in self.date:
                continue
            self.date[mid] = parse_date(msg)
            self.names[mid] = ids_in(msg.get('References')) + ids_in(msg.get('In-Reply-To'))
            reply, v, k, title = tags(header_text(msg, 'Subject'))
            if v is not None and not reply and k == 0 and title:
                frm = email.utils.parseaddr(str(msg.get('From', '')))[1].lower()
                self.posting[mid] = (frm, v, title)
        for mid, named in self.names.items():
            for other in named:
                self.union(mid, other)

    def earlier_version_exists(self, mid):
        frm, v, title = self.posting[mid]
        return any(o != mid and f == frm and t == title and ov < v
                   and (self.date[o] or 0) <= (self.date[mid] or 0)
                   for o, (f, ov, t) in self.posting.items())


class Report:
    """One line per check, "PASS<TAB>name" or "FAIL<TAB>name", then the
    why as "# " lines: the calling TAP script numbers them."""
    def __init__(self):
        self.failed = 0

    def ok(self, cond, name, why=''):
        print('%s\t%s' % ('PASS' if cond else 'FAIL', name))
        if not cond:
            self.failed += 1
            for line in str(why).splitlines()[:20]:
                print('# ' + line)


def iso(t):
    return datetime.strptime(t, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=timezone.utc).timestamp()


def check_totals(doc):
    threads = doc['threads']
    tot = doc['totals']
    msgs = sum(len(t['messages']) for t in threads)
    cats_t = sum(c['threads'] for c in doc['categories'])
    cats_m = sum(c['messages'] for c in doc['categories'])
    large = sum(1 for t in threads if len(t['messages']) > 20)
    people = sum(c['messages'] for c in doc['contributors'])
    bad = [x for x in [('threads', len(threads), tot['threads']),
                       ('messages', msgs, tot['messages']),
                       ('category threads', cats_t, tot['threads']),
                       ('category messages', cats_m, tot['messages']),
                       ('large threads', large, tot['large_threads']),
                       ('contributors', people, tot['messages'])] if x[1] != x[2]]
    return bad


def check_window(doc, arch):
    since, until = iso(doc['window']['since']), iso(doc['window']['until'])
    seen = defaultdict(int)
    for t in doc['threads']:
        for m in t['messages']:
            seen[m['message_id']] += 1
    twice = [i for i, n in seen.items() if n > 1]
    want = {i for i, d in arch.date.items() if d is not None and since <= d < until}
    # a message with no usable Date is dated by arrival in mldigest: not comparable here
    undated = {i for i, d in arch.date.items() if d is None}
    missing = sorted(want - set(seen))
    extra = sorted(set(seen) - want - undated)
    return twice, missing, extra


def check_text(doc):
    bad = []
    for t in doc['threads']:
        for m in t['messages'] + t['earlier'] + [t]:
            s = m['subject']
            if '\n' in s or '\r' in s or ENCODED_WORD.search(s):
                bad.append(s)
        dates = [m['date'] for m in t['messages']]
        if dates != sorted(dates):
            bad.append('out of order: ' + t['id'])
    return bad


def check_grouping(doc, arch):
    """Threads vs strict groups; returns (spanning, split) lists."""
    spanning, split = [], []
    owner = defaultdict(set)
    for t in doc['threads']:
        groups = {arch.find(m['message_id']) for m in t['messages'] + t['earlier']}
        rules = UnionFind()
        for j in t['joins']:
            rules.union(arch.find(j['message_id']), arch.find(j['to']))
        if len({rules.find(g) for g in groups}) > 1:
            spanning.append(t['id'])
        for m in t['messages']:
            owner[arch.find(m['message_id'])].add(t['id'])
    split = [sorted(ts) for ts in owner.values() if len(ts) > 1]
    return spanning, split


def main():
    arch = Archive(sys.argv[1])
    tap = Report()
    weeks = sys.argv[2:]
    links = {}                 # series posting id -> previous id or None
    splits = 0
    joins = defaultdict(int)
    for path in weeks:
        with open(path, encoding='utf-8') as f:
            doc = json.load(f)
        name = doc['window']['since'][:10]
        bad = check_totals(doc)
        tap.ok(not bad, '%s: totals add up' % name, bad)
        twice, missing, extra = check_window(doc, arch)
        tap.ok(not twice and not missing and not extra,
               '%s: every window message in exactly one thread' % name,
               'twice %s\nmissing %s\nextra %s' % (twice[:5], missing[:5], extra[:5]))
        bad = check_text(doc)
        tap.ok(not bad, '%s: subjects one line, decoded; threads in time order' % name, bad[:5])
        spanning, split = check_grouping(doc, arch)
        tap.ok(not spanning, '%s: no thread spans strict groups unexplained' % name, spanning[:5])
        splits += len(split)
        for t in doc['threads']:
            for j in t['joins']:
                joins[j['rule']] += 1
            s = t['series']
            if s and s['version'] >= 2 and s['message_id'] in arch.posting:
                if links.get(s['message_id']) is None:
                    links[s['message_id']] = s['previous'] and s['previous']['id']
    if splits:
        print('# strict groups split across threads of one week (conflicting headers): %d' % splits)
    print('# rule-made links: %s' % dict(joins))
    findable = [i for i in links if arch.earlier_version_exists(i)]
    found = [i for i in findable if links[i]]
    extra = [i for i in links if links[i] and i not in findable]
    share = 100.0 * len(found) / len(findable) if findable else 100.0
    print('# v2+ series in the weeks: %d; with an earlier version in the archive: %d; '
          'linked: %d (%.1f%%); linked where a title lookup finds none: %d'
          % (len(links), len(findable), len(found), share, len(extra)))
    tap.ok(share >= 90.0, 'previous versions found for >= 90%% of v2+ series (%.1f%%)' % share,
           'not linked: %s' % [i for i in findable if not links[i]][:10])
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
