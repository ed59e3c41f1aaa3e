"""The rules applied: each file's rows, the province's groups together, and the report audit."""
