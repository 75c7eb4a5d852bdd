"""The one place that runs Git: a runner, batched blob reads, changes between trees, history."""
