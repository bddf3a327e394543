"""For developers: write a new migration in backend/haven/migrations from model changes.

    python scripts/makemigrations.py [NAME]

It compares the models with the migrations already checked in (no database needed).
"""

import asyncio
import sys

from tortoise.cli.cli import CLIContext, makemigrations

from haven.db import tortoise_config

TORTOISE_ORM = tortoise_config("sqlite://:memory:")

if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else None
    asyncio.run(makemigrations(CLIContext("makemigrations.TORTOISE_ORM", None), (), False, name))
