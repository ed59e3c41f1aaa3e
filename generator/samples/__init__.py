"""Sample data, not the product: the Chaiyaphum demo, the synthetic nation, the example workbooks."""
