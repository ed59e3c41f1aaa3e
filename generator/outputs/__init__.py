"""What the tool writes: the PDF (template, engine, Thai text layer), the Excel summary, the
feedback workbooks, the district and setup workbooks, the warm PDF worker; every file whole or
not at all (atomic)."""
