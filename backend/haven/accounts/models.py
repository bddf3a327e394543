from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    STAFF = "staff"
    DSL = "dsl"
    SLT = "slt"
    ADMIN = "admin"


# Key holders may see every incident (in the categories their role allows) once elevated.
KEY_HOLDER_ROLES = frozenset({Role.DSL, Role.SLT})


class User(Model):
    """A person who signs in. Not tied to one school: Membership says where they work."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)  # stored lower-cased
    name = fields.CharField(max_length=200)
    password_hash = fields.CharField(max_length=255, null=True)
    is_active = fields.BooleanField(default=True)
    must_change_password = fields.BooleanField(default=False)
    password_changed_at = fields.DatetimeField(null=True)
    # The authenticator: the secret is encrypted with data/totp_key (see accounts/totp.py).
    totp_secret = fields.CharField(max_length=255, null=True)
    # A new secret being enrolled: it replaces totp_secret only once a code confirms it.
    totp_pending_secret = fields.CharField(max_length=255, null=True)
    totp_confirmed_at = fields.DatetimeField(null=True)
    # The last 30-second step whose code was accepted: a code is never accepted twice.
    totp_last_step = fields.BigIntField(null=True)
    # Wrong codes in a row; at 100 (NIST SP 800-63B 5.2.2) the authenticator is suspended
    # until an administrator resets it.
    totp_failures = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Quiet hours, "HH:MM" in the school's time zone (e.g. 22:00 to 07:00): pushes that
    # are not urgent wait until they end. Both set, or neither.
    quiet_from = fields.CharField(max_length=5, null=True)
    quiet_until = fields.CharField(max_length=5, null=True)

    class Meta:
        table = "user"

    @property
    def has_authenticator(self) -> bool:
        return self.totp_confirmed_at is not None


class Membership(Model):
    """One role a user holds in a school. A user with three roles has three rows."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="memberships", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("haven.User", related_name="memberships", on_delete=fields.CASCADE)
    role = fields.CharEnumField(Role, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "membership"
        unique_together = (("school", "user", "role"),)


class Session(Model):
    """A signed-in device. The cookie carries a random token and only its SHA-256 is
    stored, so a copy of the database cannot be used to sign in. Revoking a row ends it."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    school = fields.ForeignKeyField("haven.School", related_name="sessions", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("haven.User", related_name="sessions", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField()
    last_active_at = fields.DatetimeField()
    idle_expires_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    elevated_until = fields.DatetimeField(null=True)
    # The blank-screen button locks a session: nothing but unlocking (with the password)
    # or signing out works until it is unlocked.
    locked_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=32, null=True)
    user_agent = fields.CharField(max_length=300, default="")
    ip_address = fields.CharField(max_length=45, default="")

    class Meta:
        table = "session"

    @property
    def is_elevated(self) -> bool:
        from haven import clock  # models stay importable without the rest of Haven

        return self.elevated_until is not None and self.elevated_until > clock.now()


class RecoveryCode(Model):
    """A single-use code that stands in for the authenticator. Only its hash is kept."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("haven.User", related_name="recovery_codes", on_delete=fields.CASCADE)
    code_hash = fields.CharField(max_length=64)
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "recovery_code"


class PasswordToken(Model):
    """A single-use link to set a password: a reset, or a new member of staff's invitation.
    Only the SHA-256 of the token is kept."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField(
        "haven.School", related_name="password_tokens", null=True, on_delete=fields.CASCADE
    )
    user = fields.ForeignKeyField("haven.User", related_name="password_tokens", on_delete=fields.CASCADE)
    token_hash = fields.CharField(max_length=64, unique=True)
    purpose = fields.CharField(max_length=16)  # "reset" or "invitation"
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "password_token"


class FailedAttempt(Model):
    """One failed sign-in or authenticator code, for throttling. The key names what is
    throttled (an account's email hash, a client address, a user's elevation) and never
    holds a password or a readable email. Rows older than the window are deleted."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=100)
    at = fields.DatetimeField()

    class Meta:
        table = "failed_attempt"
        indexes = (("key", "at"),)
