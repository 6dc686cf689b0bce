#!/usr/bin/python3
"""Acts as the Python clients of pistream's recipes do, with the libraries
they use (Debian's python3-requests and python3-aiohttp), for the tests in
recipes_e2e_test.go; it is not a copy of their code.

  clients.py octoprint-snapshot URL OUT
      OctoPrint's classic webcam taking a snapshot for a timelapse or a
      plugin: one requests.get of the snapshot URL (streamed, a timeout,
      TLS verified), the status checked, the body written to OUT.

  clients.py homeassistant MJPEG_URL STILL_URL USERNAME PASSWORD PARTS OUT
      Home Assistant's MJPEG IP Camera: its setup form first checks each
      URL with requests, Basic credentials sent at once, and on 401 tries
      Digest before it says "invalid authentication"; the camera then gets
      the still image and the stream with aiohttp, Basic credentials sent
      at once. Reads PARTS parts of the stream, writes the still to OUT.

Prints one JSON object: what the client saw.
"""

import asyncio
import json
import sys

import aiohttp
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth


def octoprint_snapshot(url, out):
    r = requests.get(url, stream=True, timeout=30, verify=True)
    r.raise_for_status()
    with open(out, "wb") as f:
        for chunk in r.iter_content(chunk_size=1024):
            f.write(chunk)
    return {"status": r.status_code, "content_type": r.headers.get("Content-Type")}


def check_url(url, username, password, scheme="basic"):
    """The setup form's check of one URL: the scheme that works, or
    "invalid_auth"."""
    auth = None
    if username and password:
        auth = (HTTPDigestAuth if scheme == "digest" else HTTPBasicAuth)(username, password)
    r = requests.get(url, auth=auth, stream=True, timeout=30)
    r.close()
    if r.status_code == 401:
        return check_url(url, username, password, "digest") if scheme == "basic" else "invalid_auth"
    r.raise_for_status()
    return scheme


async def read_parts(resp, want):
    """Reads want parts of a multipart/x-mixed-replace body; returns the
    count read and the first problem seen."""
    boundary = resp.headers["Content-Type"].split("boundary=", 1)[1].encode()
    n = 0
    while n < want:
        line = (await resp.content.readline()).strip()
        if not line:
            continue
        if line != b"--" + boundary:
            return n, "want the boundary, got %r" % line[:80]
        length = None
        while True:
            h = (await resp.content.readline()).strip()
            if not h:
                break
            name, _, value = h.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            return n, "a part without Content-Length"
        jpeg = await resp.content.readexactly(length)
        if not (jpeg.startswith(b"\xff\xd8") and jpeg.endswith(b"\xff\xd9")):
            return n, "part %d is not a JPEG" % n
        n += 1
    return n, None


async def camera(mjpeg_url, still_url, username, password, parts, out):
    auth = aiohttp.BasicAuth(username, password)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(still_url, auth=auth) as r:
            still = await r.read()
            got = {"still_status": r.status, "still_type": r.headers.get("Content-Type")}
        with open(out, "wb") as f:
            f.write(still)
        async with session.get(mjpeg_url, auth=auth) as r:
            got["stream_status"] = r.status
            got["stream_type"] = r.headers.get("Content-Type")
            if r.status == 200:
                got["parts"], got["problem"] = await read_parts(r, parts)
    return got


def main(argv):
    if argv[1] == "octoprint-snapshot":
        got = octoprint_snapshot(argv[2], argv[3])
    elif argv[1] == "homeassistant":
        mjpeg_url, still_url, username, password, parts, out = argv[2:8]
        got = {"form": {u: check_url(u, username, password) for u in (mjpeg_url, still_url)}}
        if all(v == "basic" for v in got["form"].values()):
            got.update(asyncio.run(camera(mjpeg_url, still_url, username, password, int(parts), out)))
    else:
        sys.exit("unknown client %r" % argv[1])
    print(json.dumps(got))


if __name__ == "__main__":
    main(sys.argv)
