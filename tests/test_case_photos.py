"""Hostile photos: decompression bombs, polyglots, GPS in EXIF; who may see a photo."""

import io
import struct
import zipfile
import zlib

import pytest
from PIL import Image

from tests.case_city import COMMUNITY_1, DISTRICT, IN_COMMUNITY_1, STREET_2, key, report

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "RiderPhone"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 37.0, 12.0), 3: "E", 4: (104.0, 0.0, 36.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int) -> bytes:
    """A real grey PNG of side x side pixels of zeros: megabytes on the wire, gigabytes decoded."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    packer = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    rows_per_chunk = max(1, 8_000_000 // len(row))
    data = []
    for start in range(0, side, rows_per_chunk):
        data.append(packer.compress(row * min(rows_per_chunk, side - start)))
    data.append(packer.flush())
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", b"".join(data))
            + png_chunk(b"IEND", b""))  # fmt: skip


def post_photo(client, data: bytes, name: str = "photo.jpg", media_type: str = "image/jpeg"):
    fields = {"lon": str(IN_COMMUNITY_1[0]), "lat": str(IN_COMMUNITY_1[1]),
              "category": "fire_hazard", "description": "楼道堆满电瓶车"}  # fmt: skip
    return client.post("/cases", data=fields, files={"photo": (name, data, media_type)})


def served(client, receipt, headers=None, token=None):
    """Get the receipt's photo with ``token`` (default: the reporter's own) or ``headers``."""
    case = client.get(f"/cases/{receipt['id']}", params={"token": receipt["token"]}).json()
    (photo,) = case["photos"]
    assert photo["id"] == receipt["photo_id"]
    assert photo["url"].startswith(f"/cases/{receipt['id']}/photos/{photo['id']}?token=")
    params = {"token": receipt["token"] if token is None else token} if token != "" else {}
    return client.get(f"/cases/{receipt['id']}/photos/{photo['id']}", params=params,
                      headers=headers or {})  # fmt: skip


def test_gps_exif_is_gone_from_the_stored_photo(client, case_city):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # it was there
    response = post_photo(client, original)
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["photo_id"] is not None
    photo = served(client, receipt)
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(photo.content))
    assert image.format == "JPEG" and image.size == (640, 480)
    exif = image.getexif()
    assert len(exif) == 0 and not exif.get_ifd(GPS_IFD)
    assert b"RiderPhone" not in photo.content and b"Exif" not in photo.content


def test_a_jpeg_with_a_zip_appended_is_stored_without_it(client, case_city):
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("evil.html", "<script>alert(document.cookie)</script>")
    polyglot = jpeg_with_gps() + payload.getvalue()
    assert zipfile.ZipFile(io.BytesIO(polyglot)).namelist() == ["evil.html"]  # a valid ZIP too
    response = post_photo(client, polyglot)
    assert response.status_code == 201, response.text
    stored = served(client, response.json()).content
    assert b"PK\x03\x04" not in stored and b"evil" not in stored and b"<script" not in stored
    assert stored.startswith(b"\xff\xd8") and stored.endswith(b"\xff\xd9")
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(stored))


def test_a_jpeg_with_html_appended_is_stored_without_it(client, case_city):
    response = post_photo(client, jpeg_with_gps() + b"<html><script>alert(1)</script></html>")
    assert response.status_code == 201
    assert b"<script" not in served(client, response.json()).content


@pytest.mark.parametrize(
    ("data", "name", "media_type"),
    [
        (b"<html><body><script>alert(1)</script></body></html>", "photo.jpg", "image/jpeg"),
        (b"GIF89a" + b"\x00" * 64, "photo.gif", "image/gif"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "broken.jpg", "image/jpeg"),
        (b"", "empty.jpg", "image/jpeg"),
    ],
)
def test_what_is_not_a_readable_image_is_refused(client, case_city, data, name, media_type):
    response = post_photo(client, data, name, media_type)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("photo:")


def test_a_gif_is_refused_even_if_pillow_reads_it(client, case_city):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    response = post_photo(client, out.getvalue(), "a.gif", "image/gif")
    assert response.status_code == 422


@pytest.mark.parametrize("side", [7_000, 20_000])
def test_a_decompression_bomb_is_refused_before_decoding(client, case_city, side):
    bomb = png_bomb(side)
    assert len(bomb) < 5 * 1024 * 1024  # small on the wire
    response = post_photo(client, bomb, "bomb.png", "image/png")
    assert response.status_code == 422
    assert "pixels" in response.json()["detail"]


def test_more_than_5_mb_is_413(client, case_city):
    response = post_photo(client, b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024), "big.jpg")
    assert response.status_code == 413 and "5 MB" in response.json()["detail"]


def test_png_and_webp_keep_their_format(client, case_city):
    for image_format, media_type in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGBA", (32, 32), (0, 128, 0, 128)).save(out, image_format)
        response = post_photo(client, out.getvalue(), "p", media_type)
        assert response.status_code == 201, response.text
        photo = served(client, response.json())
        assert photo.headers["content-type"] == media_type
        assert Image.open(io.BytesIO(photo.content)).format == image_format


def test_only_the_handling_manager_and_the_reporter_see_photos(client, session, case_city):
    receipt = post_photo(client, jpeg_with_gps()).json()
    other = report(client, IN_COMMUNITY_1)
    assert served(client, receipt, token="").status_code == 401
    assert served(client, receipt, token=other["token"]).status_code == 403
    assert served(client, receipt, key(session, "planner", DISTRICT), token="").status_code == 403
    assert (
        served(client, receipt, key(session, "grid_manager", STREET_2), token="").status_code == 403
    )
    manager = served(client, receipt, key(session, "grid_manager", COMMUNITY_1), token="")
    assert manager.status_code == 200
    # nowhere public: the public map has no photo and no description
    public = client.get("/cases/public", params={"bbox": "104,30.6,104.1,30.7"}).json()
    (feature,) = [f for f in public["features"] if f["id"] == receipt["id"]]
    assert set(feature["properties"]) == {"category", "status", "created_at", "updated_at"}
    assert "楼道" not in client.get("/cases/public", params={"bbox": "104,30.6,104.1,30.7"}).text
