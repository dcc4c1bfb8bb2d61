"""scripts/lighthouse.sh measures the site behind deploy/nginx.conf.sample: the sample, with local ports and
paths (scripts/local_nginx_conf.py), must stay a configuration nginx accepts whatever the sample gains."""

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "deploy" / "nginx.conf.sample"


def load_script():
    spec = importlib.util.spec_from_file_location("local_nginx_conf", ROOT / "scripts" / "local_nginx_conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (shutil.which("nginx") and shutil.which("openssl")), reason="needs nginx and openssl")
def test_the_sample_made_local_is_accepted_by_nginx(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    load_script().main([str(SAMPLE), str(tmp_path), "8181", "8543"])
    conf = (tmp_path / "nginx.conf").read_text()
    assert "listen 127.0.0.1:8543 ssl http2;" in conf
    assert "server 127.0.0.1:8181" in conf
    assert "listen 80;" not in conf and "[::]" not in conf
    assert "/etc/letsencrypt" not in conf and "/var/log/nginx" not in conf and "/srv/ocop" not in conf
    checked = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
