"""GET /api/pupils/{id}/chronology.pdf: the case conference chronology as a PDF."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator
from quart import Blueprint, Response
from quart_schema import validate_querystring

from haven.accounts import service as accounts
from haven.reports.chronology_pdf import Choices, chronology_pdf
from haven.web.access import client_ip, current_session, key_holder

blueprint = Blueprint("chronology_pdf", __name__)


class ChronologyPdfQuery(BaseModel):
    from_: date | None = Field(default=None, alias="from",
                               description="First day, in the school's calendar")
    to: date | None = Field(default=None, description="Last day, included")
    category: list[int] = Field(default_factory=list, max_length=50, description=(
        "Repeat for several; subcategories included; none: every category"))

    @field_validator("category", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        # ?category=3 arrives as one value, ?category=3&category=4 as a list.
        return value if isinstance(value, list) else [value]


@blueprint.get("/api/pupils/<int:pupil_id>/chronology.pdf")
@key_holder
@validate_querystring(ChronologyPdfQuery)
async def download(pupil_id: int, query_args: ChronologyPdfQuery):
    session = current_session()
    roles = await accounts.roles_in(session.user_id, session.school_id)
    choices = Choices(since=query_args.from_, until=query_args.to,
                      category_ids=tuple(query_args.category))
    pdf = await chronology_pdf(session, pupil_id, roles, choices, ip_address=client_ip())
    return Response(pdf.content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{pdf.filename}"'})
