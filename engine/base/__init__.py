"""Foundations every wing may use: the error hierarchy (located problems, exit codes), the limits
on untrusted input, records set aside while a file is checked in one pass, the most recently used
results kept between threads, and the version.

Imports: the standard library and pydantic only; nothing else from ``engine``.
"""
