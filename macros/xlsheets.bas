Attribute VB_Name = "xlsheets"
' xlsheets: one button, one Python function (xlsheets.excel), called through xlwings RunPython.
' Keep this file ASCII: Japanese Windows reads .bas files as cp932.
' The module name is fixed ("xlsheets"), so a workbook's own (Japanese) name never matters.
Option Explicit

Sub XS_Fill()
    RunPython "import xlsheets.excel as x; x.fill_sheets()"
End Sub

Sub XS_Validate()
    RunPython "import xlsheets.excel as x; x.validate_sheet()"
End Sub

Sub XS_Achievement()
    RunPython "import xlsheets.excel as x; x.compute_achievement()"
End Sub

Sub XS_ClearFindings()
    RunPython "import xlsheets.excel as x; x.clear_findings()"
End Sub

Sub XS_Rollup()
    RunPython "import xlsheets.excel as x; x.build_rollup()"
End Sub

Sub XS_CarryForward()
    RunPython "import xlsheets.excel as x; x.new_year_book()"
End Sub
