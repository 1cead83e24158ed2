#!/usr/bin/env python3
"""Run a command on a pseudo-terminal, as a user at a terminal would.

Usage: pty_run.py OUT [--ctrl-c-on TEXT] -- COMMAND [ARG...]

What the terminal shows goes to OUT as it came (carriage returns and escape
sequences kept, so a test sees a spinner redrawn in place). With
--ctrl-c-on, Ctrl-C is typed on the terminal once TEXT has appeared, as a
user would type it: the terminal sends SIGINT to the command. Exits with
the command's exit status, 128 + N when signal N ended it, or 124 when it
was still running after 120 seconds (it is then killed).
"""
import os
import pty
import select
import signal
import sys
import time

args = sys.argv[1:]
out_path = args.pop(0)
ctrl_c_on = None
if args and args[0] == "--ctrl-c-on":
    ctrl_c_on = args[1].encode()
    args = args[2:]
if args and args[0] == "--":
    args = args[1:]

pid, fd = pty.fork()
if pid == 0:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        os.execvp(args[0], args)
    finally:
        os._exit(127)

seen = b""
typed = False
deadline = time.monotonic() + 120
with open(out_path, "wb") as out:
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.exit(124)
        ready, _, _ = select.select([fd], [], [], min(left, 0.2))
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the command is gone: the terminal is closed
                chunk = b""
            if not chunk:
                break
            out.write(chunk)
            out.flush()
            seen += chunk
            if ctrl_c_on and not typed and ctrl_c_on in seen:
                os.write(fd, b"\x03")
                typed = True
_, status = os.waitpid(pid, 0)
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
