"""The app shell: the PWA's files from pwa/ at the site root, and the service worker.

/sw.js is service-worker/sw.js with one line put in front naming the shell version (a
hash of every shell file) and the files to precache. Any change to the shell changes
sw.js, so browsers install the new version; its other modules are served under /sw/.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from quart import Blueprint, Response, current_app, send_from_directory

from haven.errors import NotFound
from haven.web.access import public

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")

blueprint = Blueprint("shell", __name__)


@dataclass(frozen=True)
class Shell:
    pwa_dir: Path
    worker_dir: Path
    version: str
    files: list[str]
    worker_script: bytes

    @classmethod
    def load(cls) -> Shell:
        pwa_dir = Path(str(files("haven.pwa")))
        worker_dir = Path(str(files("haven.service_worker")))
        pwa_files = sorted(_shell_files(pwa_dir))
        worker_modules = sorted(p for p in _shell_files(worker_dir) if p.name != "sw.js")
        digest = hashlib.sha256()
        for path in [*pwa_files, *worker_modules, worker_dir / "sw.js"]:
            digest.update(str(path.name).encode() + b"\0" + path.read_bytes())
        version = digest.hexdigest()[:16]
        urls = ["/"] + [f"/{p.relative_to(pwa_dir).as_posix()}" for p in pwa_files]
        urls += [f"/sw/{p.relative_to(worker_dir).as_posix()}" for p in worker_modules]
        header = f"const HAVEN_SHELL = {json.dumps({'version': version, 'files': urls})};\n"
        script = header.encode() + (worker_dir / "sw.js").read_bytes()
        return cls(pwa_dir, worker_dir, version, urls, script)


def _shell_files(folder: Path):
    for path in folder.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".py":
            yield path


def _shell() -> Shell:
    return current_app.extensions["haven_shell"]


@blueprint.get("/")
@public
async def index():
    return await send_from_directory(_shell().pwa_dir, "index.html")


@blueprint.get("/sw.js")
@public
async def service_worker():
    return Response(
        _shell().worker_script,
        content_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@blueprint.get("/sw/<path:name>")
@public
async def service_worker_module(name: str):
    return await send_from_directory(_shell().worker_dir, name)


@blueprint.get("/<path:name>")
@public
async def shell_file(name: str):
    if name.startswith("api/"):
        raise NotFound("That address")
    return await send_from_directory(_shell().pwa_dir, name)
