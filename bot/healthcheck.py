"""``python -m bot.healthcheck``: the container's HEALTHCHECK, GET /healthz of the local HTTP server.

Standard library only and no settings parsing, so it starts in a fraction of a second
every interval and cannot fail for any reason but the bot itself.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main(argv: list[str] | None = None) -> int:
    """0 when /healthz answers 200 (the store answers), 1 otherwise; PORT as for ``run --http``."""
    port = (argv or sys.argv[1:] or [os.environ.get("PORT") or "3000"])[0]
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {getattr(exc, 'reason', exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
