"""Build the official template files in templates/ from xlsheets.template (run after changing it)."""

from pathlib import Path

from xlsheets.template import write_templates

if __name__ == "__main__":
    for p in write_templates(Path(__file__).resolve().parent.parent / "templates"):
        print("built", p)
