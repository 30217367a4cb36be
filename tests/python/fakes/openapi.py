"""Validation of the fake Spotify's answers against the copied OpenAPI description.

The description is ``tests/python/fixtures/spotify_openapi/`` (a subset of Spotify's published
one; see its NOTICE.md). :func:`openapi_validator` loads it once and caches it: every fake
Spotify server of a test run shares the one validator.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

OPENAPI_SUBSET = (
    Path(__file__).parent.parent / "fixtures" / "spotify_openapi" / "spotify-web-api-subset.yml"
)


def openapi_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects as JSON Schema: ``nullable: true`` becomes a null option."""
    if isinstance(node, list):
        return [openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: openapi_to_json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True:
        if "type" in converted and isinstance(converted["type"], str):
            converted["type"] = [converted["type"], "null"]
        else:
            return {"anyOf": [{"type": "null"}, converted]}
    return converted


class OpenApiValidator:
    """Validates response bodies against the responses of the copied OpenAPI description."""

    BASE_URI = "urn:spotify-web-api-subset"

    def __init__(self, path: Path = OPENAPI_SUBSET) -> None:
        with path.open(encoding="utf-8") as handle:
            self.document = openapi_to_json_schema(yaml.safe_load(handle))
        resource = Resource.from_contents(self.document, default_specification=DRAFT7)
        self.registry = Registry().with_resource(self.BASE_URI, resource)
        self.templates = [
            (template, re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"))
            for template in self.document["paths"]
        ]

    def response_pointer(self, api_path: str, status: int) -> str | None:
        """JSON pointer of the schema the answer to ``GET api_path`` with ``status`` must meet."""
        for template, pattern in self.templates:
            if pattern.match(api_path):
                responses = self.document["paths"][template]["get"]["responses"]
                reference = responses.get(str(status), {}).get("$ref")
                if reference is not None:
                    return reference[1:] + "/content/application~1json/schema"
                break
        if status >= 400:
            return "/components/responses/Forbidden/content/application~1json/schema"
        return None

    def errors(self, pointer: str, body: Any) -> list[str]:
        validator = jsonschema.Draft7Validator(
            {"$ref": f"{self.BASE_URI}#{pointer}"}, registry=self.registry
        )
        return [
            f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
            for error in validator.iter_errors(body)
        ]


@functools.cache
def openapi_validator() -> OpenApiValidator:
    """The validator of the committed OpenAPI subset, loaded on first use."""
    return OpenApiValidator()
