"""The package version, in one place (the User-Agent, card versions, the API document)."""

__version__ = "0.1.0"
