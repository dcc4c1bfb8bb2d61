"""The static files storage of production: WhiteNoise's compressed manifest storage, with each file's
address worked out once per process.

A page asks for its stylesheet, script, icons and drawings on every request; the manifest storage
answers each from its manifest, then joins and quotes the address (~30 µs a name, a dozen names a
page). The manifest is read when the storage is made and does not change under it (a new collectstatic
needs a restart anyway), so the address of a name does not either.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        found = self._urls.get(name)
        if found is None:
            found = self._urls[name] = super().url(name)
        return found
