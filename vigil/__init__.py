"""The top layer: configuration loading, the CLI, and the composition of serve and demo."""

__version__ = "0.1.0"
