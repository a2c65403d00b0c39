#!/usr/bin/python3
"""kill-at-random - run a command many times, SIGKILL it at random moments.

    kill-at-random.py --runs N --seed S --out FILE --check 'CMD' -- CMD ARG...

Each run starts CMD (with "{}" in its arguments replaced by the next
line of --inputs, whose file also becomes its standard input when
--stdin is given), sleeps a random time drawn uniformly from [0, W] and
kills it with SIGKILL, unless it has ended by then.  W starts at 1.2 x
the median run time measured first on --calibrate runs, and follows the
machine's load: x0.9 after a run that ended first, x1.05 after a kill.  After each run the
--check command must exit 0 (it checks the index).  --out gets one line
per run: "INPUT<TAB>STATUS<TAB>DELAY_MS", STATUS being "exit N" or
"killed".  Prints a summary line on standard error; exits 1 when a
check failed.
"""
import argparse
import random
import signal
import statistics
import subprocess
import sys
import time


def start(cmd, inp, use_stdin):
    argv = [a.replace("{}", inp) if inp else a for a in cmd]
    stdin = open(inp, "rb") if use_stdin else subprocess.DEVNULL
    try:
        return subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    finally:
        if use_stdin:
            stdin.close()


def timed_run(cmd, inp, use_stdin):
    t0 = time.monotonic()
    start(cmd, inp, use_stdin).wait()
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--inputs", help="file listing one input per run")
    ap.add_argument("--stdin", action="store_true")
    ap.add_argument("--calibrate", type=int, default=5)
    ap.add_argument("--calibrate-cmd", help="a run to time, instead of CMD")
    ap.add_argument("--check", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    inputs = open(a.inputs).read().split("\n")[:-1] if a.inputs else []
    if inputs and len(inputs) < a.runs + a.calibrate:
        sys.exit("kill-at-random: fewer inputs than runs")

    # The typical run time, on inputs of their own (recorded for good).
    spans = []
    for i in range(a.calibrate):
        if a.calibrate_cmd:
            t0 = time.monotonic()
            subprocess.run(a.calibrate_cmd, shell=True, check=True)
            spans.append(time.monotonic() - t0)
        else:
            spans.append(timed_run(a.cmd, inputs.pop(0) if inputs else None, a.stdin))
    window = start_window = 1.2 * statistics.median(spans)

    killed = ended = bad = 0
    with open(a.out, "w") as out:
        for i in range(a.runs):
            inp = inputs[i] if inputs else ""
            delay = rng.uniform(0, window)
            p = start(a.cmd, inp or None, a.stdin)
            time.sleep(delay)
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
            rc = p.wait()
            status = "killed" if rc == -signal.SIGKILL else "exit %d" % rc
            # The machine's load changes run times: a run that ended
            # first narrows the window, a killed one widens it, so that
            # about two runs in three are killed, at moments spread over
            # the whole run.
            window *= 1.05 if status == "killed" else 0.9
            killed += status == "killed"
            ended += status != "killed"
            out.write("%s\t%s\t%d\n" % (inp, status, delay * 1000))
            out.flush()
            c = subprocess.run(a.check, shell=True, capture_output=True, text=True)
            if c.returncode != 0:
                bad += 1
                print("kill-at-random: check failed after run %d (%s, %s): %s"
                      % (i + 1, inp, status, (c.stdout + c.stderr).strip()[:300]),
                      file=sys.stderr)
    print("# %d runs: %d killed, %d ended first; kill window %.0f ms at the start "
          "(median run %.0f ms), %.0f ms at the end; %d failed checks"
          % (a.runs, killed, ended, start_window * 1000, start_window / 1.2 * 1000,
             window * 1000, bad),
          file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
