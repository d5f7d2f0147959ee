"""The legal catalogue and the violations recorded at inspections."""
