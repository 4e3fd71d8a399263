"""The roll-up: department and city-wide summary workbooks from any number of sheets.

- ``inputs``: every file under the inputs, accounted for (read, refused, or skipped by a named rule)
- ``extraction``: the per-file step, pure (workbook → records), run in workers or on Dask
- ``workers``: running it over many files (memory-capped processes, or a Dask cluster)
- ``gathered``: the records kept as Arrow columns as they arrive (bounded memory)
- ``duplicates``, ``tables``: the checks across workbooks and the pandas summaries
- ``workbook``, ``tidy``: the roll-up workbook (XlsxWriter) and the analysis data beside it
- ``columns``: the columns and limits they share; ``pipeline``: ``rollup()``, which runs them in turn

``xlsheets.rollup`` is ``pipeline.rollup``; nothing is imported here, so that reading one piece
(say the input scan that ``validate`` uses) does not load pandas or pyarrow.
"""
