//! Custom resources: schemas the user provides in site.toml's `[snippets]`.
//!
//! - `schema_dirs`: folders of JSON Schemas in kubeconform's naming, `{kind}_{version}.json` in
//!   lower case, optionally inside a folder named after the API group (the layout of the public
//!   CRDs catalog): `schemas/kustomize.toolkit.fluxcd.io/kustomization_v1.json`.
//! - `crds`: CustomResourceDefinition manifests (files, or folders of `.yaml`/`.yml`), whose
//!   `spec.versions[].schema.openAPIV3Schema` galley turns into a strict JSON Schema the way
//!   kubeconform's converter does: `additionalProperties: false` on every object that neither
//!   sets it nor preserves unknown fields, `nullable` and `x-kubernetes-int-or-string` mapped to
//!   JSON Schema types.
//!
//! Only file names are read at start-up (the cache fingerprint is their sizes and times);
//! schemas are parsed and compiled when a manifest first needs them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value, json};
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, Error, Result};
use crate::snippets::SnippetConfig;
use crate::snippets::schema::{Compiled, Lazy, Shared};

/// (group, version, lower-case kind).
type Key = (String, String, String);
/// (lower-case kind, version) -> every file of that name: (group folder if any, path).
type FileIndex = HashMap<(String, String), Vec<(Option<String>, PathBuf)>>;

pub struct CustomSchemas {
    files: FileIndex,
    crd_files: Vec<PathBuf>,
    crds: OnceLock<HashMap<Key, Value>>,
    compiled: Lazy<Key, Option<Shared>>,
    /// Sizes and modification times of every schema file, for cache keys.
    pub fingerprint: String,
}

impl CustomSchemas {
    /// Lists the configured schema files; a configured folder or file that does not exist is
    /// an error (a typo in site.toml must not silently turn validation off).
    pub fn discover(
        root: &Path,
        settings: &SnippetConfig,
    ) -> Result<(CustomSchemas, Vec<Diagnostic>)> {
        let mut files = FileIndex::new();
        let mut stamps = Vec::new();
        for dir in &settings.schema_dirs {
            let path = root.join(dir);
            if !path.is_dir() {
                return Err(missing("schema_dirs", dir));
            }
            for entry in WalkDir::new(&path)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                let file = entry.path();
                let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                let Some(stem) = name.strip_suffix(".json") else {
                    continue;
                };
                let Some((kind, version)) = stem.rsplit_once('_') else {
                    continue;
                };
                let group = file
                    .parent()
                    .filter(|p| *p != path)
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str())
                    .map(str::to_owned);
                stamps.push(stamp(file));
                files
                    .entry((kind.to_lowercase(), version.to_owned()))
                    .or_default()
                    .push((group, file.to_path_buf()));
            }
        }
        let mut crd_files = Vec::new();
        for item in &settings.crds {
            let path = root.join(item);
            if path.is_file() {
                crd_files.push(path);
            } else if path.is_dir() {
                for entry in WalkDir::new(&path)
                    .sort_by_file_name()
                    .into_iter()
                    .flatten()
                {
                    let ext = entry.path().extension().and_then(|e| e.to_str());
                    if matches!(ext, Some("yaml" | "yml")) {
                        crd_files.push(entry.path().to_path_buf());
                    }
                }
            } else {
                return Err(missing("crds", item));
            }
        }
        stamps.extend(crd_files.iter().map(|f| stamp(f)));
        let fingerprint = blake3::hash(stamps.join("\n").as_bytes())
            .to_hex()
            .to_string();
        Ok((
            CustomSchemas {
                files,
                crd_files,
                crds: OnceLock::new(),
                compiled: Lazy::default(),
                fingerprint,
            },
            Vec::new(),
        ))
    }

    /// The schema of `api_version kind`, if the user provided one.
    pub fn find(&self, group: &str, api_version: &str, kind: &str) -> Option<Shared> {
        let version = api_version.rsplit('/').next().unwrap_or(api_version);
        let key = (group.to_owned(), version.to_owned(), kind.to_lowercase());
        self.compiled.get(&key, || {
            let base = format!(
                "https://galley.invalid/custom/{group}/{}_{version}.json",
                key.2
            );
            if let Some(schema) = self.crds().get(&key) {
                return Some(Compiled::document(schema.clone(), &base).map(Arc::new));
            }
            let candidates = self.files.get(&(key.2.clone(), version.to_owned()))?;
            let file = candidates
                .iter()
                .find(|(g, _)| g.as_deref() == Some(group))
                .or_else(|| candidates.iter().find(|(g, _)| g.is_none()))
                .map(|(_, f)| f)?;
            Some(load_file(file).and_then(|schema| {
                Compiled::document(strict_top_level(schema), &base).map(Arc::new)
            }))
        })
    }

    fn crds(&self) -> &HashMap<Key, Value> {
        self.crds.get_or_init(|| {
            let mut found = HashMap::new();
            for file in &self.crd_files {
                let Ok(text) = std::fs::read_to_string(file) else {
                    continue;
                };
                let Ok(documents) = crate::snippets::yaml::parse(&text) else {
                    continue;
                };
                for document in documents {
                    for (key, schema) in crd_schemas(&document.value) {
                        found.insert(key, schema);
                    }
                }
            }
            found
        })
    }
}

fn missing(setting: &str, item: &str) -> Error {
    Diagnostic::error(
        "config",
        format!("[snippets] {setting}: {item} does not exist"),
    )
    .hint("paths in [snippets] are relative to the site root")
    .into()
}

fn stamp(path: &Path) -> String {
    let meta = std::fs::metadata(path).ok();
    format!(
        "{}:{}:{:?}",
        path.display(),
        meta.as_ref().map_or(0, |m| m.len()),
        meta.and_then(|m| m.modified().ok())
    )
}

fn load_file(path: &Path) -> std::result::Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read schema {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
}

/// The top level of an object: only the fields the schema lists (schema folders generated
/// from CRDs often leave the top level open, so a typo such as `specs:` would pass).
fn strict_top_level(mut schema: Value) -> Value {
    let Value::Object(map) = &mut schema else {
        return schema;
    };
    let open = map.contains_key("x-kubernetes-preserve-unknown-fields");
    let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) else {
        return schema;
    };
    for field in ["apiVersion", "kind"] {
        properties
            .entry(field)
            .or_insert_with(|| json!({"type": "string"}));
    }
    properties
        .entry("metadata")
        .or_insert_with(|| json!({"type": "object"}));
    if !open {
        map.entry("additionalProperties")
            .or_insert(Value::Bool(false));
    }
    schema
}

/// Every served version's schema in a CRD manifest.
fn crd_schemas(crd: &Value) -> Vec<(Key, Value)> {
    if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
        return Vec::new();
    }
    let spec = &crd["spec"];
    let group = spec["group"].as_str().unwrap_or("").to_owned();
    let kind = spec["names"]["kind"].as_str().unwrap_or("").to_lowercase();
    let mut found = Vec::new();
    for version in spec["versions"].as_array().into_iter().flatten() {
        let Some(name) = version["name"].as_str() else {
            continue;
        };
        let Some(schema) = version.pointer("/schema/openAPIV3Schema") else {
            continue;
        };
        let schema = strict_top_level(openapi_to_json_schema(schema.clone()));
        found.push(((group.clone(), name.to_owned(), kind.clone()), schema));
    }
    found
}

/// OpenAPI v3 (as CRDs write it) -> a strict JSON Schema.
pub fn openapi_to_json_schema(schema: Value) -> Value {
    let Value::Object(mut map) = schema else {
        return schema;
    };
    for key in ["properties", "patternProperties"] {
        if let Some(Value::Object(properties)) = map.remove(key) {
            let converted: Map<String, Value> = properties
                .into_iter()
                .map(|(name, sub)| (name, openapi_to_json_schema(sub)))
                .collect();
            map.insert(key.into(), Value::Object(converted));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = map.remove(key) {
            map.insert(key.into(), openapi_to_json_schema(sub));
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = map.remove(key) {
            let converted = items.into_iter().map(openapi_to_json_schema).collect();
            map.insert(key.into(), Value::Array(converted));
        }
    }
    if map.remove("x-kubernetes-int-or-string") == Some(Value::Bool(true)) {
        map.remove("type");
        map.insert(
            "anyOf".into(),
            json!([{"type": "integer"}, {"type": "string"}]),
        );
    }
    let preserve = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if map.contains_key("properties") && !map.contains_key("additionalProperties") && !preserve {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    if map.remove("nullable") == Some(Value::Bool(true))
        && let Some(Value::String(t)) = map.get("type").cloned()
    {
        map.insert("type".into(), json!([t, "null"]));
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::{crd_schemas, openapi_to_json_schema};
    use serde_json::json;

    #[test]
    fn openapi_objects_become_strict() {
        let schema = openapi_to_json_schema(json!({
            "type": "object",
            "properties": {
                "port": {"x-kubernetes-int-or-string": true},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"a": {"type": "string"}}},
                "name": {"type": "string", "nullable": true}
            }
        }));
        assert_eq!(schema["additionalProperties"], false);
        assert!(schema["properties"]["port"]["anyOf"].is_array());
        assert!(
            schema["properties"]["free"]
                .get("additionalProperties")
                .is_none()
        );
        assert_eq!(
            schema["properties"]["name"]["type"],
            json!(["string", "null"])
        );
    }

    #[test]
    fn crd_versions_are_indexed_by_group_version_kind() {
        let crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "spec": {
                "group": "example.com",
                "names": {"kind": "Widget"},
                "versions": [{"name": "v1", "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object"}}}}}]
            }
        });
        let found = crd_schemas(&crd);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].0,
            ("example.com".into(), "v1".into(), "widget".into())
        );
        assert_eq!(found[0].1["additionalProperties"], false);
        assert!(found[0].1["properties"]["kind"].is_object());
    }
}
