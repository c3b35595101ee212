"""A build that is killed, interrupted or raced leaves the previous output as it was."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import generated_site, make_site, run_newsgen, snapshot, story


def big_site(root, stories=400, marker="first"):
    files = "".join(f"""
-- content/news/s{i:03d}/en.md --
{story(f"Story {i} {marker}", date=f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d}", tags=f"[t{i % 9}]",
       body=" ".join(["word"] * 600))}
-- content/news/s{i:03d}/ua.md --
{story(f"Історія {i} {marker}", slug=f"s{i}", date=f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
       body=" ".join(["слово"] * 600))}
""" for i in range(stories))
    return make_site(root, files)


def start_build(root, *args):
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--site", str(root), "--no-cache", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_staging(root, process, pages=True, timeout=60):
    """Until the build has begun writing (pages=True) or rendering (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        staging = [p for p in root.iterdir() if ".staging-" in p.name]
        if staging and (not pages or any(staging[0].rglob("*.html"))):
            return
        assert process.poll() is None, "the build ended before it could be interrupted"
        time.sleep(0.01)
    raise AssertionError("no staging folder appeared")


def test_a_killed_build_leaves_the_previous_output_intact(tmp_path):
    root = big_site(tmp_path / "site")
    assert run_newsgen("build", "--site", str(root), "--quiet").returncode == 0
    before = snapshot(root / "output")
    big_site(root, marker="second")  # every page would change
    process = start_build(root)
    wait_for_staging(root, process)
    workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert snapshot(root / "output") == before
    deadline = time.monotonic() + 10  # its worker processes notice and end too
    while any(os.path.exists(f"/proc/{pid}") for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{pid}") and "zombie" not in open(f"/proc/{pid}/status").read()
                   for pid in workers)
    again = run_newsgen("build", "--site", str(root), "--quiet")
    assert again.returncode == 0
    assert "second" in (root / "output/en/2023/02/story-1-second/index.html").read_text()
    assert [p.name for p in root.iterdir() if ".staging-" in p.name] == []  # leftovers cleaned


def test_ctrl_c_stops_the_build_and_keeps_the_previous_output(tmp_path):
    root = big_site(tmp_path / "site")
    assert run_newsgen("build", "--site", str(root), "--quiet").returncode == 0
    before = snapshot(root / "output")
    big_site(root, marker="second")
    process = start_build(root, "--jobs", "1")
    wait_for_staging(root, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted; the previous output is unchanged" in err and "Traceback" not in err
    assert snapshot(root / "output") == before
    assert [p.name for p in root.iterdir() if ".staging-" in p.name] == []


def test_two_builds_at_once_do_not_mix(tmp_path):
    root = big_site(tmp_path / "site", stories=300)
    first = start_build(root, "--jobs", "1")  # slow enough for the second to arrive while it runs
    wait_for_staging(root, first, pages=False)
    second = start_build(root)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert "waiting for another build of this output to finish" in err2
    fresh = tmp_path / "fresh"
    assert run_newsgen("build", "--site", str(root), "--output", str(fresh), "--quiet").returncode == 0
    built, expected = snapshot(root / "output"), snapshot(fresh)
    # Pagefind's index files are not byte-reproducible (their names and chunks vary from run to run):
    # they are compared by name of folder only; every other file byte for byte.
    assert {p for p in built if p.startswith("pagefind/")} and {p for p in expected if p.startswith("pagefind/")}
    assert ({p: b for p, b in built.items() if not p.startswith("pagefind/")}
            == {p: b for p, b in expected.items() if not p.startswith("pagefind/")})


def test_builds_are_reproducible_across_processes(tmp_path):
    """Hash seeds differ between processes; no file but Pagefind's may depend on them (for the case
    that once did, related-story ties, see test_pages)."""
    root = generated_site(tmp_path / "generated", 200)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        result = subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(root), "--output", str(out),
                                 "--no-cache", "--now", "2023-11-25T12:00:00+02:00"],
                                capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append({p: b for p, b in snapshot(out).items() if not p.startswith("pagefind/")})
    assert len(outputs[0]) > 1000
    assert outputs[0] == outputs[1]
