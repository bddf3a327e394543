from tortoise import fields
from tortoise.models import Model


class PushSubscription(Model):
    """A browser or installed app that agreed to show Haven's alerts: where its push
    service takes messages for it, and the keys to encrypt them with. It belongs to the
    person signed in when it was made (the same endpoint again moves it to whoever signs
    in on that device), and goes when they sign out there, or when the push service says
    it has expired."""

    id = fields.IntField(primary_key=True)
    school = fields.ForeignKeyField("haven.School", related_name="push_subscriptions",
                                    on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("haven.User", related_name="push_subscriptions",
                                  on_delete=fields.CASCADE)
    session = fields.ForeignKeyField("haven.Session", related_name="push_subscriptions",
                                     null=True, on_delete=fields.SET_NULL)
    endpoint = fields.CharField(max_length=1000, unique=True)
    p256dh = fields.CharField(max_length=100)
    auth = fields.CharField(max_length=40)
    label = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "push_subscription"
