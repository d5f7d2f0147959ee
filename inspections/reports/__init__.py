"""Periodic reports of the plan: indicators, values entered by units, the report of a window
and an area (page, API, XLSX, PDF from one computed Report), sending and freezing, the
reporting calendar."""
