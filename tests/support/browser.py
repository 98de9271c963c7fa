"""A small W3C WebDriver client for Debian's chromium + chromedriver (no extra packages)."""

from __future__ import annotations

import shutil
import subprocess
import time

import requests

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class Browser:
    def __init__(self, port: int):
        driver = shutil.which("chromedriver")
        binary = shutil.which("chromium")
        if not driver or not binary:
            raise RuntimeError(
                "chromium and chromedriver are needed (./hotline.sh test installs them)")
        self.process = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(self.base + "/status", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900"]}}}}
        response = requests.post(self.base + "/session", json=caps, timeout=60)
        response.raise_for_status()
        self.session = f"{self.base}/session/{response.json()['value']['sessionId']}"

    def _call(self, method: str, path: str, payload: dict | None = None):
        response = requests.request(method, self.session + path, json=payload, timeout=60)
        body = response.json()
        if response.status_code >= 400:
            raise RuntimeError(f"webdriver {path}: {body.get('value')}")
        return body.get("value")

    def get(self, url: str) -> None:
        self._call("POST", "/url", {"url": url})

    def find(self, css: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                found = self._call("POST", "/element", {"using": "css selector", "value": css})
                return found[ELEMENT]
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def click(self, css: str) -> None:
        # The live views redraw their rows every 2 s: an element found just before a redraw is
        # gone by the click. Find it again, as a person would look again.
        for attempt in range(5):
            try:
                self._call("POST", f"/element/{self.find(css)}/click", {})
                return
            except RuntimeError as exc:
                if "stale element" not in str(exc) or attempt == 4:
                    raise
                time.sleep(0.1)

    def type(self, css: str, text: str) -> None:
        self._call("POST", f"/element/{self.find(css)}/value", {"text": text})

    def text(self, css: str) -> str:
        return self._call("GET", f"/element/{self.find(css)}/text")

    def source(self) -> str:
        return self._call("GET", "/source")

    def wait_for_text(self, css: str, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        seen = ""
        while time.monotonic() < deadline:
            try:
                seen = self.text(css)
                if text in seen:
                    return seen
            except RuntimeError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{text!r} never appeared in {css}: {seen!r}")

    @property
    def url(self) -> str:
        return self._call("GET", "/url")

    def quit(self) -> None:
        try:
            requests.delete(self.session, timeout=10)
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)
