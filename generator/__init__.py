"""savings-report: monthly reports on savings groups for production (กลุ่มออมทรัพย์เพื่อการผลิต).

The package is a pipeline, one module per stage:

    setup ─► district_template ─► (districts fill) ─► intake ─► validation ─► merge ─► summary ─► render_pdf / render_excel

`pipeline` runs a month from end to end; `cli` only parses arguments and calls it.
"""

__version__ = "0.1.0"
