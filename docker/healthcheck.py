"""Container health check: exit 0 when GET /healthz on this container's gunicorn answers 200.

The image has no curl, so this uses the standard library. The request goes to 127.0.0.1 but
carries a Host header taken from ALLOWED_HOSTS: under production settings a request for a host
that is not allowed is refused with 400, whatever the path. /healthz is exempt from the HTTPS
redirect (SECURE_REDIRECT_EXEMPT), so plain HTTP is fine.
"""

import os
import sys
import urllib.error
import urllib.request
from http import HTTPStatus


def _host_header() -> str:
    for allowed in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = allowed.strip().lstrip(".")  # ".example.com" allows example.com itself too
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    port = os.environ.get("PORT", "").strip() or "8000"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": _host_header(), "User-Agent": "docker-healthcheck"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == HTTPStatus.OK else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"healthcheck failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
