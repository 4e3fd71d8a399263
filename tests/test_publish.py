"""publish: the sheets as a static site with open data. Structure checked with the standard library's
html.parser everywhere (tests/test_publish_browser.py runs axe-core in Chromium where it is installed)."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urldefrag

import jsonschema
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.html_pages import Page
from xlsheets.cli import main
from xlsheets.filling import fill
from xlsheets.publish.opendata import csv_columns
from xlsheets.publish.pipeline import publish
from xlsheets.publish.site import department_order
from xlsheets.reading import read
from xlsheets.samples import sample_dict
from xlsheets.settings import order_departments
from xlsheets.summary.extraction import extract
from xlsheets.summary.tables import frames

ROOT = Path(__file__).resolve().parent.parent
UPDATED = dt.date(2026, 12, 3)
HOSTILE = {
    "department": '福祉部<script>window.__pwned = 1</script>',
    "title": '"><img src=x onerror="window.__pwned = 2">',
    "item": '<a href="javascript:window.__pwned = 3">リンク</a>',
    "method": "<svg onload=\"window.__pwned = 4\"></svg></td></tr></table><h1>偽の見出し</h1>",
    "target": "{{ 7 * 7 }} {% raw %} 40人以上",
    "issues": "<style>body { display: none }</style>&amp; &lt;b&gt; <!-- a comment -->",
}
# every element a page may hold: nothing that runs, embeds or loads
ALLOWED_TAGS = {"html", "head", "meta", "title", "link", "body", "a", "header", "p", "nav", "ol", "ul", "li", "span",
                "main", "h1", "h2", "h3", "dl", "dt", "dd", "div", "section", "table", "caption", "thead", "tbody",
                "tr", "th", "td", "footer", "time", "figure", "figcaption", "svg", "desc", "line", "rect", "text"}


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.fixture(scope="module")
def site(sample_books, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("publish") / "site"
    publish([sample_books["fy2020"], sample_books["fy2024"]], out, updated=UPDATED, jobs=1)
    return out


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory) -> Path:
    data = copy.deepcopy(sample_dict("fy2024"))
    data["department"] = HOSTILE["department"]
    goal = data["goals"][0]
    goal["title"], goal["current_issues"] = HOSTILE["title"], HOSTILE["issues"]
    goal["items"][0]["title"] = HOSTILE["item"]
    sub = goal["items"][0]["subitems"][0]
    sub["method"], sub["target"] = HOSTILE["method"], HOSTILE["target"]
    return fill(data, tmp_path_factory.mktemp("hostile") / "hostile.xlsx").path


@pytest.fixture(scope="module")
def hostile_site(hostile_book, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("publish-hostile") / "site"
    publish([hostile_book], out, updated=UPDATED, jobs=1)
    return out


def test_publishing_the_two_samples_writes_a_page_per_year_department_and_goal(site):
    names = sorted(str(p.relative_to(site)) for p in pages(site))
    dept = next(p.name for p in (site / "2020").iterdir() if p.is_dir())
    assert names == sorted(["index.html", "2020/index.html", "2024/index.html",
                            *(f"{fy}/{dept}/{n}.html" for fy in (2020, 2024) for n in ("index", "g1", "g2", "g3", "g4"))])
    assert {p.name for p in (site / "data").iterdir()} == {"goals-2020.csv", "goals-2020.json", "goals-2024.csv",
                                                           "goals-2024.json"}


def test_every_page_has_lang_a_title_one_h1_landmarks_and_simple_data_tables(site, hostile_site):
    failures = {}
    for p in [*pages(site), *pages(hostile_site)]:
        page = Page.read(p)
        if page.problems():
            failures[str(p)] = page.problems()
        if p.name != "index.html" or p.parent.name in ("2020", "2024"):
            assert page.tables, f"{p} has no data table"
    assert not failures


def test_the_structural_check_fails_a_table_without_headers_or_with_merged_cells(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<html lang="en"><body><table><tr><td rowspan="2">1</td></tr></table></body></html>',
                   encoding="utf-8")
    said = " / ".join(Page.read(bad).problems())
    for problem in ('lang is \'en\'', "no title", "0 h1", "no main", "no caption", "no thead", "rowspan/colspan"):
        assert problem in said


def test_every_link_stays_inside_the_site_and_reaches_a_page_or_an_anchor(site, hostile_site):
    for s in (site, hostile_site):
        for p in pages(s):
            for link in Page.read(p).links:
                path, anchor = urldefrag(link)
                assert (path or anchor) and ":" not in path and not path.startswith("/"), f"{p}: {link}"
                target = (p.parent / path).resolve() if path else p.resolve()  # "#main": this page
                assert target.is_file() and target.is_relative_to(s.resolve()), f"{p}: {link}"
                if anchor:
                    assert anchor in Page.read(target).ids, f"{p}: {link}"


def test_no_page_holds_anything_that_runs(site, hostile_site):
    for p in [*pages(site), *pages(hostile_site)]:
        page = Page.read(p)
        assert set(page.tags) <= ALLOWED_TAGS, f"{p}: {set(page.tags) - ALLOWED_TAGS}"
        assert not [a for a in page.attributes if a[1].startswith("on") or a[1] == "style"], p


def test_texts_from_a_sheet_are_shown_as_written(hostile_site):
    goal = Page.read(hostile_site / "2024" / _dept(hostile_site) / "g1.html")
    assert goal.h1 == [HOSTILE["title"]]
    text = goal.all_text
    for said in HOSTILE.values():
        assert said in text, said
    assert goal.count("h1") == 1 and goal.count("img") == 0 and goal.count("style") == 0
    year = Page.read(hostile_site / "2024" / "index.html")  # the department name in a chart's text too
    assert year.all_text.count(HOSTILE["department"]) >= 3


def _dept(site: Path) -> str:
    return next(p.name for p in (site / "2024").iterdir() if p.is_dir())


def _table(page: Page, caption_start: str):
    return next(t for t in page.tables if t.caption.startswith(caption_start))


def test_a_goal_page_shows_each_sub_item_with_its_reports_rate_basis_and_grade(site, sample_books):
    goal = read(sample_books["fy2020"]).goals[2]  # 地域包括ケア…: 19 sub-items, rates and a 1300 %
    page = Page.read(site / "2020" / _dept(site).replace("2024", "2020") / "g3.html")
    assert page.h1 == [goal.title]
    rows = [[c.text for c in row] for row in _table(page, "取組").body_rows]
    expected = [[s.method, s.period, s.target, s.midterm, s.final] for _i, s in goal.subitems()]
    assert [r[1:6] for r in rows] == expected
    assert rows[3][0] == f"②(1) {goal.items[1].title}"  # the row header: 取組項目 with its numbers
    assert rows[3][6] == "中間 20%期末 40%根拠: 期末 実績 2か所（通所2か所） ÷ 目標 5か所（通所5か所）"
    assert rows[3][7] == "× 未達成"
    assert [r[7] for r in rows if r[0].startswith("⑤(1)")] == ["◎ 達成"]  # 1300 %: the list keeps it
    assert any("期末 1,300%" in r[6] for r in rows)
    assert rows[0][6] == "中間 なし期末 なし" and rows[0][7] == "－ 測定不能"


def test_a_goal_page_gives_its_header_fields_and_notes_as_definition_lists(site, sample_books):
    goal = read(sample_books["fy2020"]).goals[0]
    page = Page.read(site / "2020" / _dept(site) / "g1.html")
    assert page.count("dl") >= 2 and page.count("dt") >= 5
    for text in (goal.current_issues, goal.purpose, goal.positioning["comprehensive_plan"],
                 "現況・課題", "目的・効果", "特記事項", "取組による効果・残された課題"):
        assert text and text in page.all_text


def test_every_page_states_its_update_date_source_workbooks_and_both_era_names(site):
    for p in pages(site):
        text = Page.read(p).all_text
        assert "更新日2026年12月3日" in text.replace("\n", ""), p
        years = ["2020"] if "2020/" in str(p) else ["2024"] if "2024/" in str(p) else ["2020", "2024"]
        for fy in years:
            assert f"fy{fy}.xlsx" in text, p
        assert "令和2年度（2020）" in text and "令和6年度（2024）" in text, p  # the open data links


def test_every_page_links_to_each_years_csv_and_json(site):
    for p in pages(site):
        links = {(p.parent / link).resolve() for link in Page.read(p).links}
        for name in ("goals-2020.csv", "goals-2020.json", "goals-2024.csv", "goals-2024.json"):
            assert (site / "data" / name).resolve() in links, (p, name)


def _csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


def test_the_csv_has_a_row_per_sub_item_with_the_roll_up_columns_ids_and_numbers_as_numbers(site, sample_books):
    rows = _csv(site / "data" / "goals-2020.csv")
    assert list(rows[0]) == csv_columns()
    rec = extract(str(sample_books["fy2020"]))
    assert len(rows) == len(rec["rows"]) == 45
    assert {r["年度"] for r in rows} == {"2020"} and {r["ファイル"] for r in rows} == {"fy2020.xlsx"}
    money = next(r for r in rows if "目標調達額" in r["数値目標"])
    assert (money["目標値"], money["期末達成率"], money["中間達成率"]) == ("10000000", "49", "")
    for row, want in zip(rows, rec["rows"], strict=True):  # the roll-up's own values, in the site's order
        assert row["方法・手段"] == want["方法・手段"] and row["判定"] == want["判定"] and row["根拠"] == want["根拠"]
        assert row["期末達成率"] == ("" if want["期末達成率"] is None else str(want["期末達成率"]))


def test_each_csv_row_links_to_its_row_on_a_goal_page(site):
    for row in _csv(site / "data" / "goals-2024.csv"):
        path, anchor = urldefrag(row["ページ"])
        page = Page.read(site / path)
        assert anchor in page.ids and row["方法・手段"] in page.all_text
        assert row["取組ID"].startswith(f"2024-{row['部局ID']}-g")


def test_the_json_holds_each_workbook_as_a_document_of_the_interchange_schema(site, sample_books):
    schema = json.loads((ROOT / "schema" / "xlsheets.schema.json").read_text(encoding="utf-8"))
    for fy in ("fy2020", "fy2024"):
        docs = json.loads((site / "data" / f"goals-{fy[2:]}.json").read_text(encoding="utf-8"))
        for doc in docs:
            jsonschema.validate(doc, schema)
        assert docs == [read(sample_books[fy]).to_dict()]


def test_the_summary_page_charts_say_their_numbers_and_a_table_repeats_them(site, sample_books):
    page = Page.read(site / "2020" / "index.html")
    svg_labels = [v for tag, name, v in page.attributes if tag == "svg" and name == "aria-labelledby"]
    assert len(svg_labels) == 2 and all(set(v.split()) <= page.ids for v in svg_labels)
    city = frames([extract(str(sample_books["fy2020"]))]).summary.iloc[-1]
    grades = [[c.text for c in row] for row in _table(page, "令和2年度（2020） 判定の件数").body_rows]
    assert grades == [[g, f"{city[g]}件"] for g in ("◎", "○", "△", "×", "－")]
    assert f"◎ {city['◎']}件、○ {city['○']}件" in page.all_text  # the chart's text alternative
    rates = [[c.text for c in row] for row in _table(page, "令和2年度（2020） 部局別の平均達成率").body_rows]
    assert rates == [["福祉部", "64.1%"]]


def test_departments_come_in_the_roll_ups_order():
    names = ["第10部", "第2部", "第１部", "福祉部", "健康部"]
    assert department_order(names) == ["健康部", "第１部", "第2部", "第10部", "福祉部"]  # ケン ダイ フク; 1 2 10
    assert department_order(names, ["福祉部", "第10部"]) == ["福祉部", "第10部", "健康部", "第１部", "第2部"]
    assert department_order(names) == order_departments(names)  # one order for the roll-up and the pages


def test_the_index_follows_the_citys_order_from_the_workbooks_settings_sheet(tmp_path):
    books = []
    for name in ("第2部", "福祉部", "第10部"):
        path = fill(sample_dict("fy2020") | {"department": name}, tmp_path / f"{name}.xlsx").path
        wb = load_workbook(path)
        wb.create_sheet("xlsheets設定").append(["部局順", "福祉部", "第10部", "第2部"])
        wb.save(path)
        books.append(path)
    publish(books, tmp_path / "site", jobs=1)
    text = Page.read(tmp_path / "site" / "index.html").all_text
    assert text.index("福祉部") < text.index("第10部") < text.index("第2部")


def test_the_index_lists_departments_in_natural_order_and_goals_by_priority(sample_books, tmp_path):
    books = []
    for name in ("第10部", "第2部"):
        data = sample_dict("fy2020") | {"department": name}
        data["goals"] = list(reversed(data["goals"]))  # the sheets out of priority order
        books.append(fill(data, tmp_path / f"{name}.xlsx").path)
    out = tmp_path / "site"
    publish(books, out, jobs=1)
    text = Page.read(out / "index.html").all_text
    assert text.index("第2部") < text.index("第10部")
    titles = [g["title"] for g in sample_dict("fy2020")["goals"]]
    at = [text.index(t, text.index("第2部")) for t in titles]
    assert at == sorted(at)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_publish_one_department_from_the_command_line(sample_books, tmp_path):
    res = run("publish", sample_books["fy2024"], "-o", tmp_path / "site", "--title", "上田市の重点目標")
    assert res.exit_code == 0, res.output
    assert "ページ 7・年度 1・部局 1・重点目標 4" in res.output and "読込 1 冊" in res.output
    assert "上田市の重点目標" in Page.read(tmp_path / "site" / "index.html").title


def test_an_existing_site_is_replaced_only_with_force(sample_books, tmp_path):
    out = tmp_path / "site"
    assert run("publish", sample_books["fy2024"], "-o", out).exit_code == 0
    (out / "old.html").write_text("前の版", encoding="utf-8")
    res = run("publish", sample_books["fy2020"], "-o", out)
    assert res.exit_code == 2 and "--force" in res.output and (out / "old.html").exists()
    res = run("publish", sample_books["fy2020"], "-o", out, "--force")
    assert res.exit_code == 0, res.output
    assert not (out / "old.html").exists() and (out / "2020" / "index.html").exists()
    assert not (out / "2024").exists() and not list(tmp_path.glob(".xlsheets-*"))


def test_a_folder_of_other_files_is_never_replaced_even_with_force(sample_books, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "memo.txt").write_text("利用者のファイル", encoding="utf-8")
    res = run("publish", sample_books["fy2024"], "-o", out, "--force")
    assert res.exit_code == 2 and "置き換えません" in res.output.splitlines()[0]
    assert [p.name for p in out.iterdir()] == ["memo.txt"]


def test_an_unreadable_workbook_is_reported_and_the_rest_published(sample_books, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    res = run("publish", sample_books["fy2020"], broken, "-o", tmp_path / "site")
    assert res.exit_code == 0 and "取込エラー 1 冊" in res.output and "broken.xlsx" in res.output
    assert "broken" not in "".join(Page.read(p).all_text for p in pages(tmp_path / "site"))
    res = run("publish", broken, "-o", tmp_path / "nothing")
    assert res.exit_code == 2 and "公開用のサイトは作りませんでした" in res.output
    assert not (tmp_path / "nothing").exists()


def test_the_wheel_carries_the_templates_and_stylesheets(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (whl,) = tmp_path.glob("xlsheets-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    for name in ("base.html", "macros.html", "index.html", "year.html", "department.html", "goal.html",
                 "style.css", "print.css"):
        assert f"xlsheets/publish/templates/{name}" in names


# ---------------------------------------------------------------- in a real browser (skipped without one)


def _browser() -> tuple[str, str, Path]:
    """(node, chromium, node_modules) or a skip saying what is missing."""
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed: the browser check (axe-core in Chromium) needs it")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium with apt)")
    modules = ROOT / ".cache" / "browser" / "node_modules"
    if not (modules / "axe-core" / "axe.min.js").is_file() or not (modules / "puppeteer-core").is_dir():
        pytest.skip("the npm packages axe-core and puppeteer-core are not installed (.ci/run installs them into "
                    ".cache/browser)")
    return node, chromium, modules


@pytest.fixture(scope="module")
def in_browser(site, hostile_site) -> dict[Path, dict]:
    """Every page of both sites opened in Chromium with axe-core run on it: page → result."""
    node, chromium, modules = _browser()
    files = [str(p) for p in [*pages(site), *pages(hostile_site)]]
    proc = subprocess.run([node, str(ROOT / "tests" / "browser_check.js"), str(modules), chromium, *files],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {Path(r["file"]): r for r in json.loads(proc.stdout)}


def test_axe_core_finds_no_wcag_a_or_aa_violation_on_any_page(in_browser, site):
    assert len(in_browser) == len(pages(site)) + 7
    said = {str(p): r["violations"] for p, r in in_browser.items() if r["violations"]}
    assert not said, json.dumps(said, ensure_ascii=False, indent=1)
    for p, r in in_browser.items():
        assert "color-contrast" in r["passed"] and "html-has-lang" in r["passed"], p
        if p.name.startswith("g"):  # a goal page: its 取組 table was checked for header cells
            assert "td-has-header" in r["passed"], p
        # what axe leaves for a person to review: only the contrast of symbols and short texts (①(1), ◎, 5) and of the
        # charts' SVG text, whose background it cannot see (both are #1a1a1a on white or #f6f8fb: 16:1)
        unsure = [(i["id"], node.split(": ", 1)[1]) for i in r["incomplete"] for node in i["nodes"]]
        assert set(unsure) <= REVIEWED, (p, unsure)


REVIEWED = {("color-contrast", "Element content contains only non-text characters"),
            ("color-contrast", "Element content is too short to determine if it is actual text content"),
            ("color-contrast", "Element's background color could not be determined because element contains an "
                               "image node")}


def test_hostile_texts_do_nothing_in_a_browser_and_read_as_written(in_browser, hostile_site):
    for p in pages(hostile_site):
        r = in_browser[p]
        assert (r["pwned"], r["scripts"], r["images"]) == (None, 0, 0), p
    goal = in_browser[hostile_site / "2024" / _dept(hostile_site) / "g1.html"]
    for said in HOSTILE.values():
        assert " ".join(said.split()) in " ".join(goal["text"].split()), said


def test_a_department_split_over_two_workbooks_is_one_page_with_both_names(tmp_path):
    data = sample_dict("fy2024")
    books = [fill(data | {"goals": data["goals"][:2]}, tmp_path / "前半.xlsx").path,
             fill(data | {"goals": data["goals"][2:]}, tmp_path / "後半.xlsx").path]
    res = publish(books, tmp_path / "site", jobs=1)
    assert (res.departments, res.goals, res.duplicates) == (1, 4, [])
    page = Page.read(tmp_path / "site" / "2024" / _dept(tmp_path / "site") / "index.html")
    assert "前半.xlsx、後半.xlsx" in page.all_text or "後半.xlsx、前半.xlsx" in page.all_text
    assert [c.text for c in (row[1] for row in _table(page, "福祉部の重点目標").body_rows)] == [
        g["title"] for g in data["goals"]]


def test_the_nu_html_checker_finds_no_error_in_any_page_or_stylesheet(site, hostile_site):
    """Optional: the W3C's Nu HTML Checker (npm vnu-jar), where Java is installed."""
    java = shutil.which("java")
    if not java:
        pytest.skip("Java is not installed: the Nu HTML Checker (vnu.jar) needs it")
    jar = ROOT / ".cache" / "browser" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        pytest.skip("the npm package vnu-jar is not installed (.ci/run installs it into .cache/browser where Java is)")
    files = [*pages(site), *pages(hostile_site), site / "style.css", site / "print.css"]
    proc = subprocess.run([java, "-jar", str(jar), "--stdout", "--format", "json", "--also-check-css",
                           *map(str, files)], capture_output=True, text=True, timeout=600)
    messages = json.loads(proc.stdout)["messages"]
    errors = [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert not errors, json.dumps(errors, ensure_ascii=False, indent=1)
