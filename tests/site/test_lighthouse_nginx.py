"""scripts/lighthouse.sh measures the site behind deploy/nginx.conf.sample over TLS and HTTP/2: the sample
made local with a certificate (scripts/nginx_sample.py with `tls`) must stay a configuration nginx accepts
whatever the sample gains."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import nginx_sample  # scripts/ is not a package: imported from the folder added above  # noqa: E402


@pytest.mark.skipif(not (nginx_sample.available() and shutil.which("openssl")), reason="needs nginx and openssl")
def test_the_sample_made_local_with_tls_is_accepted_by_nginx(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    nginx = nginx_sample.Nginx(8543, 8181, tmp_path, tls=(tmp_path / "cert.pem", tmp_path / "key.pem"))
    conf = nginx.config.read_text()
    assert "listen 127.0.0.1:8543 ssl http2;" in conf
    assert f"ssl_certificate {tmp_path / 'cert.pem'};" in conf
    assert "server 127.0.0.1:8181" in conf
    assert "listen 80;" not in conf and "[::]" not in conf
    assert "/etc/letsencrypt" not in conf and "/var/log/nginx" not in conf and "/srv/ocop" not in conf
    code, said = nginx.check()
    assert code == 0, said
    assert "test is successful" in said
