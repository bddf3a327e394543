import json
from pathlib import Path

PWA = Path(__file__).parents[2] / "pwa"


async def test_the_root_serves_the_app_shell(client):
    response = await client.get("/")
    assert response.status_code == 200
    page = await response.get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert "<script>" not in page and " style=" not in page


async def test_the_service_worker_knows_every_shell_file_and_its_version(client):
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    first_line, _, rest = (await response.get_data(as_text=True)).partition("\n")
    shell = json.loads(first_line.removeprefix("const HAVEN_SHELL = ").removesuffix(";"))
    assert len(shell["version"]) == 16
    expected = {f"/{p.relative_to(PWA).as_posix()}" for p in PWA.rglob("*")
                if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts}
    assert expected <= set(shell["files"])
    assert "/" in shell["files"] and "/sw/shell-cache.js" in shell["files"]
    assert not any(f.startswith("/api/") for f in shell["files"])
    for url in shell["files"]:
        assert (await client.get(url)).status_code == 200, url
    assert "importScripts" in rest


async def test_the_manifest_makes_the_app_installable(client):
    response = await client.get("/manifest.webmanifest")
    assert response.headers["Content-Type"].startswith("application/manifest+json")
    manifest = await response.get_json(force=True)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
