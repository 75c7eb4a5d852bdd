"""Controlled PDF renditions of the manual (SPEC 7b): rendition.py says what is printed, engine.py prints it,
press.py prints many at once in worker processes, seal.py signs them with the organisation's key, and build.py
caches and orders the PDFs of an edition."""
