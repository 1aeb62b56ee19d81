"""The fuzzer must catch what it promises to: a crash, a hang, an exit other than 0/1, a
silent refusal and raw control bytes, each saved as a reproducer; and pass a sitegen that
behaves. Stand-in binaries (small shell scripts) play each misbehaviour.

Run with: python3 -m pytest Tests/Fuzz -q
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FUZZ = HERE / "fuzz.py"


def fake_sitegen(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "sitegen"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return script


def fuzz(binary: Path, findings: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(FUZZ), "--binary", str(binary), "--runs", "3", "--target", "model-json",
                           "--findings", str(findings), *extra], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("body, verdict", [
    ("kill -SEGV $$", "crash"),
    ("exec sleep 30", "hang"),
    ("exit 2", "exit"),
    ("exit 1", "silent"),
    ("printf 'error: \\033]0;pwned\\007\\n' >&2; exit 1", "raw-control"),
])
def test_each_misbehaviour_fails_the_run_and_is_saved(tmp_path: Path, body: str, verdict: str) -> None:
    findings = tmp_path / "findings"
    done = fuzz(fake_sitegen(tmp_path, body), findings, "--timeout", "1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"model-json: {verdict} on " in done.stdout
    saved = sorted(findings.glob(f"model-json-{verdict}-*.input"))
    assert saved, done.stdout
    assert "reproduce: python3 Tests/Fuzz/fuzz.py --replay" in saved[0].with_name(saved[0].name + ".txt").read_text()


def test_a_sitegen_that_builds_or_refuses_with_a_message_passes(tmp_path: Path) -> None:
    findings = tmp_path / "findings"
    done = fuzz(fake_sitegen(tmp_path, "echo 'error: x: no' >&2; exit 1"), findings)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "model-json: 3 runs, seed 1: fine 3" in done.stdout
    assert not findings.exists()


def test_the_same_seed_gives_the_same_inputs() -> None:
    sys.path.insert(0, str(HERE))
    import random
    import fuzz as driver
    corpus = driver.TARGETS[0].corpus()
    runs = []
    for _ in range(2):
        rng = random.Random("1/model-json")
        runs.append([driver.mutate(rng, corpus) for _ in range(50)])
    assert runs[0] == runs[1]
    assert len({data for _, data in runs[0]}) > 40, "the mutations should differ from each other"
