"""Settings modules: `base` (driven by environment variables; what manage.py, wsgi and asgi use) and `test`
(the test suite's, named in pyproject.toml); `replica` is the read replica's part of `base`. Nothing is
imported here, so that `test` can set the environment before `base` reads it."""
