"""The access layer: workbooks as files (calamine to read, openpyxl to write, checks before opening,
atomic saving, lock files) and as a live Excel book (xlwings), all behind the small cell interface of
:mod:`xlsheets.io.grid` that the core works on. Nothing here knows the form."""
