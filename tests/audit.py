"""The report audit as a test helper: every report a test makes must pass it."""

from __future__ import annotations

from generator.figures.audit import audit, audit_national


def assert_report_true(summary, previous=None) -> None:
    findings = audit(summary, previous)
    assert not findings, "the report contradicts itself:\n" + "\n".join(map(str, findings))


def assert_national_true(national) -> None:
    findings = audit_national(national)
    assert not findings, "the national report contradicts itself:\n" + "\n".join(map(str, findings))
