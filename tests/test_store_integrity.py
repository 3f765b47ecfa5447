"""Start-up refuses a damaged database file: first page sound, later pages garbage."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.store import Store, StoreError
from tests.factories import make_flag


def damaged_db(tmp_path: Path) -> Path:
    path = tmp_path / "coach.db"
    store = Store(path)
    store.add_flags(make_flag(i) for i in range(3000))
    store.close()
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    pages = len(data) // page
    rng = random.Random(13)
    for number in range(pages // 2, pages - 1):  # flag and rollup pages; page 1 and the schema stay intact
        data[number * page : (number + 1) * page] = bytes(rng.randrange(256) for _ in range(page))
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 5  # it still opens and reads
    conn.close()
    return path


def test_damaged_file_is_refused_at_start_up_with_its_path(tmp_path: Path) -> None:
    path = damaged_db(tmp_path)
    with pytest.raises(StoreError, match=r"coach\.db.*damaged"):
        Store(path)


def test_cli_refuses_a_damaged_file_without_a_traceback(tmp_path: Path) -> None:
    path = damaged_db(tmp_path)
    result = CliRunner().invoke(cli, ["report", "--db", str(path)])
    assert result.exit_code == 1
    assert str(path) in result.output and "damaged" in result.output
    assert "Traceback" not in result.output
