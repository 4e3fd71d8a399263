"""Publishing: the sheets as a static web site with no script (pages for the years, departments
and goals, the roll-up's figures with SVG charts) and the open data beside it.

- ``sources``: the workbooks read through the roll-up's own steps (xlsheets.summary)
- ``site``: the pages as values (years → departments → goals) and their paths; the department order
- ``figures``, ``charts``: the roll-up's tables as the pages' data tables and bar charts
- ``opendata``: the per-year CSV and JSON
- ``pages``: the Jinja2 templates (``templates/``, autoescaped) rendered into a folder
- ``folder``: the output folder, checked first and swapped into place; ``pipeline``: ``publish()``
"""
