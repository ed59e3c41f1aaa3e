"""The pure vocabulary and models every stage shares: tables and columns (schema), months and
fiscal years (periods), readers of typed values, problems, the rule catalogue, the words users see,
the statuses, and the province's model. No files, no clock, no workbook library."""
