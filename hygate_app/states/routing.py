"""Reading a dynamic route's argument from the page URL."""

from urllib.parse import unquote


def last_path_segment(path: str) -> str:
    """`/use/abc` → `abc` (the guest routes have one argument, at the end)."""
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])[:100]
