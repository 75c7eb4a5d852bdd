"""`make bench`: performance of the qms tools measured against floors in the same run."""
