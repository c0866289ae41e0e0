"""A Hugging Face Hub on loopback serving one dataset repository from a folder.

Only the few endpoints the ``datasets`` library asks for when it downloads a dataset of data
files: repository info, file listings, path info and file downloads (``resolve``). Tests point
``HF_ENDPOINT`` at it; stopping it is how a test takes the network away.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

COMMIT = "5" * 40


class _Handler(BaseHTTPRequestHandler):
    root: Path
    repo: str

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _files(self) -> list[str]:
        return sorted(
            p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()
        )

    def _info(self, path: str) -> dict[str, Any]:
        data = (self.root / path).read_bytes()
        return {"type": "file", "path": path, "size": len(data), "oid": _oid(data)}

    def _listing(self, folder: str) -> list[dict[str, Any]]:
        prefix = folder.strip("/") + "/" if folder.strip("/") else ""
        inside = [f[len(prefix) :] for f in self._files() if f.startswith(prefix)]
        found = [self._info(prefix + f) for f in inside if "/" not in f]
        subdirs = sorted({f.split("/")[0] for f in inside if "/" in f})
        return found + [{"type": "directory", "path": prefix + d, "oid": "0" * 40, "size": 0}
                        for d in subdirs]  # fmt: skip

    def _send(self, code: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(code)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj: Any) -> None:
        self._send(200, json.dumps(obj).encode(), {"Content-Type": "application/json"})

    def _missing(self, code: str) -> None:
        headers = {"Content-Type": "application/json", "X-Error-Code": code}
        self._send(404, b'{"error": "not found"}', {**headers, "X-Repo-Commit": COMMIT})

    def _file(self, name: str) -> None:
        if not (self.root / name).is_file():
            return self._missing("EntryNotFound")
        data = (self.root / name).read_bytes()
        headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{_oid(data)}"'}
        return self._send(200, data, {**headers, "Content-Type": "application/octet-stream"})

    def _answer(self) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        api, resolve = f"/api/datasets/{self.repo}", f"/datasets/{self.repo}/resolve/"
        if path == api or path.startswith(f"{api}/revision/"):
            siblings = [{"rfilename": f} for f in self._files()]
            return self._json({"id": self.repo, "sha": COMMIT, "siblings": siblings,
                               "private": False, "gated": False, "cardData": {}})  # fmt: skip
        if path.startswith(f"{api}/tree/"):
            return self._json(self._listing(path[len(f"{api}/tree/") :].partition("/")[2]))
        if path.startswith(f"{api}/paths-info/"):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            asked = urllib.parse.parse_qs(body).get("paths", [])
            return self._json([self._info(p) for p in asked if (self.root / p).is_file()])
        if path.startswith(resolve):
            return self._file(path[len(resolve) :].partition("/")[2])
        return self._missing("RepoNotFound")

    do_GET = do_HEAD = do_POST = _answer


def _oid(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@contextmanager
def serve_dataset(root: Path, repo: str) -> Iterator[str]:
    """Serve ``root`` as the dataset repository ``repo``; yields the endpoint URL."""
    handler = type("Handler", (_Handler,), {"root": root, "repo": repo})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
