"""asyncapi-gen: generate a typed, validating Python package from an AsyncAPI 2.x document."""

__version__ = "0.1.0"
