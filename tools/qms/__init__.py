"""Document control for an ISO 9001 quality management system that lives in a Git repository."""

__version__ = "0.1.0"
