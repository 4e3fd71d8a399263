"""Convert the seed transcriptions (../shared/seeds/structured) into xlsheets' own format.

Run by a developer when the transcriptions change; the output in xlsheets/data/ is
committed, so the package never needs ../shared at run or test time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds" / "structured"
POS = {
    "comprehensive_plan": "comprehensive_plan",
    "regional_revitalization_strategy": "regional_strategy",
    "sdgs": "sdgs",
    "admin_fiscal_reform": "admin_reform",
    "reconstruction_plan": "reconstruction_plan",
}
CIRCLED = [chr(c) for c in range(0x2460, 0x2474)]


def text(v) -> str:
    """A seed field: plain text, {text: ...} (FY2024) or {value: ...} (positioning)."""
    if v is None:
        return ""
    if isinstance(v, dict):
        if "value" in v:
            return text(v["value"])
        return v.get("text") or ""
    return str(v)


def number(no: str) -> int:
    no = no.strip()
    if no in CIRCLED:
        return CIRCLED.index(no) + 1
    return int(no.strip("()（）"))


def convert(path: Path) -> dict:
    src = json.loads(path.read_text(encoding="utf-8"))
    goals = []
    for g in src["goals"]:
        items = []
        for it in g["items"]:
            subs = []
            for s in it.get("subitems", []):
                sub = {"no": number(s["no"])}
                for f in ("method", "period", "target", "midterm", "final"):
                    sub[f] = text(s.get(f))
                bullets = text(s.get("method_bullets"))
                if bullets:
                    sub["method"] += "\n" + "\n".join("・" + b for b in bullets.split("\n"))
                subs.append(sub)
            if it.get("target_unsplit") and subs and not subs[0]["target"]:
                subs[0]["target"] = it["target_unsplit"]  # one target for the whole item
            items.append({"no": number(it["no"]), "title": text(it.get("title")), "subitems": subs})
        goals.append({
            "priority": g["priority"],
            "title": text(g["title"]),
            "positioning": {POS[k]: text(v) for k, v in g["positioning"].items() if k in POS},
            "current_issues": text(g["current_issues"]),
            "purpose": text(g["purpose"]),
            "items": items,
            "notes": {k: text(g["notes"].get(k)) for k in ("participation", "effects")},
        })
        for k in POS.values():
            goals[-1]["positioning"].setdefault(k, "")
    return {"fiscal_year": src["fiscal_year_western"], "department": src["department"], "goals": goals}


if __name__ == "__main__":
    out = ROOT / "xlsheets" / "data"
    for name in ("fy2020", "fy2024"):
        doc = convert(SEEDS / f"{name}.json")
        (out / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", out / f"{name}.json", file=sys.stderr)
