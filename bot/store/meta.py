"""Meta: small named values the running bot keeps between starts (when the digest last went)."""

from __future__ import annotations

from bot.store.connection import Connection


class Meta(Connection):
    """Get, set, and set-once (claim) a key."""

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def claim_meta(self, key: str, value: str = "1") -> bool:
        """Set a key only if it is not set yet; True for the one caller that set it (atomic)."""
        with self._writing() as conn:
            return bool(conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [key, value]).rowcount)

    def set_meta(self, key: str, value: str) -> None:
        with self._writing() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    def read_probe(self) -> None:
        """Read one small table, raising whatever SQLite raises: /healthz's "can the database be read"."""
        self.db.execute("SELECT COUNT(*) FROM meta").fetchone()
