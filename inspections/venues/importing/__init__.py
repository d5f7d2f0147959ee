"""Importing the venue lists departments keep in Excel or CSV.

The flow, identical for a dry run and a real run (the dry run is undone at the end):
read the file (``files``: XLSX, XLS, or CSV in UTF-8, UTF-8 with BOM, UTF-16 or Windows-1258;
text typed with the old TCVN3 or VNI fonts converted by ``legacy``; the header row found under
any title rows) → map its columns (``columns``: Vietnamese or English
names) → turn each row into the data ``schemas.VenueIn`` validates, or reject it with its
reason (``rows``) → reject duplicates within the file and match each row to an existing
venue (``matching``: registration number, else certificate number, else same name and
address within 50 m) → write through the registry's services, assign the areas of the new
locations for the whole batch, reject rows outside the province or the user's area and
write again without them (``write``), which also makes the rejected-rows file.
"""
