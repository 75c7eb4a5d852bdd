"""One module per CLI command: parse, call the model and rules, print, return an exit code."""
