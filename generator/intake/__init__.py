"""Untrusted files in: opening returned and setup workbooks safely (safe), their formats,
each file's identity and table (submission), cells to typed rows (parsing)."""
