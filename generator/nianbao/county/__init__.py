"""A county's reports: intake of the folders sent in, the county rules (B), the unit list, batch, the summary workbook and the defaults sandbox."""
