"""What the tool writes: the PDF (template, engine, Thai text layer), the Excel summary, the
feedback workbooks, the district workbook, the warm PDF worker."""
