"""Screenshots of the screens a tour walks through (the README shows them).

Odoo 18's tours take screenshots only when a step fails. A step made with ``screenshot(name)``
(static/src/tests/tours/tour_screenshots.js) logs ``marketplace-screenshot:<name>`` to the
browser console and waits; the console handler of Odoo's ChromeBrowser, patched here for the
tour, captures the page (Chrome DevTools ``Page.captureScreenshot``), writes
``<prefix><name>.png`` and tells the page to go on.

The PNGs go to the folder named by the environment variable ``SMC_SCREENSHOTS`` (relative to
the add-on), e.g. ``make screenshots`` writes ``static/description/screenshots/``; without it to
a temporary folder, so that ``make test`` checks the screenshots are taken without rewriting
tracked files.
"""

import base64
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from unittest.mock import patch

from odoo.tests.common import ChromeBrowser

SIGNAL = "marketplace-screenshot:"
ADDON_DIR = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ScreenshotTourMixin:
    """For HttpCase: ``start_tour_with_screenshots`` runs a tour and returns the PNGs taken."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = os.environ.get("SMC_SCREENSHOTS")
        if folder:
            cls.screenshot_dir = (ADDON_DIR / folder).resolve()
            cls.screenshot_dir.mkdir(parents=True, exist_ok=True)
        else:
            cls.screenshot_dir = Path(tempfile.mkdtemp(prefix="smc_screenshots_"))
            cls.addClassCleanup(shutil.rmtree, cls.screenshot_dir, ignore_errors=True)

    def start_tour_with_screenshots(self, url_path, tour_name, prefix, **kwargs):
        """Run the tour; returns {name: path} of the screenshots its steps asked for."""
        taken, errors = {}, []
        original = ChromeBrowser._handle_console

        def handle_console(browser, type, args=None, stackTrace=None, **kw):
            if type == "log" and args:
                text = browser._from_remoteobject(args[0])
                if isinstance(text, str) and text.startswith(SIGNAL):
                    self._capture(browser, text[len(SIGNAL) :], prefix, taken, errors)
                    return None
            return original(browser, type, args=args, stackTrace=stackTrace, **kw)

        with patch.object(ChromeBrowser, "_handle_console", handle_console):
            self.start_tour(url_path, tour_name, **kwargs)
        self.assertFalse(errors, "screenshots that failed")
        return taken

    def _capture(self, browser, name, prefix, taken, errors):
        if not re.fullmatch(r"[a-z0-9_]+", name):
            errors.append(f"bad screenshot name {name!r}")
            name = "invalid"
        path = self.screenshot_dir / f"{prefix}{name}.png"

        def write(future):
            try:
                data = base64.b64decode(future.result()["data"], validate=True)
                path.write_bytes(data)
                taken[name] = path
            except Exception as exc:  # reported by the test, the tour must go on
                errors.append(f"{name}: {exc}")
            finally:
                browser._websocket_send(
                    "Runtime.evaluate",
                    params={"expression": f"window.marketplaceScreenshot = {json.dumps(name)}"},
                )

        browser._websocket_send("Page.captureScreenshot", with_future=True).add_done_callback(write)

    def assertScreenshots(self, taken, names):
        self.assertEqual(sorted(taken), sorted(names))
        for path in taken.values():
            with path.open("rb") as file:
                self.assertEqual(file.read(8), PNG_MAGIC, path)
            self.assertGreater(path.stat().st_size, 10_000, f"{path} is too small for a screen")
