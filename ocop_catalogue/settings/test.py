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
