"""Both backends held to the declared contract: every function, same parameters, nothing else public.

Modelled on ibis's ``backends/tests/test_signatures.py``: each backend module is compared with its
source's Protocol (:mod:`opsbook.backends.contract`) by name, parameter names and kinds, defaults
and annotations (as written), and return annotation.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect

import pytest
from opsbook.backends import Backend, backend
from opsbook.backends.contract import AWS_ONLY, CONTRACT, contract_functions
from opsbook.settings import resolve

BACKENDS = ("aws", "local")
MODULES = [
    pytest.param(name, source, id=f"{name}.{source}")
    for source in sorted(CONTRACT)
    for name in BACKENDS
    if name == "aws" or source not in AWS_ONLY
]


def _protocol_signature(protocol: type, function: str) -> inspect.Signature:
    signature = inspect.signature(getattr(protocol, function))
    parameters = list(signature.parameters.values())[1:]  # without self
    return signature.replace(parameters=parameters)


def _defined_here(module: object) -> set[str]:
    """Public functions and classes a module defines itself (not those it imports)."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == module.__name__
    }


@pytest.mark.parametrize(("name", "source"), MODULES)
def test_each_module_offers_exactly_its_protocol(name: str, source: str) -> None:
    module = importlib.import_module(f"opsbook.backends.{name}.{source}")
    wanted = contract_functions(CONTRACT[source])
    assert sorted(module.__all__) == wanted, "__all__ is the contract, nothing else"
    assert _defined_here(module) <= set(wanted), "helpers are private or in helper modules"
    for function in wanted:
        expected = _protocol_signature(CONTRACT[source], function)
        found = inspect.signature(getattr(module, function))
        assert [(p.name, p.kind, p.default, p.annotation) for p in found.parameters.values()] == [
            (p.name, p.kind, p.default, p.annotation) for p in expected.parameters.values()
        ], f"{module.__name__}.{function}{found} is not {CONTRACT[source].__name__}{expected}"
        assert found.return_annotation == expected.return_annotation, function


@pytest.mark.parametrize("source", sorted(AWS_ONLY))
def test_what_only_aws_serves_has_no_local_module_and_is_read_on_aws(source: str) -> None:
    assert importlib.util.find_spec(f"opsbook.backends.local.{source}") is None
    chosen = getattr(backend(resolve(backend="local")), source)
    assert chosen.__name__ == f"opsbook.backends.aws.{source}"


def test_the_selector_types_every_source_by_its_protocol() -> None:
    assert Backend.__annotations__ == {s: p.__name__ for s, p in CONTRACT.items()}
    for name in BACKENDS:
        chosen = backend(resolve(backend=name))
        assert chosen.name == name and chosen.live == (name == "aws")
        assert chosen.logs.__name__ == f"opsbook.backends.{name}.logs"
