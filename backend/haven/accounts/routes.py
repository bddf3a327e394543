"""Signing in and out: POST, GET and DELETE /api/session."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from quart import Blueprint, Response, current_app, request
from quart_auth import AuthUser, current_user, login_user, logout_user
from quart_schema import validate_request, validate_response

from haven.accounts import credentials
from haven.accounts import service as accounts
from haven.web.access import (
    account_setup,
    any_session,
    client_ip,
    current_session,
    public,
    settings,
)

blueprint = Blueprint("accounts", __name__)


class SignInRequest(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    school: str | None = Field(default=None, max_length=64, description="Slug; default: first")


class Person(BaseModel):
    id: int
    email: str
    name: str


class SchoolRef(BaseModel):
    id: int
    slug: str
    name: str
    timezone: str = Field(description="IANA time zone, e.g. Europe/London")
    idle_timeout_minutes: int = Field(description="The client blanks itself on this clock")


class SessionResponse(BaseModel):
    user: Person
    school: SchoolRef
    roles: list[str]
    key_holder: bool
    totp_enrolled: bool
    elevated_until: datetime | None
    idle_expires_at: datetime
    expires_at: datetime
    password_change_required: bool
    locked: bool = Field(description="The screen was blanked: unlock with the password")
    authenticator_required: bool = Field(
        description="The school requires the authenticator and this user has none yet"
    )


class PasswordChangeRequest(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class ResetRequest(BaseModel):
    email: str = Field(min_length=1, max_length=254)


class NewPasswordRequest(BaseModel):
    password: str = Field(min_length=1, max_length=1024)


class CodeRequest(BaseModel):
    code: str = Field(min_length=1, max_length=32, description="6 digits, or a recovery code")


class ReauthenticateRequest(BaseModel):
    password: str | None = Field(default=None, max_length=1024)
    code: str | None = Field(default=None, max_length=32)


class EnrolmentResponse(BaseModel):
    secret: str = Field(description="Base32, for typing into the authenticator app")
    otpauth_uri: str
    qr_svg: str


class RecoveryCodesResponse(BaseModel):
    recovery_codes: list[str]


@blueprint.post("/api/session")
@public
@validate_request(SignInRequest)
@validate_response(SessionResponse, 200)
async def sign_in(data: SignInRequest):
    result = await accounts.sign_in(
        data.email,
        data.password,
        school_slug=data.school,
        ip_address=client_ip(),
        user_agent=request.headers.get("User-Agent", ""),
        previous_token=current_user.auth_id,
        address_limit=settings().sign_in_limit_per_address,
    )
    login_user(AuthUser(result.token))
    view = await accounts.describe(result.session)
    return view.as_json(), 200


@blueprint.get("/api/session")
@any_session
@validate_response(SessionResponse, 200)
async def who_am_i():
    return (await accounts.describe(current_session())).as_json(), 200


@blueprint.delete("/api/session")
@any_session
async def sign_out():
    await accounts.sign_out(current_session(), ip_address=client_ip())
    logout_user()
    # "cache" only: "storage" would also remove the service worker, the offline app shell
    # and (later) the encrypted queue of unsent incidents that must survive sign-out.
    return Response(status=204, headers={"Clear-Site-Data": '"cache"'})


@blueprint.post("/api/session/elevate")
@account_setup
@validate_request(CodeRequest)
@validate_response(SessionResponse, 200)
async def elevate(data: CodeRequest):
    token = await accounts.elevate(current_session(), data.code, ip_address=client_ip())
    login_user(AuthUser(token))  # a new session id at elevation
    return (await accounts.describe(current_session())).as_json(), 200


@blueprint.post("/api/me/totp")
@account_setup
@validate_request(ReauthenticateRequest)
@validate_response(EnrolmentResponse, 200)
async def start_authenticator(data: ReauthenticateRequest):
    enrolment = await accounts.start_authenticator(
        current_session(), password=data.password, code=data.code, ip_address=client_ip()
    )
    return enrolment.__dict__, 200


@blueprint.post("/api/me/totp/confirm")
@account_setup
@validate_request(CodeRequest)
@validate_response(RecoveryCodesResponse, 200)
async def confirm_authenticator(data: CodeRequest):
    codes = await accounts.confirm_authenticator(current_session(), data.code,
                                                 ip_address=client_ip())
    return {"recovery_codes": codes}, 200


@blueprint.delete("/api/me/totp")
@account_setup
@validate_request(ReauthenticateRequest)
async def remove_authenticator(data: ReauthenticateRequest):
    await accounts.remove_authenticator(
        current_session(), password=data.password, code=data.code, ip_address=client_ip()
    )
    return Response(status=204)


@blueprint.post("/api/me/password")
@account_setup
@validate_request(PasswordChangeRequest)
async def change_password(data: PasswordChangeRequest):
    await credentials.change_password(current_session(), data.current_password,
                                      data.new_password, ip_address=client_ip())
    return Response(status=204)


@blueprint.post("/api/password-reset")
@public
@validate_request(ResetRequest)
async def request_password_reset(data: ResetRequest):
    # After the answer, so that a known and an unknown email take the same time.
    current_app.add_background_task(credentials.request_reset, data.email,
                                    public_url=settings().public_url, ip_address=client_ip())
    return {"message": "If that is a Haven account, an email with a link is on its way."}, 202


@blueprint.post("/api/password-reset/<token>")
@public
@validate_request(NewPasswordRequest)
async def complete_password_reset(token: str, data: NewPasswordRequest):
    await credentials.complete_reset(token, data.password, ip_address=client_ip())
    return Response(status=204)


@blueprint.post("/api/session/lock")
@account_setup
async def lock_screen():
    await accounts.lock(current_session(), ip_address=client_ip())
    return Response(status=204)


@blueprint.post("/api/session/unlock")
@any_session
@validate_request(NewPasswordRequest)
async def unlock_screen(data: NewPasswordRequest):
    await accounts.unlock(current_session(), data.password, ip_address=client_ip())
    return Response(status=204)
