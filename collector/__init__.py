"""Ingestion: the HTTP API model services and pipelines report to, its durable spool, and the
batch writer that moves accepted events from the spool into the store."""
