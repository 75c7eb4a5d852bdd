"""The MkDocs plugin `qms`: publishes exactly the documents that are effective."""
