"""Validator compiler: draft-07 schemas in, the text of generated validator functions out."""

from .compile import ValidatorRoot, ValidatorSet, compile_validators

__all__ = ["ValidatorRoot", "ValidatorSet", "compile_validators"]
