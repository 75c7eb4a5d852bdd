"""Controlled PDF renditions of the manual (SPEC 7b): rendition.py says what is printed; chromium.py prints each
document's PDF and pdfa.py makes it PDF/A-3b; engine.py (WeasyPrint) prints the whole manual; press.py prints many
at once; seal.py signs them with the organisation's key; and build.py caches and orders the PDFs of an edition."""
