"""Benchmarks of SPEC.md section 8; each module runs as a script (``python bench/<name>.py``)."""
