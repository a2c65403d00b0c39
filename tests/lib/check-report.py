#!/usr/bin/env python3
"""check-report.py REPORT.md FACTS.json - a zh-CN weekly report against
the facts it was made from.

Checks the seed layout (../shared/seeds/weekly-2026-02-16.md) section by
section in the seed's order, that every number the report shows equals
the JSON facts, that threads and their messages are the facts' (same
order, time order, UTC times), that no subject is folded or left
RFC 2047-encoded.  Prints one line per problem; exits 1 if there is any.
"""
import datetime
import json
import re
import sys

problems = []


def problem(msg):
    problems.append(msg)


def unescape(md):
    """Markdown backslash escapes off: the text a reader sees."""
    return re.sub(r'\\([!-/:-@\[-`{-~])', r'\1', md)


def hhmm(iso):
    t = datetime.datetime.strptime(iso, '%Y-%m-%dT%H:%M:%SZ')
    return t.strftime('%m-%d %H:%M')


class Lines:
    def __init__(self, text):
        self.lines = text.split('\n')
        self.i = 0

    def skip_blank(self):
        while self.i < len(self.lines) and self.lines[self.i] == '':
            self.i += 1

    def peek(self):
        self.skip_blank()
        return self.lines[self.i] if self.i < len(self.lines) else None

    def take(self, pattern, what):
        """The next non-blank line must match PATTERN; its match or None."""
        line = self.peek()
        m = re.fullmatch(pattern, line) if line is not None else None
        if m is None:
            problem(f'line {self.i + 1}: want {what}, got {line!r}')
            return None
        self.i += 1
        return m


def check_attention(r, facts):
    """需要关注: one entry per item of the facts' attention list, in order,
    each naming its reason and its series' subject; or the line that
    says there is none."""
    r.take(r'## ⚠️ 需要关注', '需要关注')
    items = facts.get('attention', [])
    if not items:
        r.take(r'本周没有等待回应的事项。', 'the no-attention line')
        return
    words = {'waiting': '天无人回复', 'nak': '被 NAK', 'robot': '构建机器人报告的失败未回应',
             'review': '上一版的评审意见未回复', 'question': '提问无人回答'}
    for n, a in enumerate(items, 1):
        m = r.take(r'- \*\*(.+?)\*\*.*?：(.*)', f'attention entry {n}')
        if m is None:
            return
        if words[a['reason']] not in m.group(1):
            problem(f"attention entry {n}: {m.group(1)!r} is not {a['reason']}")
        if not unescape(m.group(2)).startswith(a['subject']):
            problem(f"attention entry {n}: want the subject {a['subject']!r}")


def check_head(r, facts):
    r.take(r'# (\S+) 邮件列表 AI 总结报告', 'the title')
    r.take(r'\*\*生成时间\*\*: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+', '生成时间')
    r.take(r'\*\*分析周期\*\*: .* 至 .*', '分析周期 with the window')
    check_attention(r, facts)
    r.take(r'## 📊 总体统计', '总体统计')
    totals = facts['totals']
    m = r.take(r'- \*\*总邮件数\*\*: (\d+)', '总邮件数')
    if m and int(m.group(1)) != totals['messages']:
        problem(f"总邮件数 {m.group(1)} != facts {totals['messages']}")
    m = r.take(r'- \*\*总 Thread 数\*\*: (\d+)', '总 Thread 数')
    if m and int(m.group(1)) != totals['threads']:
        problem(f"总 Thread 数 {m.group(1)} != facts {totals['threads']}")
    if totals['large_threads'] > 0:
        m = r.take(r'- \*\*大型 Thread\*\* \(>20封\): (\d+) 个', '大型 Thread')
        if m and int(m.group(1)) != totals['large_threads']:
            problem('大型 Thread differs from the facts')
    elif '大型 Thread' in (r.peek() or ''):
        problem('大型 Thread shown although there are none')


def check_distribution(r, cats):
    r.take(r'### 分类分布', '分类分布')
    for c in cats:
        m = r.take(r'- \*\*(.+)\*\*: (\d+) threads \((\d+) 邮件\)', f"category {c['name']}")
        if m and (unescape(m.group(1)), int(m.group(2)), int(m.group(3))) != \
                (c['name'], c['threads'], c['messages']):
            problem(f"分类分布 line {m.group(0)!r} != facts {c}")
    r.take(r'---', 'the rule after 分类分布')


def check_messages(r, t, n):
    r.take(r'#### 📝 邮件列表', f'邮件列表 of thread {n}')
    previous = ''
    for k, msg in enumerate(t['messages'], 1):
        m = r.take(r'(\d+)\. \*\*\[(\d\d-\d\d \d\d:\d\d)\]\*\* (.+)', f'message {k} of thread {n}')
        if not m:
            return
        if int(m.group(1)) != k or m.group(2) != hhmm(msg['date']):
            problem(f"thread {n} message {k}: {m.group(0)!r} (want [{hhmm(msg['date'])}])")
        if m.group(2) < previous:
            problem(f'thread {n}: message {k} out of time order')
        previous = m.group(2)
        if unescape(m.group(3)) != ' '.join(msg['subject'].split()):
            problem(f"thread {n} message {k}: subject {m.group(3)!r} != {msg['subject']!r}")
        r.take(r'   - 发件人: .+', f'发件人 of message {k} of thread {n} (a folded subject?)')


def check_thread(r, t, n):
    m = r.take(r'### Thread (\d+): (.+)', f'Thread {n}')
    if m is None:
        return
    if int(m.group(1)) != n or unescape(m.group(2)) != ' '.join(t['subject'].split()):
        problem(f"thread heading {m.group(0)!r} != {n}: {t['subject']!r}")
    m = r.take(r'\*\*📧 邮件数\*\*: (\d+) \| \*\*👥 参与者\*\*: (\d+) \| \*\*📅 开始时间\*\*: .+',
               f'the counts of thread {n}')
    if m and (int(m.group(1)), int(m.group(2))) != (t['message_count'], t['participants']):
        problem(f"thread {n}: counts {m.group(0)!r} != facts")
    while (r.peek() or '').startswith('- **') or (r.peek() or '').startswith('  - '):
        r.i += 1                                         # the facts block
    r.take(r'#### (📋 摘要（内置）|🤖 AI 总结)', f'the summary heading of thread {n}')
    while r.peek() is not None and not r.peek().startswith('#### '):
        r.i += 1                                         # the summary
    check_messages(r, t, n)
    r.take(r'---', f'the rule after thread {n}')


def main():
    text = open(sys.argv[1], encoding='utf-8').read()
    facts = json.load(open(sys.argv[2], encoding='utf-8'))
    if '=?' in text:
        problem('an RFC 2047 encoded word (=?) is left in the report')
    r = Lines(text)
    check_head(r, facts)
    cats = [c for c in facts['categories'] if c['threads'] > 0]
    check_distribution(r, cats)
    threads = iter(facts['threads'])
    for c in cats:
        m = r.take(r'## 📌 (.+)', f"section {c['name']}")
        if m and unescape(m.group(1)) != c['name']:
            problem(f"section {m.group(0)!r}, want {c['name']}")
        m = r.take(r'共 (\d+) 个 thread', f"共 N 个 thread of {c['name']}")
        if m and int(m.group(1)) != c['threads']:
            problem(f"{c['name']}: 共 {m.group(1)} != {c['threads']}")
        r.take(r'---', f"the rule after {c['name']}")
        for n in range(1, c['threads'] + 1):
            check_thread(r, next(threads), n)
    if r.peek() is not None:
        problem(f'line {r.i + 1}: unexpected {r.peek()!r} after the last section')
    for p in problems[:40]:
        print(p)
    sys.exit(1 if problems else 0)


main()
