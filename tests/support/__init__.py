"""Helpers shared by the tests (importable as ``tests.support.…``): no fixtures, no tests."""
