"""The README's command-line examples, run exactly as written (a shell, the installed script) on
the bundled demo team, so the documentation cannot drift from the code or the data again."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from bot.ingest.export import SAMPLE_EXPORT
from tests.test_cli_settings import console_script

README = Path(__file__).resolve().parents[1] / "README.md"
SECTIONS = ("## Review from the command line", "## Coach a single draft", "## Make the coach the team's own")


def examples() -> list[str]:
    """Every ``support-coach`` line of the first ```sh block under each section."""
    text = README.read_text(encoding="utf-8")
    lines: list[str] = []
    for heading in SECTIONS:
        body = text[text.index(heading) :]
        block = re.search(r"```sh\n(.*?)```", body, re.DOTALL)
        assert block, heading
        lines += [line for line in block.group(1).splitlines() if "support-coach" in line]
    return lines


def test_the_examples_are_found() -> None:
    found = examples()
    assert len(found) >= 12
    assert any("--channel support-frontline" in line for line in found)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder like the README assumes: the demo team as slack-export.zip and export/."""
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(SAMPLE_EXPORT, folder / "export")
    with zipfile.ZipFile(folder / "slack-export.zip", "w") as archive:
        for path in sorted(SAMPLE_EXPORT.rglob("*.json")):
            archive.write(path, path.relative_to(SAMPLE_EXPORT).as_posix())
    (folder / "messages.jsonl").write_text(
        json.dumps({"id": "m1", "text": "Thanks, the refund is on its way!"})
        + "\n"
        + json.dumps({"id": "m2", "text": "Calm down, it's only been an hour."})
        + "\n",
        encoding="utf-8",
    )
    return folder


def test_every_example_runs_as_written(workdir: Path) -> None:
    env = dict(os.environ)  # conftest cleared SLACK_* and COACH_*
    env["PATH"] = f"{Path(console_script()).parent}{os.pathsep}{env.get('PATH', '')}"
    for line in examples():
        expected = 1 if "--fail-on medium" in line else 0  # its point: a flagged message fails the gate
        proc = subprocess.run(
            ["bash", "-c", line],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL if "<" not in line and "|" not in line else None,
            check=False,
        )
        assert proc.returncode == expected, f"{line}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stderr, line
    assert json.loads((workdir / "flags.json").read_text(encoding="utf-8"))["by_channel"] is not None
