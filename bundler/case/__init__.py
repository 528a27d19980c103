"""The review's records: models, loading with line numbers, validation and the checklist."""
