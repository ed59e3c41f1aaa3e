"""The figures, pure: the province's groups merged with stable codes, the month's summary with
its ratios and statuses, the charts drawn from them, the national roll-up."""
