"""Photos of cases: checked, decoded under a pixel limit, re-encoded without any metadata.

A photo is refused unless Pillow reads it as JPEG, PNG or WebP (whatever its name or declared
type), its header announces at most ``MAX_PIXELS`` pixels (checked before a single pixel is
decoded, so a decompression bomb costs a header read), and it verifies and decodes cleanly.
What is stored is a new image made from the decoded pixels alone, turned upright by its EXIF
orientation first: no EXIF (so no GPS position), no ICC or text chunks, and nothing that was
appended after the image data (a ZIP or HTML tail of a polyglot file) survives.
"""

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from geo_api.errors import InvalidInput, PayloadTooLarge

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Stored photos are scaled down to this many pixels on their longer side: enough to see a
# blocked exit, and it keeps a year of cases' photos in a database backup of sensible size.
MAX_SIDE_PX = 2048
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SUFFIXES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# Pillow's own guard as a second line: past twice this it raises DecompressionBombError.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
UNREADABLE = "photo: not a JPEG, PNG or WebP image that can be read"


@dataclass(frozen=True)
class CleanPhoto:
    """A re-encoded photo, ready to store."""

    data: bytes
    media_type: str
    width: int
    height: int
    sha256: str


def clean_photo(data: bytes) -> CleanPhoto:
    """Check ``data`` and return it re-encoded without metadata (see the module's docstring).

    Raises
    ------
    PayloadTooLarge
        Over 5 MB.
    InvalidInput
        Not a readable JPEG, PNG or WebP image, or more pixels than ``MAX_PIXELS``.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise PayloadTooLarge(f"photo: larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    if not data:
        raise InvalidInput("photo: the file is empty")
    try:
        image_format = _checked_format(data)
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            image.load()
            pixels = _pixels_only(ImageOps.exif_transpose(image), image_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(f"photo: more than {MAX_PIXELS:,} pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise InvalidInput(UNREADABLE) from None
    out = io.BytesIO()
    if image_format == "JPEG":
        pixels.save(out, "JPEG", quality=85, optimize=True)
    elif image_format == "PNG":
        pixels.save(out, "PNG", optimize=True)
    else:
        pixels.save(out, "WEBP", quality=85)
    encoded = out.getvalue()
    return CleanPhoto(
        encoded,
        MEDIA_TYPES[image_format],
        pixels.width,
        pixels.height,
        hashlib.sha256(encoded).hexdigest(),
    )


def _checked_format(data: bytes) -> str:
    """Return the format of ``data`` after reading its header and verifying its structure."""
    with Image.open(io.BytesIO(data), formats=list(MEDIA_TYPES)) as probe:
        width, height = probe.size
        if width * height > MAX_PIXELS:
            raise Image.DecompressionBombError(f"{width}x{height}")
        image_format = str(probe.format)
        probe.verify()
    return image_format


def _pixels_only(image: Image.Image, image_format: str) -> Image.Image:
    """Return a new image holding only the pixels of ``image``, scaled to ``MAX_SIDE_PX``."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha and image_format != "JPEG" else "RGB"
    source = image.convert(mode)
    source.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    fresh = Image.new(mode, source.size)
    fresh.paste(source)
    return fresh
