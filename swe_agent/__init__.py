"""swe-agent: turn an issue and a repository into a reviewed, tested patch."""

__version__ = "0.1.0"
