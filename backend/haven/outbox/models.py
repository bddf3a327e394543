from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Channel(StrEnum):
    EMAIL = "email"
    PUSH = "push"


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Model):
    """A message to send, written in the same transaction as whatever caused it and sent by
    the dispatcher after commit. A lease (leased_until) lets several server processes share
    the work: a row is only taken when its lease is free or has run out."""

    id = fields.BigIntField(primary_key=True)
    school = fields.ForeignKeyField(
        "haven.School", related_name="outbox_messages", null=True, on_delete=fields.CASCADE
    )
    channel = fields.CharEnumField(Channel, max_length=16)
    recipient = fields.CharField(max_length=500)
    payload = fields.JSONField()
    status = fields.CharEnumField(Status, max_length=16, default=Status.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    leased_until = fields.DatetimeField(null=True)
    lease_owner = fields.CharField(max_length=64, null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"),)
