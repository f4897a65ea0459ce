//! Other YAML with a public schema: GitHub Actions workflows and actions, dependabot and
//! compose files, validated against the SchemaStore / compose-spec schemas vendored in
//! `src/snippets/vendor/schemastore.json.gz` (provenance and licences in the README there).
//!
//! A document is matched by `schema=NAME` (or `schema=path/to/schema.json`), by the block's
//! `name=` (`.github/workflows/ci.yml`, `action.yml`, `dependabot.yml`, `compose.yaml`), or by
//! its content (`on` + `jobs`, `runs.using`, `version: 2` + `updates`, `services` of images).

use std::io::Read;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use super::schema::{Compiled, Lazy, Shared, Subject, validate};
use super::yaml::{Document, DocumentResult};
use super::{Context, Finding};

const VENDORED: &[u8] = include_bytes!("vendor/schemastore.json.gz");

/// Vendored schema names, and how findings name the document.
pub const NAMES: &[(&str, &str)] = &[
    ("github-workflow", "workflow"),
    ("github-action", "action"),
    ("dependabot", "dependabot"),
    ("compose", "compose"),
];

pub fn vendored_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| blake3::hash(VENDORED).to_hex().to_string())
        .clone()
}

#[derive(Default)]
pub struct Store {
    raw: OnceLock<Map<String, Value>>,
    compiled: Lazy<String, Shared>,
}

impl Store {
    fn raw(&self) -> &Map<String, Value> {
        self.raw.get_or_init(|| {
            let mut json = Vec::new();
            flate2::read::GzDecoder::new(VENDORED)
                .read_to_end(&mut json)
                .expect("the vendored SchemaStore schemas are valid gzip");
            let value: Value =
                serde_json::from_slice(&json).expect("the vendored schemas are valid JSON");
            value["schemas"].as_object().cloned().unwrap_or_default()
        })
    }

    pub fn get(&self, name: &str) -> Option<Shared> {
        let schema = self.raw().get(name)?.clone();
        Some(self.compiled.get(&name.to_owned(), || {
            Compiled::document(
                schema,
                &format!("https://galley.invalid/schemastore/{name}.json"),
            )
            .map(Arc::new)
        }))
    }
}

/// The vendored schema a document should be checked against, from its name or content.
pub fn detect(name: Option<&str>, value: &Value) -> Option<&'static str> {
    if let Some(name) = name {
        let file = name.rsplit('/').next().unwrap_or(name);
        let yaml = file.ends_with(".yml") || file.ends_with(".yaml");
        if yaml && name.contains(".github/workflows/") {
            return Some("github-workflow");
        }
        if matches!(file, "action.yml" | "action.yaml") {
            return Some("github-action");
        }
        if matches!(file, "dependabot.yml" | "dependabot.yaml") {
            return Some("dependabot");
        }
        if matches!(
            file,
            "compose.yaml" | "compose.yml" | "docker-compose.yml" | "docker-compose.yaml"
        ) {
            return Some("compose");
        }
    }
    let map = value.as_object()?;
    if map.contains_key("on") && map.contains_key("jobs") {
        return Some("github-workflow");
    }
    if map.get("runs").and_then(|r| r.get("using")).is_some() {
        return Some("github-action");
    }
    if map.get("version") == Some(&Value::from(2)) && map.contains_key("updates") {
        return Some("dependabot");
    }
    let services = map.get("services").and_then(Value::as_object)?;
    let all_containers = !services.is_empty()
        && services
            .values()
            .all(|s| s.get("image").is_some() || s.get("build").is_some());
    all_containers.then_some("compose")
}

/// Validates a document against a vendored schema or a schema file (`schema=`).
pub fn check_named(
    schema: &str,
    document: &Document,
    relaxed: bool,
    context: &Context,
) -> DocumentResult {
    let mut result = DocumentResult::default();
    let (compiled, subject, badge) = match NAMES.iter().find(|(n, _)| *n == schema) {
        Some((name, subject)) => (
            context
                .schemas
                .store
                .get(name)
                .expect("every listed name is vendored"),
            *subject,
            format!("SchemaStore {name}"),
        ),
        None if schema.ends_with(".json")
            || schema.ends_with(".yaml")
            || schema.ends_with(".yml") =>
        {
            (
                context.schemas.file(schema),
                "document",
                format!("schema {schema}"),
            )
        }
        None => {
            let known: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
            result.findings.push(
                Finding::error(
                    "snippet/unknown-schema",
                    format!("unknown schema `{schema}`"),
                    0,
                    1,
                )
                .hint(format!(
                    "schema= takes one of {} or a path to a .json schema relative to the site root",
                    known.join(", ")
                )),
            );
            return result;
        }
    };
    match compiled {
        Ok(compiled) => {
            let subject = Subject {
                name: subject,
                code: "schema",
            };
            result.findings = validate(&compiled, document, &subject, relaxed);
            result.badge = Some(badge);
        }
        Err(message) => result
            .findings
            .push(Finding::error("schema/invalid", message, 0, 1)),
    }
    result
}

#[cfg(test)]
mod tests {
    use super::{NAMES, Store, detect};
    use serde_json::json;

    #[test]
    fn every_vendored_schema_compiles() {
        let store = Store::default();
        for (name, _) in NAMES {
            assert!(store.get(name).unwrap().is_ok(), "{name}");
        }
    }

    #[test]
    fn detection_by_name_and_content() {
        assert_eq!(
            detect(Some(".github/workflows/ci.yml"), &json!({})),
            Some("github-workflow")
        );
        assert_eq!(
            detect(None, &json!({"on": "push", "jobs": {}})),
            Some("github-workflow")
        );
        assert_eq!(
            detect(None, &json!({"version": 2, "updates": []})),
            Some("dependabot")
        );
        assert_eq!(
            detect(None, &json!({"services": {"db": {"image": "postgres"}}})),
            Some("compose")
        );
        assert_eq!(detect(None, &json!({"services": {"db": {"x": 1}}})), None);
        assert_eq!(detect(Some("prometheus.yml"), &json!({"global": {}})), None);
    }
}
