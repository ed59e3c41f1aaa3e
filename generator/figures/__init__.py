"""The figures, pure: the province's groups merged with stable codes, the groups carried from the
last accepted month, the month's summary with its ratios and statuses, the charts drawn from them,
the comparison across fiscal years, the national roll-up, and the audit every report passes."""
