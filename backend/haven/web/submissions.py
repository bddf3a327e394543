"""Bodies that may carry files: JSON, or multipart form data with the same JSON in a `data`
field and the files as `files` (one field per file). The offline queue and the forms send
either, so a view sees one validated model and a list of uploads whichever arrived."""

from __future__ import annotations

from functools import wraps

from pydantic import BaseModel, ValidationError
from quart import request
from quart_schema import DataSource, RequestSchemaValidationError
from quart_schema.validation import QUART_SCHEMA_REQUEST_ATTRIBUTE

from haven.errors import APIError
from haven.incidents.files import Upload


async def _multipart(model: type[BaseModel]) -> tuple[BaseModel, list[Upload]]:
    form, sent = await request.form, await request.files
    raw = form.get("data")
    if raw is None:
        raise APIError(400, "DATA_REQUIRED", "Put the JSON of the submission in the form "
                       "field 'data', next to the files.")
    try:
        data = model.model_validate_json(raw)
    except ValidationError as error:
        raise RequestSchemaValidationError(error) from None
    uploads = [Upload(name=file.filename or "file", content=file.read())
               for file in sent.getlist("files")]
    unexpected = set(sent) - {"files"}
    if unexpected:
        raise APIError(400, "UNEXPECTED_FILE_FIELD", "Send every file in a field called "
                       f"'files', not {', '.join(sorted(unexpected))}.")
    return data, uploads


async def _json(model: type[BaseModel]) -> tuple[BaseModel, list[Upload]]:
    try:
        return model.model_validate(await request.get_json()), []
    except ValidationError as error:
        raise RequestSchemaValidationError(error) from None


def takes_files(view):
    """Marks a view whose body may be as large as its files (see security.limit_body_size)."""
    view.haven_takes_files = True
    return view


def validate_submission(model: type[BaseModel]):
    """Like quart_schema's validate_request, for JSON or multipart: the view is called with
    data (the model) and uploads (a list of Upload, empty for JSON)."""

    def decorate(view):
        # Documented in /openapi.json as the JSON body it is in either form.
        setattr(view, QUART_SCHEMA_REQUEST_ATTRIBUTE, (model, DataSource.JSON))

        @wraps(view)
        async def validated(*args, **kwargs):
            if request.mimetype == "multipart/form-data":
                data, uploads = await _multipart(model)
            else:
                data, uploads = await _json(model)
            return await view(*args, data=data, uploads=uploads, **kwargs)

        return takes_files(validated)

    return decorate
