"""Controlled PDF renditions of the manual (SPEC 7b): rendition.py says what is printed, engine.py prints it,
build.py caches and orders the PDFs of an edition."""
