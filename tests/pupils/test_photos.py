"""Pupils' photos: set by an administrator or imported from the MIS's folder of UPN.jpg
files, shown in the typeahead to staff of the pupil's school only."""

from tests.conftest import CSRF, sign_in
from tests.incidents import samples
from tests.test_cli import haven


async def _put_photo(client, pupil_id, name, content):
    body, headers = samples.multipart("{}", [(name, content)], field="file")
    return await client.put(f"/api/admin/pupils/{pupil_id}/photo", data=body, headers=headers)


async def test_an_administrator_sets_a_photo_that_staff_see_without_its_metadata(
        app, adam, oakfield, amy):
    response = await _put_photo(adam, amy.id, "amy.jpg", samples.jpeg_with_metadata(1))
    assert response.status_code == 200
    url = (await response.get_json())["photo_url"]
    alice = app.test_client()
    await sign_in(alice, oakfield.alice)
    found = await (await alice.get("/api/pupils?q=amy")).get_json()
    assert found["pupils"][0]["photo_url"] == url
    photo = await alice.get(url)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert await photo.get_data() == samples.JPEG  # no EXIF, no GPS


async def test_a_new_photo_replaces_the_old_one_on_disk(adam, amy, settings):
    await _put_photo(adam, amy.id, "one.png", samples.png())
    await _put_photo(adam, amy.id, "two.jpg", samples.JPEG)
    stored = [p for p in (settings.data_dir / "files").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [samples.JPEG]
    assert (await adam.delete(f"/api/admin/pupils/{amy.id}/photo", headers=CSRF)
            ).status_code == 204
    assert not [p for p in (settings.data_dir / "files").rglob("*") if p.is_file()]
    assert (await adam.get(f"/api/pupils/{amy.id}/photo")).status_code == 404


async def test_only_images_are_accepted(adam, amy):
    for name, content in (("amy.jpg", samples.HTML), ("amy.pdf", samples.PDF)):
        response = await _put_photo(adam, amy.id, name, content)
        assert (await response.get_json())["code"] == "PHOTO_NOT_AN_IMAGE"


async def test_another_schools_staff_cannot_see_the_photo(app, adam, amy, rita):
    await _put_photo(adam, amy.id, "amy.png", samples.png())
    other = app.test_client()
    await sign_in(other, rita)
    assert (await other.get(f"/api/pupils/{amy.id}/photo")).status_code == 404


def test_haven_import_photos_matches_files_to_pupils_by_upn(tmp_path):
    data_dir = tmp_path / "data"
    assert haven(data_dir, "init").returncode == 0
    assert haven(data_dir, "school", "add", "Oakfield Academy", "--slug", "oakfield"
                 ).returncode == 0
    roll = tmp_path / "roll.csv"
    roll.write_text("upn,first_name,preferred_name,last_name,date_of_birth,year_group,form,"
                    "gender\nA123,Amy,,Jones,2014-09-01,Year 7,7A,F\n")
    assert haven(data_dir, "import", "pupils", str(roll)).returncode == 0
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "a123.jpg").write_bytes(samples.JPEG)
    (folder / "B999.jpg").write_bytes(samples.JPEG)
    (folder / "A123.txt").write_bytes(b"not a photo")
    result = haven(data_dir, "import", "photos", str(folder))
    assert result.returncode == 0, result.stderr
    assert "B999.jpg: no pupil with this UPN" in result.stdout
    assert "A123.txt: a pupil's photo must be a JPEG or PNG image." in result.stdout
    assert result.stdout.strip().endswith("1 photos imported, 1 unmatched, 1 refused")
