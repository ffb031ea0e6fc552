"""Kill -9 loop: writers saving labels are killed at random; no acknowledged label may be lost.

    PYTHONPATH=. .venv/bin/python bench/kill_loop.py [--rounds 50] [--writers 2] [--dir DIR]

Each round starts ``--writers`` processes on one project (the sample corpus, imported without
entities), each labelling random sentences as its own annotator through ``Project.set_label``
and printing ``try`` before and ``ack`` after every save; each is killed with SIGKILL at its own
moment, 1.1-2.0 s after the round's start. At the end every (annotator, sentence) must hold its last
acknowledged label (or the one in flight at the kill, which may or may not have been
committed), ``PRAGMA integrity_check`` must say ok and the counts the triggers keep must equal
a recount from the tables. Prints the figures; exits 1 on any loss or damage.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator import Project  # noqa: E402
from annotator.schema import COUNT_FILLS  # noqa: E402  (the statements that fill the counts table)


def child(path: str, annotator: str, seed: int) -> None:
    rng = random.Random(seed)
    with Project.open(path, create=False) as p:
        ids = [s.id for a in p.articles() for s in p.sentences(a.id)]
        frames = p.codebook.frame_ids
        while True:
            sid = rng.choice(ids)
            chosen = sorted(rng.sample(frames, rng.randint(0, 2)))  # none: the label is removed
            line = json.dumps([sid, chosen])
            print("try", line, flush=True)
            p.set_label(sid, annotator, frames=chosen)
            print("ack", line, flush=True)


def recount_mismatches(path: Path) -> list[str]:
    """Rows where the kept counts differ from the schema's own fill over the tables."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    memory = sqlite3.connect(":memory:")
    conn.backup(memory)
    conn.close()
    kept = set(memory.execute("SELECT name, key, n FROM counts WHERE n != 0"))
    memory.execute("DELETE FROM counts")
    for statement in COUNT_FILLS:
        memory.execute(statement)
    fresh = set(memory.execute("SELECT name, key, n FROM counts WHERE n != 0"))
    memory.close()
    return [f"kept {row}" for row in sorted(kept - fresh, key=str)] + \
        [f"recounted {row}" for row in sorted(fresh - kept, key=str)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--writers", type=int, default=2)
    ap.add_argument("--dir", help="where the project goes (default: a temporary folder)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="kill-loop-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kill.annot"
    with Project.open(path) as p:
        if not p.articles():
            p.import_files([ROOT / "seeds"], ner=False)
    rng = random.Random(args.seed)
    # (annotator, sentence) -> (last acknowledged frames, frames in flight at the kill or None)
    expected: dict[tuple[str, int], tuple[list[str] | None, list[str] | None]] = {}
    acks = 0
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for r in range(args.rounds):
        procs = [(f"w{w}", subprocess.Popen(
            [sys.executable, __file__, "--child", str(path), f"w{w}", str(rng.randrange(10**9))],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
            for w in range(args.writers)]
        # Each dies at its own moment, 1.1-2.0 s after the start (a start takes up to ~1 s).
        begun = time.monotonic()
        for at, proc in sorted(((rng.uniform(1.1, 2.0), proc) for _, proc in procs),
                               key=lambda pair: pair[0]):
            time.sleep(max(0.0, begun + at - time.monotonic()))
            proc.send_signal(signal.SIGKILL)
        for name, proc in procs:
            out, err = proc.communicate()
            if proc.returncode != -signal.SIGKILL:
                print(f"round {r}: writer {name} ended by itself ({proc.returncode}):\n{err}",
                      file=sys.stderr)
                return 1
            for line in out.splitlines():
                kind, _, payload = line.partition(" ")
                try:
                    sid, frames = json.loads(payload)
                except ValueError:
                    continue  # the line the kill cut short
                key = (name, sid)
                done, _ = expected.get(key, (None, None))
                if kind == "ack":
                    acks += 1
                    expected[key] = (frames, None)
                elif kind == "try":
                    expected[key] = (done, frames)
        print(f"round {r + 1}/{args.rounds}: {acks:,} acknowledged saves", file=sys.stderr)
    lost: list[str] = []
    with Project.open(path, create=False) as p:
        for (name, sid), (done, flight) in sorted(expected.items()):
            label = p.label(sid, name)
            have = sorted(label.frames) if label is not None else []
            allowed = [done or [], *([flight] if flight is not None else [])]
            if have not in allowed:
                lost.append(f"{name} sentence {sid}: has {have}, acknowledged {done}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    counts = recount_mismatches(path)
    print(f"kill_loop_rounds        {args.rounds:>8} rounds   {args.writers} writers, "
          f"{time.monotonic() - started:.0f} s, {path}")
    print(f"kill_loop_acknowledged  {acks:>8} saves")
    print(f"kill_loop_lost          {len(lost):>8} labels   acknowledged but not in the file")
    print(f"kill_loop_integrity     {integrity:>8}")
    print(f"kill_loop_counts_off    {len(counts):>8} rows     kept counts unlike a recount")
    for line in (lost + counts)[:20]:
        print("  " + line)
    return 0 if not lost and not counts and integrity == "ok" else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(main())
