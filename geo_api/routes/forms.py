"""Reading a report's body: JSON, or multipart/form-data with one photo file."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from geo_api.cases.photos import MAX_PHOTO_BYTES
from geo_api.errors import InvalidInput

FORM_LIMITS = {"max_files": 1, "max_fields": 30, "max_part_size": 64 * 1024}


@dataclass(frozen=True)
class Submission:
    """The fields of a report, and the photo's bytes if one came."""

    fields: dict[str, object]
    photo: bytes | None


async def read_photo(part: object, name: str) -> bytes | None:
    """Return the bytes of the file part ``name`` (at most 5 MB and one byte), or None."""
    if part is None:
        return None
    if not isinstance(part, UploadFile):
        raise InvalidInput(f"{name}: send the photo as a file part of multipart/form-data")
    # One byte more than accepted is enough to know it is too large, without reading it all.
    return await part.read(MAX_PHOTO_BYTES + 1)


async def read_submission(request: Request, file_field: str) -> Submission:
    """Return the fields of a JSON or multipart body and the bytes of its ``file_field``."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # As a context manager, so the spooled files of the upload are closed at once.
        async with request.form(**FORM_LIMITS) as form:
            fields: dict[str, object] = {}
            for key, value in form.multi_items():
                if key != file_field:
                    if key in fields:
                        raise InvalidInput(f"{key}: given more than once")
                    fields[key] = value if isinstance(value, str) else None
            return Submission(fields, await read_photo(form.get(file_field), file_field))
    if content_type in ("application/json", ""):
        try:
            values = await request.json()
        except ValueError:
            raise InvalidInput("body: not valid JSON") from None
        if not isinstance(values, dict):
            raise InvalidInput("body: a JSON object is expected")
        return Submission(values, None)
    raise InvalidInput(f"body: {content_type} is not accepted; send JSON or multipart/form-data")


async def case_submission(request: Request) -> Submission:
    """Read ``POST /cases``: JSON, or multipart with a ``photo``."""
    return await read_submission(request, "photo")


async def open311_submission(request: Request) -> Submission:
    """Read an Open311 ``POST requests.json``: form fields, and an optional ``media`` file."""
    return await read_submission(request, "media")


CaseSubmissionDep = Annotated[Submission, Depends(case_submission)]
Open311SubmissionDep = Annotated[Submission, Depends(open311_submission)]
