"""Labelled messages: reading them, checking them, and the one split everybody uses.

Training, tuning and evaluation must agree on which messages are held out, or the figures
lie. The split is a pure function of a message's id (a stable hash), so it is the same on
every machine and never depends on file order.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.models import CATEGORIES, SEVERITIES

# A checkout keeps the labelled data beside the package; the wheel never ships it, so an
# installed package looks in the current folder's data/ (run it from a checkout).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
if not DATA_DIR.is_dir():
    DATA_DIR = Path.cwd() / "data"
WRITTEN_FILES = (
    "written_bd.jsonl",
    "written_da.jsonl",
    "written_ad.jsonl",
    "written_bp.jsonl",
    "written_nm.jsonl",
    "written_ml.jsonl",
    "written_ar.jsonl",
    "written_bx.jsonl",
    "written_cs.jsonl",
    "written_ag.jsonl",
    "written_dm.jsonl",
    "written_em.jsonl",
    "written_ch.jsonl",
    "written_ap.jsonl",
    "written_bl.jsonl",
    "written_dp.jsonl",
    "written_mx.jsonl",
    "written_ob.jsonl",
    "written_pa.jsonl",
    "written_pb.jsonl",
    "written_pc.jsonl",
    "written_fr.jsonl",
    "written_dz.jsonl",
    "written_ds.jsonl",
    "written_bm.jsonl",
    "written_mk.jsonl",
    "written_lg.jsonl",
    "written_ic.jsonl",
    "written_fe.jsonl",
    "written_nn.jsonl",
    "written_sa.jsonl",
    "written_tl.jsonl",
    "written_ho.jsonl",
    "written_tw.jsonl",
    "written_dq.jsonl",
    "written_qm.jsonl",
    "written_mm.jsonl",
    "written_in.jsonl",
    "written_sh.jsonl",
    "written_ga.jsonl",
    "written_gb.jsonl",
    "written_gc.jsonl",
    "written_gd.jsonl",
    "written_ge.jsonl",
    "written_gf.jsonl",
    "written_na.jsonl",
    "written_nb.jsonl",
    "written_nc.jsonl",
    "written_nd.jsonl",
    "written_ka.jsonl",
    "written_kb.jsonl",
    "written_kc.jsonl",
    "written_kd.jsonl",
    "written_ke.jsonl",
    "written_kf.jsonl",
    "written_kg.jsonl",
    "written_kh.jsonl",
    "written_ki.jsonl",
    "written_kj.jsonl",
    "written_kk.jsonl",
    "written_kl.jsonl",
    "written_km.jsonl",
    "written_kn.jsonl",
    "written_ko.jsonl",
    "written_kp.jsonl",
    "written_kq.jsonl",
    "written_kr.jsonl",
    "written_ks.jsonl",
    "written_kt.jsonl",
    "written_ku.jsonl",
    "written_kv.jsonl",
    "written_kw.jsonl",
    "written_ra.jsonl",
    "written_rb.jsonl",
    "written_rc.jsonl",
    "written_rd.jsonl",
    "written_re.jsonl",
    "written_rf.jsonl",
    "written_rg.jsonl",
    "written_rh.jsonl",
    "written_ri.jsonl",
    "written_rj.jsonl",
    "written_rk.jsonl",
    "written_rl.jsonl",
    "written_rm.jsonl",
    "written_rn.jsonl",
    "written_ro.jsonl",
    "written_rp.jsonl",
    "written_rq.jsonl",
    "written_rr.jsonl",
    "written_rs.jsonl",
    "written_rt.jsonl",
    "written_ru.jsonl",
    "written_sb.jsonl",
    "written_sc.jsonl",
    "written_sd.jsonl",
    "written_se.jsonl",
    "written_sf.jsonl",
    "written_ta.jsonl",
    "written_tb.jsonl",
    "written_tc.jsonl",
    "written_td.jsonl",
    "written_te.jsonl",
    "written_ua.jsonl",
    "written_ub.jsonl",
    "written_uc.jsonl",
    "written_ud.jsonl",
    "written_ue.jsonl",
)
LABELLED_FILES = ("devset.jsonl", "train_a.jsonl", "train_b.jsonl", *WRITTEN_FILES)
REAL_REPLIES_FILE = "real_replies_dev.jsonl"
SYNTHETIC_CLEAN_FILE = "synthetic_clean.jsonl"  # scripts/make_clean_replies.py: negatives for training only

# Held out: this share of the files the rules were never written against. The dev set stays
# on the training side: the first rules were fitted to it, so it cannot judge them.
HOLDOUT_FILES = frozenset({"train_a.jsonl", "train_b.jsonl", *WRITTEN_FILES})
HOLDOUT_PERCENT = 25
SPLITS = ("train", "holdout", "all")


class DataError(ValueError):
    """A labelled file is unreadable or a line breaks the schema; the message says where."""


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    id: str
    text: str
    flag: bool
    categories: tuple[str, ...]
    severity: str | None
    notes: str = ""
    source: str = ""
    file: str = ""

    @property
    def hard_negative_kind(self) -> str | None:
        """The near-miss kind of a clean message that looks like a flag ("quote-customer")."""
        if self.flag or not self.notes.startswith("HARD-NEG["):
            return None
        return self.notes[len("HARD-NEG[") :].split("]", 1)[0] or "unknown"


def bucket(item_id: str) -> int:
    """A stable 0-99 bucket for an id (crc32, not Python's per-process salted hash)."""
    return zlib.crc32(item_id.encode("utf-8")) % 100


def in_holdout(item_id: str, file_name: str) -> bool:
    return file_name in HOLDOUT_FILES and bucket(item_id) < HOLDOUT_PERCENT


def real_reply_in_holdout(item_id: str) -> bool:
    """Real replies are split the same way: a quarter is never trained on."""
    return bucket(item_id) < HOLDOUT_PERCENT


def _example(raw: object, where: str, file_name: str) -> Example:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: a line must be a JSON object")
    text = raw.get("text")
    if not isinstance(text, str):
        raise DataError(f"{where}: 'text' must be a string")
    flag = raw.get("flag")
    if not isinstance(flag, bool):
        raise DataError(f"{where}: 'flag' must be true or false")
    categories = raw.get("categories") or []
    if not isinstance(categories, list) or any(c not in CATEGORIES for c in categories):
        raise DataError(f"{where}: 'categories' must be a list of {', '.join(CATEGORIES)}")
    if bool(categories) != flag:
        raise DataError(f"{where}: 'categories' must be empty exactly when 'flag' is false")
    severity = raw.get("severity")
    if severity is not None and severity not in SEVERITIES:
        raise DataError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)} or null")
    item_id = raw.get("id")
    return Example(
        id=str(item_id) if item_id is not None else where,
        text=text,
        flag=flag,
        categories=tuple(c for c in CATEGORIES if c in categories),
        severity=severity if flag else None,
        notes=str(raw.get("notes") or ""),
        source=str(raw.get("source") or ""),
        file=file_name,
    )


def read_labelled(path: Path | str) -> list[Example]:
    """Every example of one JSONL file; raises DataError naming the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read: {exc}") from None
    examples = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{where}: not valid JSON: {exc.msg}") from None
        examples.append(_example(raw, where, path.name))
    return examples


def select(examples: Iterable[Example], split: str) -> list[Example]:
    """The examples of one split: "train", "holdout" or "all"."""
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    if split == "all":
        return list(examples)
    want_holdout = split == "holdout"
    return [e for e in examples if in_holdout(e.id, e.file) == want_holdout]


def labelled(split: str = "all", data_dir: Path | None = None) -> list[Example]:
    """The repository's labelled examples of one split (a checkout only)."""
    folder = data_dir or DATA_DIR
    missing = [name for name in LABELLED_FILES if not (folder / name).is_file()]
    if missing:
        raise DataError(f"{folder}: missing {', '.join(missing)} (the labelled data lives in a checkout)")
    rows: list[Example] = []
    for name in LABELLED_FILES:
        rows.extend(read_labelled(folder / name))
    return select(rows, split)


def real_replies(split: str = "all", data_dir: Path | None = None) -> list[tuple[str, str]]:
    """(id, text) of the unlabelled real agent replies, assumed clean, of one split."""
    path = (data_dir or DATA_DIR) / REAL_REPLIES_FILE
    if not path.is_file():
        raise DataError(f"{path}: missing (the real replies live in a checkout)")
    pairs = list(read_texts(path.read_text(encoding="utf-8").splitlines()))
    if split == "all":
        return pairs
    want_holdout = split == "holdout"
    return [(i, t) for i, t in pairs if real_reply_in_holdout(i) == want_holdout]


def synthetic_clean(data_dir: Path | None = None) -> list[str]:
    """Clean everyday support messages written for training (never evaluated on)."""
    path = (data_dir or DATA_DIR) / SYNTHETIC_CLEAN_FILE
    if not path.is_file():
        raise DataError(f"{path}: missing (python scripts/make_clean_replies.py writes it)")
    return [text for _id, text in read_texts(path.read_text(encoding="utf-8").splitlines())]


def read_texts(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(id, text) from JSONL lines with a string 'text' (unlabelled files, e.g. real replies)."""
    for number, line in enumerate(lines, 1):
        if line.strip():
            raw = json.loads(line)
            yield str(raw.get("id", number)), str(raw["text"])
