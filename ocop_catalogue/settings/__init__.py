"""Settings modules: `base` (driven by environment variables; what manage.py, wsgi and asgi use) and `test`
(the test suite's, named in pyproject.toml). Nothing is imported here, so that `test` can set the
environment before `base` reads it."""
