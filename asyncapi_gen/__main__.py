"""`python -m asyncapi_gen`: the same command as `asyncapi-gen`."""

from asyncapi_gen.cli import main

main(prog_name="asyncapi-gen")
