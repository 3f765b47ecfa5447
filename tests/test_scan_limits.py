"""Hostile exports: zip bombs, deeply nested or broken day files, symlinks out of a folder, CSV formulas.

Real zip files and folders built in tmp, scanned through the real CLI into a real database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.store import Store
from tests.test_scan import MESSAGES, write_export

ROOT = Path(__file__).resolve().parent.parent


def zip_folder(folder: Path, archive: Path, extra: dict[str, int] | None = None) -> Path:
    """Zip an export folder; ``extra`` adds day files of that many bytes of JSON whitespace (a bomb)."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, path.relative_to(folder).as_posix())
        for name, size in (extra or {}).items():
            with zf.open(name, "w", force_zip64=True) as member:
                member.write(b"[")
                chunk = b" " * (1 << 20)
                for _ in range(size >> 20):
                    member.write(chunk)
                member.write(b"]")
    return archive


def stored(db: Path) -> int:
    store = Store(db)
    try:
        return len(store.flags())
    finally:
        store.close()


def test_zip_bomb_member_is_refused_and_the_rest_is_stored(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", {"2025-11-01": MESSAGES})
    archive = zip_folder(export, tmp_path / "bomb.zip", {"support/2025-11-02.json": 64 << 20})
    assert archive.stat().st_size < 1 << 20  # 64 MB of day file in well under 1 MB
    db = tmp_path / "coach.db"
    result = CliRunner().invoke(cli, ["scan", str(archive), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "support/2025-11-02.json: refused" in result.output
    assert "compression ratio" in result.output  # says why, so an admin knows what to change
    assert stored(db) == 2


def test_size_caps_are_settable_by_option_and_environment(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", {"2025-11-01": MESSAGES})
    archive = zip_folder(export, tmp_path / "big.zip", {"support/2025-11-02.json": 3 << 20})
    runner = CliRunner()
    # a generous ratio lets the 3 MB member through, a 2 MB member cap stops it
    result = runner.invoke(
        cli, ["scan", str(archive), "--db", str(tmp_path / "a.db"), "--max-ratio", "100000", "--max-member-mb", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "support/2025-11-02.json: refused" in result.output and "2 MB" in result.output
    result = runner.invoke(
        cli,
        ["scan", str(archive), "--db", str(tmp_path / "b.db")],
        env={"COACH_SCAN_MAX_RATIO": "100000", "COACH_SCAN_MAX_TOTAL_MB": "1"},
    )
    assert result.exit_code == 1
    assert "1 MB" in result.output and "COACH_SCAN_MAX_TOTAL_MB" in result.output  # names the knob
    assert "Traceback" not in result.output


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)")
def test_zip_bomb_is_refused_with_little_memory(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", {"2025-11-01": MESSAGES})
    archive = zip_folder(export, tmp_path / "bomb.zip", {"support/2025-11-02.json": 300 << 20})
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest) across exec
    probe = (
        "import sys\nfrom bot.cli import cli\n"
        "try:\n    cli(sys.argv[1:], standalone_mode=False)\n"
        "finally:\n    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "    print('maxrss', hwm.split()[1], file=sys.stderr)\n"
    )
    # limits raised so the member is really read (streamed), not refused from its header
    env = {**os.environ, "COACH_SCAN_MAX_RATIO": "100000", "COACH_SCAN_MAX_MEMBER_MB": "1000"}

    def peak(target: Path, db: str) -> tuple[int, str]:
        done = subprocess.run(
            [sys.executable, "-c", probe, "scan", str(target), "--db", str(tmp_path / db)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        return int(done.stderr.rsplit("maxrss", 1)[1].split()[0]), done.stdout

    # The same scan of the small export alone is the baseline: the rules and the learned model
    # loaded, which grow with the coaching data. The 300 MB day file must add next to nothing.
    baseline_kb, _ = peak(export, "small.db")
    peak_kb, output = peak(archive, "c.db")
    assert peak_kb - baseline_kb < 30 * 1024, f"peak RSS {peak_kb // 1024} MB, {baseline_kb // 1024} MB without it"
    assert peak_kb < 200 * 1024, f"peak RSS {peak_kb // 1024} MB"
    assert "Scanned 3 messages: 2 flagged" in output


def test_one_deeply_nested_day_file_does_not_abort_the_scan(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", {"2025-11-02": MESSAGES})
    (export / "support" / "2025-11-01.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (export / "support" / "2025-11-03.json").write_text(
        '[{"type": "message", "user": "U1", "ts": "1.0", "text": ' + "[" * 50_000, encoding="utf-8"
    )
    db = tmp_path / "coach.db"
    result = CliRunner().invoke(cli, ["scan", str(export), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "support/2025-11-01.json: skipped" in result.output and "nested" in result.output
    assert "support/2025-11-03.json: skipped" in result.output
    assert "2 file(s) skipped" in result.output
    assert stored(db) == 2


def test_symlinks_out_of_a_folder_export_are_refused(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", {"2025-11-01": MESSAGES[2:3]})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text(json.dumps(MESSAGES[:2]), encoding="utf-8")
    (outside / "other").mkdir()
    (outside / "other" / "2025-11-05.json").write_text(json.dumps(MESSAGES[:2]), encoding="utf-8")
    (export / "support" / "2025-11-02.json").symlink_to(outside / "secret.json")
    (export / "leak").symlink_to(outside / "other", target_is_directory=True)
    (export / "support" / "2025-11-03.json").symlink_to(export / "support" / "2025-11-01.json")  # inside: fine
    db = tmp_path / "coach.db"
    result = CliRunner().invoke(cli, ["scan", str(export), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "support/2025-11-02.json: refused" in result.output and "outside the export" in result.output
    assert stored(db) == 0  # nothing from outside was read
    assert "secret" not in result.output


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("https://evil.example","x")', "+1+cmd", "-2+3", "@SUM(A1)", "\tTabby", "\rCarriage"]
)
def test_csv_report_neutralises_formula_cells(tmp_path: Path, name: str) -> None:
    export = write_export(tmp_path / "export", {"2025-11-01": MESSAGES})
    (export / "users.json").write_text(json.dumps([{"id": "U1", "real_name": name}]), encoding="utf-8")
    (export / "channels.json").write_text(json.dumps([{"id": "C9", "name": "=cmd"}]), encoding="utf-8")
    db = tmp_path / "coach.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["scan", str(export), "--db", str(db)]).exit_code == 0
    out = runner.invoke(cli, ["report", "--db", str(db), "--since", "3650d", "--format", "csv"]).output
    import csv
    import io

    cells = [cell for row in csv.reader(io.StringIO(out, newline="")) for cell in row]
    assert "'" + name in cells
    assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in cells)
    assert not any(cell.startswith("-") and not cell.lstrip("-").isdigit() for cell in cells)
