"""Haven: safeguarding and pastoral records for schools."""

__version__ = "0.1.0"
