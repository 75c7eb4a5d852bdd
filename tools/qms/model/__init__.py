"""Pure model: documents, records, configuration, fingerprints, revisions. No Git."""
