"""Publish the two samples and take a picture of a goal page with headless Chromium, for the README.

    python scripts/render_site_picture.py docs/images/publish-goal.png [--zoom 2]

--zoom 2 renders the page as at 200 % (half the CSS width, twice the pixels) to look at, not for the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1100, 1500  # CSS pixels at 100 %: the header fields and the first rows of the 取組 table


def main(out: Path, zoom: int) -> None:
    from PIL import Image

    from xlsheets.filling import fill
    from xlsheets.publish.pipeline import publish
    from xlsheets.samples import sample_dict

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        book = fill(sample_dict("fy2020"), Path(tmp) / "fy2020.xlsx").path
        site = Path(tmp) / "site"
        publish([book], site, updated=dt.date(2026, 12, 3), jobs=1)
        page = next((site / "2020").glob("d*/g4.html"))  # 生活困窮者の自立…: rates with their 根拠
        shot = Path(tmp) / "shot.png"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
                        f"--force-device-scale-factor={zoom}", f"--window-size={WIDTH // zoom},{HEIGHT}",
                        f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True, timeout=120)
        Image.open(shot).convert("RGB").quantize(64).save(out, optimize=True)
    print(out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--zoom", type=int, default=1)
    args = parser.parse_args()
    main(args.out, args.zoom)
