"""Settings of the test suite (pytest-django reads DJANGO_SETTINGS_MODULE from pyproject.toml).

The environment-driven settings with DJANGO_TESTING on: a throwaway secret key, local hosts, no login
throttling, plain static storage, no page cache (each test that needs them turns them on). Servers that
tests start in other processes read `base` with the environment the test gives them.
"""

import os

os.environ["DJANGO_TESTING"] = "1"

from .base import *  # noqa: F403

# Hashing a password the production way takes ~0.3 s on purpose; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Background jobs run at once, in the test's own process and transaction (the task's real code); the tests
# of the worker itself switch to the database backend and run `db_worker` (tests/certifications/test_tasks.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
