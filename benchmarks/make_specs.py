"""Write synthetic AsyncAPI 2.6 documents for the generation benchmark.

A BSS/IoT event catalogue at 1x (100 channels, 310 schemas), 4x and 16x size, each written twice:
as a tree of files joined by relative references, and bundled into one file with the same content.
"""

from __future__ import annotations

import argparse
import posixpath
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "_work" / "specs"
SCALES = (1, 4, 16)
SEED = 20240607

ROOT_FILE = "asyncapi.yaml"
COMMON_FILE = "schemas/common.yaml"
BUNDLED_FILE = "bundled.yaml"

# Ten domains of two entities each make one 1x unit; each further unit is a line of business
# with the same domains, so names stay unique (Customer, MobileCustomer, IotCustomer, ...).
DOMAINS = (
    ("customer", ("Customer", "Account")),
    ("subscription", ("Subscription", "Bundle")),
    ("billing", ("Invoice", "BillRun")),
    ("payment", ("Payment", "Refund")),
    ("ordering", ("ProductOrder", "ServiceOrder")),
    ("catalog", ("ProductOffering", "PricePlan")),
    ("device", ("Device", "Firmware")),
    ("connectivity", ("SimCard", "DataSession")),
    ("usage", ("UsageRecord", "Balance")),
    ("assurance", ("TroubleTicket", "WorkOrder")),
)
LINES_OF_BUSINESS = (
    "", "mobile", "fixed", "iot", "wholesale", "enterprise", "retail", "cable",
    "fiber", "satellite", "partner", "mvno", "energy", "metering", "fleet", "smarthome",
)  # fmt: skip
EVENTS = (
    "created", "updated", "deleted", "suspended", "resumed",
    "migrated", "exported", "validated", "expired", "assigned",
)  # fmt: skip
STATUS_WORDS = (
    "Pending", "Active", "Suspended", "Terminated", "Cancelled", "Completed",
    "Failed", "InProgress", "OnHold", "Expired", "Rejected", "Approved",
)  # fmt: skip
REGIONS = (
    "eu-west",
    "eu-central",
    "us-east",
    "us-west",
    "ap-south",
    "ap-east",
    "latam",
)
SALES_CHANNELS = ("web", "app", "retail", "callcenter", "partner", "b2b-portal", "api")
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "INR", "BRL", "JPY")
EXTRA_FIELDS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("description", {"type": "string", "maxLength": 500}),
    ("priority", {"type": "integer", "minimum": 0, "maximum": 9}),
    ("externalId", {"type": "string", "pattern": "^[A-Z0-9-]{4,32}$"}),
    ("validFrom", {"type": "string", "format": "date-time"}),
    ("validTo", {"type": "string", "format": "date-time"}),
    ("isBundled", {"type": "boolean"}),
    ("version", {"type": "integer", "minimum": 1}),
    ("weight", {"type": "number", "minimum": 0}),
    ("labels", {"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
    ("notes", {"type": "array", "items": {"type": "string", "maxLength": 200}}),
)


@dataclass(frozen=True)
class Ref:
    """A reference to a named value in a file; rendered per layout when the tree is written."""

    file: str
    section: str
    name: str


@dataclass(frozen=True)
class SpecPaths:
    """Where one size was written and what it holds."""

    scale: int
    multi_root: Path
    bundled: Path
    files: int
    channels: int
    schemas: int


def ref(file: str, name: str, section: str = "schemas") -> dict[str, Any]:
    """Return a `$ref` object whose target is resolved when the layout is known."""
    return {"$ref": Ref(file, section, name)}


def pascal(text: str) -> str:
    """Turn `smart-home` or `iot` into `SmartHome` or `Iot`."""
    return "".join(
        part[:1].upper() + part[1:] for part in text.replace("-", " ").split()
    )


def kebab(text: str) -> str:
    """Turn `ProductOrder` into `product-order`."""
    return "".join(
        "-" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(text)
    )


def common_schemas() -> dict[str, Any]:
    """Return the ten schemas every domain shares (envelope, headers, money, address, ...)."""
    here = COMMON_FILE
    return {
        "EventEnvelope": {
            "type": "object",
            "required": ["eventId", "eventType", "eventTime", "tenantId"],
            "properties": {
                "eventId": {"type": "string", "format": "uuid"},
                "eventType": {"type": "string"},
                "eventTime": {"type": "string", "format": "date-time"},
                "tenantId": {"type": "string", "pattern": "^[a-z0-9-]{3,40}$"},
                "correlationId": {"type": "string"},
                "source": {"type": "string", "format": "uri"},
                "severity": ref(here, "Severity"),
            },
        },
        "EventHeaders": {
            "type": "object",
            "required": ["messageId"],
            "properties": {
                "messageId": {"type": "string"},
                "traceparent": {"type": "string", "pattern": "^[0-9a-f-]{55}$"},
                "schemaVersion": {"type": "integer", "minimum": 1},
                "retryCount": {"type": "integer", "minimum": 0, "default": 0},
            },
        },
        "Money": {
            "type": "object",
            "required": ["amount", "currency"],
            "properties": {
                "amount": {"type": "number", "multipleOf": 0.01},
                "currency": ref(here, "Currency"),
            },
        },
        "Currency": {"type": "string", "enum": list(CURRENCIES)},
        "Severity": {
            "type": "string",
            "enum": ["debug", "info", "warning", "critical"],
        },
        "GeoLocation": {
            "type": "object",
            "required": ["latitude", "longitude"],
            "properties": {
                "latitude": {"type": "number", "minimum": -90, "maximum": 90},
                "longitude": {"type": "number", "minimum": -180, "maximum": 180},
                "accuracyMeters": {"type": "number", "minimum": 0},
            },
        },
        "Address": {
            "type": "object",
            "required": ["city", "country"],
            "properties": {
                "lines": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
                "city": {"type": "string"},
                "postcode": {"type": "string"},
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "geo": ref(here, "GeoLocation"),
            },
        },
        "PartyRef": {
            "type": "object",
            "required": ["id", "role"],
            "properties": {
                "id": {"type": "string"},
                "role": {
                    "type": "string",
                    "enum": ["owner", "payer", "user", "reseller"],
                },
                "name": {"type": "string"},
            },
        },
        "TimePeriod": {
            "type": "object",
            "properties": {
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
            },
        },
        "Characteristic": {
            "type": "object",
            "required": ["name", "value"],
            "properties": {
                "name": {"type": "string"},
                "value": {
                    "oneOf": [
                        {"type": "string"},
                        {"type": "number"},
                        {"type": "boolean"},
                    ]
                },
                "unit": {"type": "string"},
            },
        },
    }


@dataclass(frozen=True)
class Domain:
    """One domain of one line of business: its files, names and random source."""

    key: str
    entities: tuple[str, ...]
    seed: int
    rng: random.Random

    @property
    def schema_file(self) -> str:
        return f"schemas/{self.key}.yaml"

    @property
    def message_file(self) -> str:
        return f"messages/{self.key}.yaml"

    @property
    def stem(self) -> str:
        return pascal(self.key)


def domain_schemas(domain: Domain) -> dict[str, Any]:
    """Return the 30 schemas of one domain: 4 shared by its entities, 13 per entity."""
    here = domain.schema_file
    stem = domain.stem
    schemas: dict[str, Any] = {
        f"{stem}Region": {"type": "string", "enum": domain.rng.sample(REGIONS, 4)},
        f"{stem}SalesChannel": {
            "type": "string",
            "enum": domain.rng.sample(SALES_CHANNELS, 4),
        },
        f"{stem}Context": {
            "type": "object",
            "properties": {
                "region": ref(here, f"{stem}Region"),
                "salesChannel": ref(here, f"{stem}SalesChannel"),
                "operator": {"type": "string"},
                "period": ref(COMMON_FILE, "TimePeriod"),
            },
        },
        f"{stem}Metrics": {
            "type": "object",
            "properties": {
                "samples": {"type": "array", "items": {"type": "number"}},
                "counters": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                },
                "lastSeen": {"type": "string", "format": "date-time"},
            },
        },
    }
    for entity in domain.entities:
        schemas.update(entity_schemas(domain, entity))
    return schemas


def entity_schemas(domain: Domain, entity: str) -> dict[str, Any]:
    """Return the 13 schemas of one entity: itself, status, item, ref, 3 changes, 5 payloads."""
    here = domain.schema_file
    schemas = {
        entity: entity_object(domain, entity),
        f"{entity}Status": {
            "type": "string",
            "enum": domain.rng.sample(STATUS_WORDS, domain.rng.randint(3, 6)),
        },
        f"{entity}Item": {
            "type": "object",
            "required": ["itemId", "quantity"],
            "properties": {
                "itemId": {"type": "string"},
                "quantity": {"type": "integer", "minimum": 1},
                "price": ref(COMMON_FILE, "Money"),
                "characteristics": {
                    "type": "array",
                    "items": ref(COMMON_FILE, "Characteristic"),
                },
            },
        },
        f"{entity}Ref": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "href": {"type": "string", "format": "uri"},
                "referredType": {"type": "string", "const": entity},
            },
        },
    }
    schemas.update(change_schemas(here, entity))
    for event in entity_events(domain, entity):
        schemas[payload_name(entity, event)] = event_payload(domain, entity, event)
    return schemas


def entity_object(domain: Domain, entity: str) -> dict[str, Any]:
    """Return the entity itself: nested inline objects, arrays of refs, a few random extras."""
    here = domain.schema_file
    properties: dict[str, Any] = {
        "id": {"type": "string", "format": "uuid"},
        "status": ref(here, f"{entity}Status"),
        "name": {"type": "string", "minLength": 1, "maxLength": 120},
        "createdAt": {"type": "string", "format": "date-time"},
        "updatedAt": {"type": "string", "format": "date-time"},
        "attributes": {
            "type": "object",
            "properties": {
                "location": {
                    "type": "object",
                    "properties": {
                        "site": {"type": "string"},
                        "address": ref(COMMON_FILE, "Address"),
                        "geo": ref(COMMON_FILE, "GeoLocation"),
                    },
                },
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        },
        "items": {"type": "array", "items": ref(here, f"{entity}Item"), "minItems": 0},
        "relatedParties": {"type": "array", "items": ref(COMMON_FILE, "PartyRef")},
        "metrics": ref(here, f"{domain.stem}Metrics"),
        "total": ref(COMMON_FILE, "Money"),
    }
    for name, schema in domain.rng.sample(EXTRA_FIELDS, domain.rng.randint(2, 5)):
        properties[name] = dict(schema)
    return {
        "type": "object",
        "description": f"A {kebab(entity).replace('-', ' ')} as the {domain.key} domain keeps it.",
        "required": ["id", "status", "createdAt"],
        "properties": properties,
    }


def change_schemas(here: str, entity: str) -> dict[str, Any]:
    """Return a oneOf of three change kinds with a discriminator property, and the three kinds."""
    kinds = {
        "Attribute": {
            "field": {"type": "string"},
            "oldValue": {"type": "string"},
            "newValue": {"type": "string"},
        },
        "Status": {
            "from": ref(here, f"{entity}Status"),
            "to": ref(here, f"{entity}Status"),
        },
        "Relation": {
            "target": ref(here, f"{entity}Ref"),
            "action": {"type": "string", "enum": ["added", "removed"]},
        },
    }
    schemas: dict[str, Any] = {
        f"{entity}Change": {
            "oneOf": [ref(here, f"{entity}{kind}Change") for kind in kinds],
            "discriminator": "changeType",
        }
    }
    for kind, fields in kinds.items():
        schemas[f"{entity}{kind}Change"] = {
            "type": "object",
            "required": ["changeType"],
            "properties": {
                "changeType": {"type": "string", "enum": [kebab(kind)]},
                **fields,
            },
        }
    return schemas


def entity_events(domain: Domain, entity: str) -> list[str]:
    """Return the five events of an entity: always created and updated, three drawn at random."""
    # Draw from a generator seeded by the entity name so the events are the same for every
    # caller (schemas, messages, channels) without depending on the order of the calls.
    draw = random.Random(f"{domain.seed}-{entity}")
    return ["created", "updated", *draw.sample(EVENTS[2:], 3)]


def payload_name(entity: str, event: str) -> str:
    return f"{entity}{pascal(event)}Payload"


def message_name(entity: str, event: str) -> str:
    return f"{entity}{pascal(event)}"


def event_payload(domain: Domain, entity: str, event: str) -> dict[str, Any]:
    """Return an allOf of the shared envelope and the event's own data."""
    here = domain.schema_file
    data: dict[str, Any] = {
        "data": ref(here, entity),
        "context": ref(here, f"{domain.stem}Context"),
    }
    if event == "updated":
        data["changes"] = {
            "type": "array",
            "items": ref(here, f"{entity}Change"),
            "minItems": 1,
        }
    else:
        data["previousStatus"] = ref(here, f"{entity}Status")
        data["reason"] = {"type": "string"}
    return {
        "allOf": [
            ref(COMMON_FILE, "EventEnvelope"),
            {"type": "object", "required": ["data"], "properties": data},
        ]
    }


def domain_messages(domain: Domain) -> dict[str, Any]:
    """Return one message per entity event, with headers and payload from the schema files."""
    messages: dict[str, Any] = {}
    for entity in domain.entities:
        for event in entity_events(domain, entity):
            messages[message_name(entity, event)] = {
                "name": message_name(entity, event),
                "title": f"{kebab(entity).replace('-', ' ').capitalize()} {event}",
                "summary": f"A {kebab(entity).replace('-', ' ')} was {event}.",
                "contentType": "application/json",
                "headers": ref(COMMON_FILE, "EventHeaders"),
                "payload": ref(domain.schema_file, payload_name(entity, event)),
            }
    return messages


def domain_channels(domain: Domain) -> dict[str, Any]:
    """Return one channel per entity event; some carry parameters, a fifth are publish."""
    channels: dict[str, Any] = {}
    base = domain.key.replace("-", "/", 1) if "-" in domain.key else domain.key
    for entity in domain.entities:
        for event in entity_events(domain, entity):
            address, parameters = channel_address(
                domain, f"{base}/{kebab(entity)}/{event}"
            )
            operation = "publish" if domain.rng.random() < 0.2 else "subscribe"
            verb = "handle" if operation == "publish" else "on"
            channel: dict[str, Any] = {
                "description": f"{pascal(event)} events of {kebab(entity).replace('-', ' ')}s.",
                operation: {
                    "operationId": f"{verb}{message_name(entity, event)}",
                    "summary": f"{entity} {event}",
                    "tags": [{"name": domain.stem}],
                    "message": ref(
                        domain.message_file, message_name(entity, event), "messages"
                    ),
                },
            }
            if parameters:
                channel["parameters"] = parameters
            channels[address] = channel
    return channels


def channel_address(domain: Domain, path: str) -> tuple[str, dict[str, Any]]:
    """Return the channel address and its parameters: tenant, region or none, at random."""
    roll = domain.rng.random()
    if roll < 0.4:
        return f"tenants/{{tenantId}}/{path}", {
            "tenantId": ref(ROOT_FILE, "tenantId", "parameters")
        }
    if roll < 0.6:
        region = {
            "description": "Deployment region.",
            "schema": ref(domain.schema_file, f"{domain.stem}Region"),
        }
        return f"{path}/{{region}}", {"region": region}
    return path, {}


def root_parameters() -> dict[str, Any]:
    return {
        "tenantId": {
            "description": "Tenant that owns the event.",
            "schema": {"type": "string", "pattern": "^[a-z0-9-]{3,40}$"},
        }
    }


def root_document(scale: int, channels: dict[str, Any]) -> dict[str, Any]:
    """Return the root document: info, servers, channels and shared parameters."""
    return {
        "asyncapi": "2.6.0",
        "id": f"urn:example:bss-iot-catalogue:{scale}x",
        "info": {
            "title": f"BSS and IoT event catalogue ({scale}x)",
            "version": "1.0.0",
            "description": "Synthetic event catalogue for the asyncapi-gen benchmark.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "production": {"url": "broker.example.com:9092", "protocol": "kafka"},
            "edge": {"url": "wss://edge.example.com/events", "protocol": "wss"},
        },
        "channels": channels,
        "components": {"parameters": root_parameters()},
    }


def make_domains(scale: int, seed: int) -> list[Domain]:
    """Return the domains of a size: the ten base domains for each of `scale` lines of business."""
    if not 1 <= scale <= len(LINES_OF_BUSINESS):
        raise ValueError(
            f"scale must be between 1 and {len(LINES_OF_BUSINESS)}, found {scale}"
        )
    domains = []
    for line in LINES_OF_BUSINESS[:scale]:
        for key, entities in DOMAINS:
            full = f"{line}-{key}" if line else key
            named = tuple(pascal(line) + entity for entity in entities)
            domains.append(Domain(full, named, seed, random.Random(f"{seed}-{full}")))
    return domains


def build_tree(scale: int, seed: int) -> dict[str, dict[str, Any]]:
    """Return {relative file path: content} of the multi-file layout, references unresolved."""
    domains = make_domains(scale, seed)
    files: dict[str, dict[str, Any]] = {COMMON_FILE: common_schemas()}
    channels: dict[str, Any] = {}
    for domain in domains:
        files[domain.schema_file] = domain_schemas(domain)
        files[domain.message_file] = domain_messages(domain)
        channels.update(domain_channels(domain))
    files[ROOT_FILE] = root_document(scale, channels)
    return files


def render_refs(value: Any, resolve: Callable[[Ref], str]) -> Any:
    """Return a copy of `value` with each `Ref` turned into its `$ref` string."""
    if isinstance(value, Ref):
        return resolve(value)
    if isinstance(value, dict):
        return {key: render_refs(item, resolve) for key, item in value.items()}
    if isinstance(value, list):
        return [render_refs(item, resolve) for item in value]
    return value


def relative_ref(current: str) -> Callable[[Ref], str]:
    """Return a resolver writing references relative to the file `current`."""

    def resolve(target: Ref) -> str:
        pointer = f"#/{target.name}"
        if target.file == ROOT_FILE:
            pointer = f"#/components/{target.section}/{target.name}"
        if target.file == current:
            return pointer
        return (
            posixpath.relpath(target.file, posixpath.dirname(current) or ".") + pointer
        )

    return resolve


def bundled_ref(target: Ref) -> str:
    return f"#/components/{target.section}/{target.name}"


def bundle(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return one document holding every schema and message under `components`."""
    root = dict(files[ROOT_FILE])
    components: dict[str, Any] = {"schemas": {}, "messages": {}, **root["components"]}
    for path, content in files.items():
        if path.startswith("schemas/"):
            components["schemas"].update(content)
        elif path.startswith("messages/"):
            components["messages"].update(content)
    root["components"] = components
    bundled: dict[str, Any] = render_refs(root, bundled_ref)
    return bundled


def dump_yaml(content: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(
        content, Dumper=dumper, sort_keys=False, width=100, allow_unicode=True
    )
    path.write_text(text, encoding="utf-8")


def write_specs(out: Path, scale: int, seed: int = SEED) -> SpecPaths:
    """Write both layouts of one size under `out/<scale>x/` and return where they are."""
    target = out / f"{scale}x"
    if target.exists():
        shutil.rmtree(target)
    files = build_tree(scale, seed)
    for path, content in files.items():
        dump_yaml(render_refs(content, relative_ref(path)), target / "multi" / path)
    dump_yaml(bundle(files), target / BUNDLED_FILE)
    return SpecPaths(
        scale=scale,
        multi_root=target / "multi" / ROOT_FILE,
        bundled=target / BUNDLED_FILE,
        files=len(files),
        channels=len(files[ROOT_FILE]["channels"]),
        schemas=sum(len(c) for p, c in files.items() if p.startswith("schemas/")),
    )


def iter_written(out: Path, scales: tuple[int, ...], seed: int) -> Iterator[SpecPaths]:
    for scale in scales:
        yield write_specs(out, scale, seed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--scales", type=int, nargs="+", default=list(SCALES))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for spec in iter_written(args.out, tuple(args.scales), args.seed):
        print(
            f"{spec.scale:>2}x: {spec.channels} channels, {spec.schemas} schemas, "
            f"{spec.files} files -> {spec.multi_root.parent} and {spec.bundled.name}"
        )


if __name__ == "__main__":
    main()
