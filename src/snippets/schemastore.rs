//! Other YAML with a public schema: GitHub Actions workflows and actions, dependabot and
//! compose files, Prometheus configuration and rule files, validated against the SchemaStore /
//! compose-spec schemas vendored in `src/snippets/vendor/schemastore.json.gz` (provenance and
//! licences in the README there).
//!
//! A document is matched by `schema=NAME` (or `schema=path/to/schema.json`), by the block's
//! `name=` (`.github/workflows/ci.yml`, `action.yml`, `dependabot.yml`, `compose.yaml`,
//! `prometheus.yml`, `x.rules.yml`), or by its content (`on` + `jobs`, `runs.using`,
//! `version: 2` + `updates`, `services` of images, `scrape_configs`, `groups` of rules with
//! `alert` or `record` and `expr`). A Prometheus file name alone is not enough: Grafana's
//! provisioning files are often called `prometheus.yaml` too, so the document must also have
//! a key of the Prometheus format.

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
    ("prometheus", "prometheus"),
    ("prometheus-rules", "rules"),
];

/// The top-level keys of a Prometheus configuration file.
const PROMETHEUS_KEYS: &[&str] = &[
    "global",
    "scrape_configs",
    "scrape_config_files",
    "rule_files",
    "alerting",
    "remote_write",
    "remote_read",
    "storage",
    "tracing",
    "otlp",
    "runtime",
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
        let map = value.as_object();
        let has = |key: &str| map.is_some_and(|m| m.contains_key(key));
        if matches!(file, "prometheus.yml" | "prometheus.yaml")
            && PROMETHEUS_KEYS.iter().any(|k| has(k))
        {
            return Some("prometheus");
        }
        let rules = ["rules.yml", "rules.yaml"].iter().any(|end| {
            file.strip_suffix(end)
                .is_some_and(|stem| stem.is_empty() || stem.ends_with(['.', '_', '-']))
        });
        if rules && has("groups") {
            return Some("prometheus-rules");
        }
    }
    let map = value.as_object()?;
    if map.contains_key("scrape_configs") {
        return Some("prometheus");
    }
    if is_rule_file(map) {
        return Some("prometheus-rules");
    }
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

/// `groups:` whose `rules:` hold a Prometheus rule (`alert` or `record`, and `expr`).
fn is_rule_file(map: &Map<String, Value>) -> bool {
    let rules = map
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|group| group.get("rules").and_then(Value::as_array))
        .flatten();
    rules.into_iter().any(|rule| {
        (rule.get("alert").is_some() || rule.get("record").is_some()) && rule.get("expr").is_some()
    })
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
    }

    #[test]
    fn prometheus_files_by_name_and_shape() {
        let config = json!({"global": {"scrape_interval": "15s"}});
        assert_eq!(detect(Some("prometheus.yml"), &config), Some("prometheus"));
        assert_eq!(
            detect(None, &json!({"scrape_configs": []})),
            Some("prometheus")
        );
        // Grafana's datasource provisioning file, often called prometheus.yaml.
        let grafana = json!({"apiVersion": 1, "datasources": [{"name": "Prometheus"}]});
        assert_eq!(
            detect(Some("provisioning/datasources/prometheus.yaml"), &grafana),
            None
        );
        let rules =
            json!({"groups": [{"name": "a", "rules": [{"alert": "Down", "expr": "up == 0"}]}]});
        assert_eq!(detect(None, &rules), Some("prometheus-rules"));
        let named = json!({"groups": []});
        assert_eq!(
            detect(Some("alerts.rules.yml"), &named),
            Some("prometheus-rules")
        );
        assert_eq!(detect(Some("rules.yaml"), &named), Some("prometheus-rules"));
        assert_eq!(detect(Some("myrules.yml"), &named), None);
        assert_eq!(
            detect(None, &json!({"groups": [{"rules": [{"name": "x"}]}]})),
            None
        );
    }

    #[test]
    fn prometheus_typos_are_unknown_fields_with_a_suggestion() {
        use crate::snippets::schema::{Subject, validate};
        let store = Store::default();
        let text = "global:\n  scrape_interavl: 15s\nscrape_configs:\n  - job_name: web\n    static_configs:\n      - targets: [\"web:80\"]\n";
        let document = crate::snippets::yaml::parse(text).unwrap().remove(0);
        let compiled = store.get("prometheus").unwrap().unwrap();
        let subject = Subject {
            name: "prometheus",
            code: "schema",
        };
        let findings = validate(&compiled, &document, &subject, false);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].code, "schema/unknown-field");
        assert_eq!((findings[0].line, findings[0].column), (2, 3));
        assert!(
            findings[0]
                .message
                .contains("did you mean \"scrape_interval\""),
            "{}",
            findings[0].message
        );
        let rules = "groups:\n  - name: web\n    rules:\n      - alert: Down\n        expr: up == 0\n        keep_firing_for: 5m\n        fro: 5m\n";
        let document = crate::snippets::yaml::parse(rules).unwrap().remove(0);
        let compiled = store.get("prometheus-rules").unwrap().unwrap();
        let findings = validate(
            &compiled,
            &document,
            &Subject {
                name: "rules",
                code: "schema",
            },
            false,
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(
            (findings[0].line, findings[0].column),
            (7, 9),
            "{findings:?}"
        );
        assert!(
            findings[0].message.contains("did you mean \"for\""),
            "{}",
            findings[0].message
        );
    }
}
