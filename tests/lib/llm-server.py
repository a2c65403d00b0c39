#!/usr/bin/python3
"""llm-server.py - mldigest's OpenAI-compatible test server.

    /usr/bin/python3 tests/lib/llm-server.py --port-file FILE --log FILE
        [--script FILE] [--latency SECONDS] [--host 127.0.0.1]

Listens on 127.0.0.1, on a port the kernel picks (port 0), and writes
that port number (digits and a newline) to the --port-file once it
accepts connections: the file appears whole (written beside it and
renamed), so a test waits for it to exist and then reads it.  Stop the
server with SIGTERM (or SIGINT); it exits 0.

Endpoints
    POST .../chat/completions   the chat API (any prefix: /v1/... or not)
    GET  .../models             {"object": "list", "data": [{"id": "test-model"}]}
    anything else               404 with an OpenAI-style error body

Request log (--log)
    One JSON object per line, one line per request, appended (and
    flushed) before the answer is sent, so a client that has its answer
    finds its request in the log:
      "n"          1, 2, ... in order of arrival
      "port"       the client's port: requests on one kept-alive
                   connection share it
      "method", "path"
      "headers"    {name: value} as received (names as the client sent them)
      "body"       the request body parsed as JSON, or null
      "raw_body"   the body as text when it is not JSON (else absent)
      "behaviour"  the kind that answered (see below)
      "status"     the HTTP status sent (0: connection dropped)
      "start", "end"  time.time() at arrival and when the answer was ready
      "in_flight"  requests in progress when this one arrived, itself
                   included: the maximum over the log is the concurrency
                   the client really used
      "usage"      the usage object sent, if any

Script (--script): a JSON file choosing the behaviour of each request
    {"steps":   [B, B, ...],          consumed in order of arrival
     "markers": {"TEXT": B or [B, ...], ...},
     "default": B}                    when nothing else applies
  or just a list [B, ...] (same as {"steps": [...]}).
  A request whose messages (any role) contain a marker TEXT is answered
  by that marker's behaviour (a list: consumed in order, one per request
  carrying the marker, then the default); markers are tried in the order
  of the file and win over the steps.  Other requests take the next step,
  then the default.  Without a script every request gets {"kind": "answer"}.

Behaviours: a JSON object B with "kind" and options.  Any B may have
"delay" (seconds to wait before answering, on top of --latency) and
"usage" ({"prompt_tokens": P, "completion_tokens": C} sent instead of the
computed figures; null: no usage object at all).
    answer        200, finish_reason "stop".  "content": the text sent;
                  "{sentences}" inside it is replaced by the generated
                  answer.  Without "content" the generated answer: one
                  sentence per numbered message found in the LAST user
                  message, each ending with its citation, in order:
                      Message 3 is part of this discussion [3].
                  Numbered messages are lines starting with "[n]" (after
                  optional blanks); when there is none, every "[n]" in
                  the text counts.  "sentence": the format of one
                  sentence, {n} for the number (default above).  With no
                  numbered message: "Nothing to summarise."
    quote         generated answer whose sentences quote four words of
                  their message verbatim:  Message 3 says "a b c d" [3].
                  (taken from the message's last line with four words)
    bad-citation  generated answer plus a sentence citing a message that
                  was not given:  This cites a message not given [N].
                  (N: "citation", default largest given + 7).  "every":
                  true puts a bad number on every sentence instead.
    bad-quote     generated answer plus a sentence quoting text no
                  message contains:  Message 1 says "QUOTE" [1].  ("quote"
                  option, default "words found in no message at all";
                  "every": true quotes it in every sentence instead)
    error         HTTP "status" (default 500) with an OpenAI-style error
                  body; "retry_after": sent verbatim as Retry-After
                  (a number of seconds or an HTTP date); "message": the
                  error message (default "test server error STATUS");
                  "echo_auth": true appends the Authorization header
                  received to it (a careless server: the client must not
                  repeat the key in its errors)
    429           error with status 429 and "retry_after" (default "1")
    500           error with status 500
    slow          answer after "delay" seconds (default 5): longer than
                  the client's timeout in the tests
    malformed     200 with a body that is not JSON
    length        200, the first half of the generated answer, finish_reason
                  "length"
    refusal       200, message {"content": null, "refusal": "..."},
                  finish_reason "stop" (how OpenAI reports a refusal);
                  "style": "content_filter" sends finish_reason
                  "content_filter" with empty content instead
    empty         200, content "" and finish_reason "stop"
    drop          the connection is closed with no answer at all
  Every option of "answer" works in quote/bad-*/length too.

Usage figures: tokens(text) = CJK characters + ceil(other characters / 4)
(spaces included); prompt_tokens = sum over the request's messages of
tokens(content) + 4; completion_tokens = tokens(answer content) (0 when
there is none); total_tokens = prompt_tokens + completion_tokens.

--latency SECONDS: every answer is ready SECONDS after its request
arrived (the headers read), this server's own work included, plus any
"delay" (for benchmarks: a fixed latency per request).
"""
import argparse
import json
import math
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_SENTENCE = 'Message {n} is part of this discussion [{n}].'
BAD_QUOTE = 'words found in no message at all'


def is_cjk(ch):
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or
            0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or
            0x20000 <= o <= 0x2FFFF)


def tokens(text):
    if not isinstance(text, str):
        return 0
    cjk = sum(1 for ch in text if is_cjk(ch))
    return cjk + math.ceil((len(text) - cjk) / 4)


def contents(body):
    """The text contents of the request's messages, in order."""
    msgs = body.get('messages') if isinstance(body, dict) else None
    out = []
    for m in msgs if isinstance(msgs, list) else []:
        if isinstance(m, dict) and isinstance(m.get('content'), str):
            out.append((m.get('role'), m['content']))
    return out


def last_user(body):
    users = [c for r, c in contents(body) if r == 'user']
    return users[-1] if users else ''


def numbered(text):
    """[(n, segment text)] of the numbered messages in TEXT, in order."""
    heads = list(re.finditer(r'^[ \t]*\[(\d+)\]', text, re.M))
    if not heads:
        heads = list(re.finditer(r'\[(\d+)\]', text))
    out, seen = [], set()
    for i, m in enumerate(heads):
        n = int(m.group(1))
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        if n not in seen:
            seen.add(n)
            out.append((n, text[m.end():end]))
    return out


def four_words(segment):
    for line in reversed(segment.splitlines()):
        words = line.split()
        if len(words) >= 4 and not any('"' in w for w in words[:4]):
            return ' '.join(words[:4])
    return None


class Script:
    def __init__(self, data):
        if isinstance(data, list):
            data = {'steps': data}
        self.steps = list(data.get('steps', []))
        self.markers = []
        for text, b in data.get('markers', {}).items():
            self.markers.append((text, list(b) if isinstance(b, list) else [b],
                                 not isinstance(b, list)))
        self.default = data.get('default', {'kind': 'answer'})
        self.lock = threading.Lock()

    def choose(self, body):
        text = '\n'.join(c for _, c in contents(body))
        with self.lock:
            for marker, queue, fixed in self.markers:
                if marker in text:
                    if fixed:
                        return queue[0]
                    return queue.pop(0) if queue else self.default
            if self.steps:
                return self.steps.pop(0)
            return self.default


def sentences(body, b):
    """The generated answer for behaviour B."""
    msgs = numbered(last_user(body))
    if not msgs:
        return 'Nothing to summarise.'
    fmt = b.get('sentence', DEFAULT_SENTENCE)
    kind = b.get('kind')
    nums = [n for n, _ in msgs]
    bad_n = b.get('citation', max(nums) + 7)
    quote = b.get('quote', BAD_QUOTE)
    out = []
    for n, seg in msgs:
        s = fmt.format(n=n)
        if kind == 'quote':
            words = four_words(seg)
            if words:
                s = 'Message %d says "%s" [%d].' % (n, words, n)
        elif kind == 'bad-citation' and b.get('every'):
            s = fmt.format(n=bad_n)
        elif kind == 'bad-quote' and b.get('every'):
            s = 'Message %d says "%s" [%d].' % (n, quote, n)
        out.append(s)
    if kind == 'bad-citation' and not b.get('every'):
        out.append('This cites a message not given [%d].' % bad_n)
    if kind == 'bad-quote' and not b.get('every'):
        out.append('Message %d says "%s" [%d].' % (nums[0], quote, nums[0]))
    return ' '.join(out)


def answer_text(body, b):
    gen = sentences(body, b)
    content = b.get('content')
    if content is None:
        return gen
    return content.replace('{sentences}', gen)


def completion(body, message, finish, b):
    model = body.get('model') if isinstance(body, dict) else None
    doc = {
        'id': 'chatcmpl-test',
        'object': 'chat.completion',
        'created': int(time.time()),
        'model': model if isinstance(model, str) else 'test-model',
        'choices': [{'index': 0, 'message': message, 'finish_reason': finish}],
    }
    if 'usage' in b:
        if b['usage'] is not None:
            doc['usage'] = b['usage']
    else:
        p = sum(tokens(c) + 4 for _, c in contents(body))
        c = tokens(message.get('content'))
        doc['usage'] = {'prompt_tokens': p, 'completion_tokens': c,
                        'total_tokens': p + c}
    return doc


def respond(body, b, auth=None):
    """(status, headers, payload bytes or None to drop, usage) for B."""
    kind = b.get('kind', 'answer')
    if kind == 'drop':
        return 0, {}, None, None
    if kind in ('error', '429', '500'):
        status = int(b.get('status', {'429': 429, '500': 500}.get(kind, 500)))
        headers = {}
        ra = b.get('retry_after', '1' if kind == '429' else None)
        if ra is not None:
            headers['Retry-After'] = str(ra)
        text = b.get('message', 'test server error %d' % status)
        if b.get('echo_auth'):
            text += ' (you sent %s)' % auth
        err = {'error': {'message': text,
                         'type': 'server_error', 'code': status}}
        return status, headers, json.dumps(err).encode(), None
    if kind == 'malformed':
        return 200, {}, b'{"choices": [{"message": {"content": "cut', None
    msg = {'role': 'assistant', 'content': answer_text(body, b)}
    finish = 'stop'
    if kind == 'length':
        text = msg['content']
        msg['content'] = text[:len(text) // 2]
        finish = 'length'
    elif kind == 'refusal':
        if b.get('style') == 'content_filter':
            msg['content'] = ''
            finish = 'content_filter'
        else:
            msg['content'] = None
            msg['refusal'] = b.get('refusal', "I'm sorry, I cannot help with that.")
    elif kind == 'empty':
        msg['content'] = ''
    doc = completion(body, msg, finish, b)
    return 200, {}, json.dumps(doc, ensure_ascii=False).encode(), doc.get('usage')


class State:
    def __init__(self, script, log_path, latency):
        self.script = script
        self.log = open(log_path, 'a', encoding='utf-8')
        self.latency = latency
        self.lock = threading.Lock()
        self.n = 0
        self.in_flight = 0

    def arrive(self):
        with self.lock:
            self.n += 1
            self.in_flight += 1
            return self.n, self.in_flight

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def record(self, line):
        with self.lock:
            self.log.write(line + '\n')
            self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle
    # holds the body back until the client's delayed ACK (40 ms) on every
    # kept-alive request, which the benchmark would count as ours.
    disable_nagle_algorithm = True
    server_version = 'mldigest-llm-test/1'

    def log_message(self, fmt, *args):
        pass

    def send(self, status, headers, payload):
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        if self.path.rstrip('/').endswith('/models'):
            doc = {'object': 'list', 'data': [{'id': 'test-model', 'object': 'model'}]}
            self.send(200, {}, json.dumps(doc).encode())
        else:
            self.send(404, {}, b'{"error": {"message": "not found"}}')

    def do_POST(self):
        st = self.server.state
        n, in_flight = st.arrive()
        start = time.time()
        try:
            self.post(st, n, in_flight, start)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): expected in the tests
        finally:
            st.leave()

    def post(self, st, n, in_flight, start):
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length).decode('utf-8', 'replace')
        entry = {'n': n, 'method': 'POST', 'path': self.path,
                 'port': self.client_address[1],
                 'headers': dict(self.headers.items())}
        try:
            body = json.loads(raw)
            entry['body'] = body
        except ValueError:
            body = None
            entry['body'] = None
            entry['raw_body'] = raw
        if not self.path.rstrip('/').endswith('/chat/completions'):
            b = {'kind': 'error', 'status': 404}
        elif not isinstance(body, dict):
            b = {'kind': 'error', 'status': 400}
        else:
            b = st.script.choose(body)
        ready = start + st.latency + float(b.get('delay', 5 if b.get('kind') == 'slow' else 0))
        status, headers, payload, usage = respond(body if body is not None else {}, b,
                                                self.headers.get('Authorization'))
        entry.update({'behaviour': b.get('kind', 'answer'), 'status': status,
                      'start': start, 'in_flight': in_flight})
        if usage is not None:
            entry['usage'] = usage
        # The answer and its log line are made while waiting: the latency
        # is the time from arrival to answer, this server's work included
        # (under a benchmark's load, a few milliseconds a request that
        # would otherwise be counted as the client's).
        line = json.dumps(entry, ensure_ascii=False)
        wait = ready - time.time()
        if wait > 0:
            time.sleep(wait)
        st.record('%s, "end": %r}' % (line[:-1], time.time()))
        if payload is None:
            self.close_connection = True
            return
        self.send(status, headers, payload)


class Server(ThreadingHTTPServer):
    # The listen backlog is taken when the socket is bound, in the
    # constructor: set after it, it would stay socketserver's 5, and the
    # connections a client opens at once beyond it would wait for a SYN
    # retry (1 s), which the benchmark would count as the client's.
    request_queue_size = 64
    daemon_threads = True


def write_port(path, port):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % port)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser(description='OpenAI-compatible test server')
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--log', required=True)
    ap.add_argument('--script')
    ap.add_argument('--latency', type=float, default=0.0)
    ap.add_argument('--host', default='127.0.0.1')
    args = ap.parse_args()
    if args.host not in ('127.0.0.1', '::1', 'localhost'):
        sys.exit('llm-server.py: loopback addresses only')
    data = {}
    if args.script:
        with open(args.script, encoding='utf-8') as f:
            data = json.load(f)
    server = Server((args.host, 0), Handler)
    server.state = State(Script(data), args.log, args.latency)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    write_port(args.port_file, server.server_address[1])
    server.serve_forever(poll_interval=0.05)
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
