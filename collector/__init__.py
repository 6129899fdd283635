"""Ingestion: the HTTP API model services send prediction events and labels to."""
