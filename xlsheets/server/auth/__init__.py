"""xlwings Server auth providers of this project (xlwings Server imports ``auth.<provider>`` first)."""
