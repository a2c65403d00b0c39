#!/usr/bin/python3
"""smtp-fault.py MODE PORTFILE OUTDIR - a small SMTP server that fails on
purpose, for the tests of what --send does when the network does not
cooperate.  It listens on a free loopback port (written to PORTFILE once
it listens) and, by MODE:

  ok          accepts every message, each written to OUTDIR/N.eml (its
              envelope recipients to N.rcpt)
  rcpt451     answers 451 to every RCPT TO
  data554     takes the message, then answers 554 to it
  hang        accepts the connection and never says a word
  stall       takes the message and never answers it (STALLED is
              written to OUTDIR/stalled when the message is in)

No TLS, no AUTH: the configuration under test says starttls = never.
"""
import asyncio
import os
import sys

MODE, PORTFILE, OUTDIR = sys.argv[1:4]
count = 0


async def reply(w, line):
    w.write(line.encode() + b'\r\n')
    await w.drain()


async def data(r):
    lines = []
    while True:
        line = await r.readline()
        if not line or line == b'.\r\n':
            return b''.join(lines)
        lines.append(line[1:] if line.startswith(b'..') else line)


def store(msg, rcpts):
    """N.eml, and the envelope recipients of its one transaction in N.rcpt"""
    global count
    count += 1
    path = os.path.join(OUTDIR, '%d' % count)
    with open(path + '.rcpt', 'wb') as f:
        f.write(b''.join(r + b'\n' for r in rcpts))
    with open(path + '.tmp', 'wb') as f:
        f.write(msg)
    os.rename(path + '.tmp', path + '.eml')


async def session(r, w):
    if MODE == 'hang':
        await asyncio.sleep(3600)
    await reply(w, '220 fault.test ESMTP')
    rcpts = []
    while True:
        line = await r.readline()
        if not line:
            break
        verb = line.split(b' ', 1)[0].strip().upper()
        if verb in (b'EHLO', b'HELO'):
            await reply(w, '250-fault.test')
            await reply(w, '250 8BITMIME')
        elif verb == b'RCPT' and MODE == 'rcpt451':
            await reply(w, '451 4.3.0 try again later')
        elif verb == b'RCPT':
            rcpts.append(line.split(b':', 1)[1].strip())
            await reply(w, '250 ok')
        elif verb in (b'MAIL', b'RSET'):
            rcpts = []
            await reply(w, '250 ok')
        elif verb == b'DATA':
            await reply(w, '354 go ahead')
            msg = await data(r)
            if MODE == 'data554':
                await reply(w, '554 5.7.1 rejected')
            elif MODE == 'stall':
                open(os.path.join(OUTDIR, 'stalled'), 'w').close()
                await asyncio.sleep(3600)
            else:
                store(msg, rcpts)
                await reply(w, '250 2.0.0 queued')
        elif verb == b'QUIT':
            await reply(w, '221 bye')
            break
        else:
            await reply(w, '250 ok')
    w.close()


async def main():
    server = await asyncio.start_server(session, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    with open(PORTFILE + '.tmp', 'w') as f:
        f.write('%d\n' % port)
    os.rename(PORTFILE + '.tmp', PORTFILE)
    async with server:
        await server.serve_forever()

asyncio.run(main())
