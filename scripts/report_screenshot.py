#!/usr/bin/env python3
"""Full-page PNG of an HTML file with headless Chromium (make report-screenshot).

Usage: scripts/report_screenshot.py REPORT.html OUT.png [--width 1280]

Talks to Chromium over --remote-debugging-pipe (the DevTools protocol as NUL-separated JSON on file
descriptors 3 and 4), so it needs only the Python standard library: it loads the page, measures its full
height and captures it in one image. Chromium is not part of `make setup`: install it with
`apt-get install -y chromium` (or set CHROMIUM=/path/to/chrome).
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def find_chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if name and shutil.which(name):
            return shutil.which(name)
    sys.exit("report_screenshot: no Chromium found; install it with `apt-get install -y chromium` or set CHROMIUM")


class DevTools:
    def __init__(self, chromium, width):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        self.profile = tempfile.mkdtemp(prefix="mhdq-chromium-")
        # The child sees our pipe ends as its descriptors 3 (commands in) and 4 (replies out).
        def child_fds():
            # Copies first: a pipe end may already be 3 or 4, and os.pipe() ends close on exec.
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(r, 3)
            os.dup2(w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)
        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--hide-scrollbars", "--no-first-run", "--disable-extensions", f"--user-data-dir={self.profile}",
             f"--window-size={width},900", "about:blank"],
            preexec_fn=child_fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.buffer = b""

    def call(self, method, session=None, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_for(self, event, session):
        while True:
            reply = self.read()
            if reply.get("method") == event and reply.get("sessionId") == session:
                return reply

    def read(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html")
    parser.add_argument("png")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    url = "file://" + os.path.abspath(args.html)
    tools = DevTools(find_chromium(), args.width)
    try:
        target = tools.call("Target.createTarget", url="about:blank")["targetId"]
        session = tools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        tools.call("Page.enable", session)
        tools.call("Emulation.setDeviceMetricsOverride", session, width=args.width, height=900,
                   deviceScaleFactor=1, mobile=False)
        tools.call("Page.navigate", session, url=url)
        tools.wait_for("Page.loadEventFired", session)
        time.sleep(0.3)
        size = tools.call("Page.getLayoutMetrics", session)["cssContentSize"]
        width, height = int(size["width"]), int(size["height"])
        shot = tools.call("Page.captureScreenshot", session, format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        os.makedirs(os.path.dirname(os.path.abspath(args.png)), exist_ok=True)
        with open(args.png, "wb") as out:
            out.write(base64.b64decode(shot["data"]))
        print(f"{args.png}: {width} x {height} px from {args.html}")
    finally:
        tools.close()


if __name__ == "__main__":
    main()
