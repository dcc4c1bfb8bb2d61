"""deploy/nginx.conf.sample made runnable on this machine, for measurements and tests: local ports, the
paths of a temporary folder, a self-signed certificate there (cert.pem, key.pem), no port-80 redirect.

    python scripts/local_nginx_conf.py deploy/nginx.conf.sample WORK APP_PORT TLS_PORT   # writes WORK/nginx.conf

Run it with `nginx -p WORK -c WORK/nginx.conf` (scripts/lighthouse.sh does).
"""

import re
import sys
from pathlib import Path


def local_conf(sample: str, work, app_port, tls_port) -> str:
    conf = sample
    # Drop the plain-HTTP server (the redirect to https on port 80).
    conf = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", conf, flags=re.S)
    conf = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;", conf)
    conf = re.sub(r"\n\s*listen \[::\]:443[^\n]*", "", conf)
    conf = conf.replace("127.0.0.1:8000", f"127.0.0.1:{app_port}").replace("ocop.example.gov.vn", "localhost")
    conf = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {work}/cert.pem;", conf)
    conf = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {work}/key.pem;", conf)
    conf = conf.replace("/srv/ocop/media/", f"{work}/media/").replace("/var/log/nginx", f"{work}/logs")
    conf = conf.replace("/var/cache/nginx", f"{work}/cache")
    return f"""pid {work}/nginx.pid;
error_log {work}/logs/error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {work}/cache/body;
    proxy_temp_path {work}/cache/proxy;
    fastcgi_temp_path {work}/cache/fastcgi;
    uwsgi_temp_path {work}/cache/uwsgi;
    scgi_temp_path {work}/cache/scgi;
{conf}
}}
"""


def main(argv):
    sample, work, app_port, tls_port = argv
    for folder in ("logs", "media", "cache"):
        (Path(work) / folder).mkdir(parents=True, exist_ok=True)
    (Path(work) / "nginx.conf").write_text(local_conf(Path(sample).read_text(), work, app_port, tls_port))


if __name__ == "__main__":
    main(sys.argv[1:])
