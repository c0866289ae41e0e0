"""The dated index's server process: ``python env_setup/index_server.py HOST``.

Run by its path, not as ``-m env_setup.index_server``, so that it imports pypi-timemachine
alone and not the env_setup package (which took most of a minute to import at load 12: the
set-up then went on undated). Prints the port it listens on, then serves until killed.
"""

from __future__ import annotations

import os
import socket
import ssl
import sys
from datetime import datetime


def main(host: str) -> None:
    """Serve the date-filtering index on ``host`` (a free port, printed first) until killed."""
    cafile = ssl.get_default_verify_paths().cafile
    if cafile:  # the system's CA bundle for httpx, which otherwise trusts certifi's alone
        os.environ.setdefault("SSL_CERT_FILE", cafile)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    sock.listen(64)  # connections wait in the backlog until uvicorn accepts them
    print(sock.getsockname()[1], flush=True)

    import uvicorn
    from pypi_timemachine.core import MAIN_PYPI, create_app
    from simple_repository.components.http import HttpRepository

    # The date of the URL's /snapshot/DATE/ filters; this one only serves the root's redirect.
    app = create_app(HttpRepository(MAIN_PYPI), datetime(2000, 1, 1))
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1])
