"""Library domain: ingest, enrichment, QC and review of media. Imports nothing of ours."""
