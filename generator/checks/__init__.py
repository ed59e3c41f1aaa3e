"""The rules applied to what the districts sent: each file's rows, and the province's groups together."""
