"""The roll-up: department and city-wide summary workbooks from any number of sheets.

- ``inputs``: every file under the inputs, accounted for (read, refused, or skipped by a named rule)
- ``extraction``: the per-file step, pure (workbook → records), run in workers or on Dask
- ``workers``: running it over many files (memory-capped processes, or a Dask cluster)
- ``gathered``: the records kept as Arrow columns as they arrive (bounded memory)
- ``duplicates``, ``saved``: workbooks of one department and year holding the same goal, and which
  was saved last (``--duplicates latest``)
- ``tables``, ``status``: the pandas summaries, each within one fiscal year, and 提出状況
- ``workbook``, ``tidy``: the roll-up workbook (XlsxWriter) and the analysis data beside it;
  ``pages`` and ``charts`` write its short sheets and its charts, ``rowstream`` its table rows as
  XML, ``cells`` holds what they share (formats, print setup, small tables)
- ``columns``: 一覧 as one table (``LISTING``: each column's name, where its value comes from, width,
  kind, print area, tidy data), which extraction and every writer read; the other columns, limits and
  order of years they share; ``pipeline``: ``rollup()``, which runs them in turn

``xlsheets.rollup`` is ``pipeline.rollup``; nothing is imported here, so that reading one piece
(say the input scan that ``validate`` uses) does not load pandas or pyarrow.
"""
