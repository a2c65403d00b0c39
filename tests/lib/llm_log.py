"""llm_log.py - reading the test model server's request log (llm-server.py
--log) in the checkers of the shell tests and in bench/llm.sh.

    PYTHONPATH=$TOP/tests/lib /usr/bin/python3 - ... <<'PYEOF'
    from llm_log import load, check, user, subject, kind
"""
import json
import re


def load(path):
    """The log's entries (dicts), in the order they were written."""
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def check(name, cond, detail=''):
    """A verdict line for tap.sh's verdicts(): PASS or FAIL, then why."""
    print('%s\t%s' % ('PASS' if cond else 'FAIL', name))
    if not cond and detail != '':
        print('# %s' % (detail,))


def user(e):
    """The last user message of request E."""
    return [m['content'] for m in e['body']['messages'] if m['role'] == 'user'][-1]


def subject(e):
    """The thread's subject as the prompt gives it, or None."""
    m = re.search(r'^subject: (.*)$', user(e), re.M)
    return m.group(1) if m else None


def kind(e):
    """'merge' (a split thread's parts merged), 'part' (one part of a split
    thread) or 'whole' (a thread in one request), by the prompts' words in
    either language."""
    u = user(e)
    if '各部分的总结' in u or "parts' summaries" in u:
        return 'merge'
    if '这是一个太长' in u or 'This is part' in u:
        return 'part'
    return 'whole'
