"""Addresses that cannot name a file (a NUL byte, a path longer than the file system takes) get the branded 404 page
like every other unknown address. Reflex's static file server would answer them with a bare "Not Found" text.

The page itself is the frontend's: in the browser it reads the real address, so `/use/<junk>` still shows the guest
page's own "not found" card.
"""

from __future__ import annotations

# Hygate's own addresses are short; 2 KB is well below the 4 KB at which the file system refuses a path.
MAX_PATH_BYTES = 2048
NOT_FOUND_PAGE = "/404"


def _unservable(path: str) -> bool:
    return "\x00" in path or len(path.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES


def unknown_paths(app):
    async def middleware(scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and _unservable(scope["path"]):
            scope = {**scope, "path": NOT_FOUND_PAGE, "raw_path": NOT_FOUND_PAGE.encode()}
        await app(scope, receive, send)

    return middleware
