"""The picture of a simulation: one lane per stage, a bar per version from the moment Flux applied it
there to the end of its lifecycle (coloured by the app version's state), a lane of the promotion
pushes and one of the controller kills. Drawn by the report's own SVG timeline (harness.report.svg),
and checked in headless Chromium: the page must render every bar, and its screenshot is kept.
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from harness.simulate.journeys import Journey
from harness.report.bars import rfc3339
from harness.report.svg import timeline_svg

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")
PUSHES, KILLS = "Git pushes (promotions)", "controller SIGKILLs"


class PictureError(RuntimeError):
    """Chromium did not render the picture as written; the message says what it saw."""


class BrowserMissing(PictureError):
    """No headless Chromium on this machine: the picture is written but nobody looked at it."""


def lane_bars(journeys: list[Journey], pushes: list[tuple[float, str]], kills: list[float]) -> list[dict]:
    """Bars in the report's timeline format (harness.report.timeline); `pushes` are (time, subject)."""
    bars = []
    for trip in journeys:
        for visit in trip.visits:
            start = visit.applied or visit.created
            if start is None:
                continue
            status = visit.status if visit.completed is not None else "Progressing"
            bars.append({"row": visit.stage, "group": "phase", "start": rfc3339(start),
                         "end": rfc3339(visit.completed) if visit.completed is not None else None, "status": status,
                         "detail": f"{trip.version} in {visit.stage}: {visit.status or 'running'}"
                                   + (f" ({visit.phase})" if visit.phase else "")})
    for at, subject in pushes:
        bars.append({"row": PUSHES, "group": "job", "start": rfc3339(at), "end": rfc3339(at), "status": "Succeeded",
                     "detail": subject})
    for at in kills:
        bars.append({"row": KILLS, "group": "job", "start": rfc3339(at), "end": rfc3339(at), "status": "Failed",
                     "detail": "the implementation was killed with SIGKILL and started again"})
    return bars


def lanes_svg(name: str, bars: list[dict], finished: float) -> str:
    return timeline_svg({"scenario": name, "bars": bars, "recordedAt": rfc3339(finished)}, uid="lanes")


def check_in_chromium(page: Path, screenshot: Path, bars: int) -> str:
    """Render the page in headless Chromium: its DOM must hold every bar, and the screenshot is a
    PNG of the page. Returns what was checked; BrowserMissing without Chromium, PictureError if it
    disagrees."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise BrowserMissing("headless Chromium is not installed (Debian: apt-get install chromium); the picture was "
                           f"written to {page} but not checked")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
        dom = subprocess.run([*common, "--dump-dom", page.resolve().as_uri()], capture_output=True, text=True, timeout=120)
        subprocess.run([*common, f"--screenshot={screenshot}", "--window-size=1400,1000", page.resolve().as_uri()],
                       capture_output=True, text=True, timeout=120)
    drawn = len(re.findall(r'<rect class="bar ', dom.stdout))
    if dom.returncode != 0 or drawn != bars:
        raise PictureError(f"Chromium rendered {drawn} bars of {bars} in {page} (exit {dom.returncode}: "
                           f"{dom.stderr.strip()[-300:]})")
    width, height = _png_size(screenshot)
    return f"Chromium rendered all {bars} bars; screenshot {screenshot.name} ({width}×{height})"


def _png_size(path: Path) -> tuple[int, int]:
    try:
        header = path.read_bytes()[:24]
    except OSError:
        raise PictureError(f"Chromium wrote no screenshot {path}") from None
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise PictureError(f"{path} is not a PNG")
    return struct.unpack(">II", header[16:24])
