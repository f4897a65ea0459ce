//! Kubernetes manifests: YAML documents with `apiVersion` and `kind`.
//!
//! 1. Built-in kinds are validated strictly against the vendored schemas of the pinned version
//!    ([`store`]: `k8s=1.29`, the page's or site's `k8s`, else the newest vendored version).
//! 2. An API removed by the pinned version (`extensions/v1beta1 Ingress`) is reported as
//!    removed, with its replacement ([`removed`]).
//! 3. A kind or version that does not exist in a built-in group is an error with suggestions.
//!    Enumerations the OpenAPI documents leave out (a Service's `type`...) come from [`enums`].
//! 4. Anything else is a custom resource: validated against the user's schema folders and CRDs
//!    ([`custom`]), or reported as "no schema for ..." (syntax checked only, never "valid").

pub mod custom;
pub mod enums;
pub mod removed;
pub mod store;

use serde_json::Value;

pub use self::custom::CustomSchemas;
pub use self::store::{Store, vendored_hash};
use super::annotations::Annotations;
use super::schema::{Subject, validate};
use super::yaml::{Document, DocumentResult};
use super::{Context, Finding};

/// Whether a document is a Kubernetes object (has `apiVersion` and `kind`).
pub fn is_manifest(value: &Value) -> bool {
    value.get("apiVersion").is_some() && value.get("kind").is_some()
}

/// Validates one manifest.
pub fn check(
    document: &Document,
    annotations: &Annotations,
    relaxed: bool,
    context: &Context,
) -> DocumentResult {
    let mut result = DocumentResult::default();
    let (Some(api_version), Some(kind)) = (
        document.value.get("apiVersion").and_then(Value::as_str),
        document.value.get("kind").and_then(Value::as_str),
    ) else {
        let pointer = if document.value["apiVersion"].is_string() {
            "/kind"
        } else {
            "/apiVersion"
        };
        let span = document.value_span(pointer);
        result.findings.push(Finding::error(
            "k8s/wrong-type",
            format!("{} must be a string", &pointer[1..]),
            span.line,
            span.column,
        ));
        return result;
    };
    // `kind: List` (what `kubectl get -o yaml` prints): each item is a manifest of its own.
    if kind == "List" && api_version == "v1" {
        let items = document.value["items"].as_array().map_or(0, Vec::len);
        for i in 0..items {
            let Some(item) = document.sub(&format!("/items/{i}")) else {
                continue;
            };
            if !is_manifest(&item.value) {
                let span = item.start;
                result.findings.push(Finding::error(
                    "k8s/missing-field",
                    format!("List.items[{i}] has no apiVersion and kind"),
                    span.line,
                    span.column,
                ));
                continue;
            }
            let inner = check(&item, annotations, relaxed, context);
            result.findings.extend(inner.findings);
            result.badge = result.badge.or(inner.badge);
            result.no_schema = result.no_schema.or(inner.no_schema);
        }
        return result;
    }
    let schemas = context.schemas;
    let version_name = annotations
        .k8s
        .clone()
        .unwrap_or_else(|| schemas.default_k8s.clone());
    let version = schemas.k8s.version(&version_name);
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let subject = Subject {
        name: kind,
        code: "k8s",
    };

    if let Some(definition) = version.kind(api_version, kind) {
        match schemas.k8s.compiled(&version_name, definition) {
            Ok(compiled) => {
                result
                    .findings
                    .extend(validate(&compiled, document, &subject, relaxed));
                result.badge = Some(format!("Kubernetes {version_name} {api_version} {kind}"));
            }
            Err(message) => result.findings.push(internal(document, message)),
        }
        return result;
    }

    let api_span = document.value_span("/apiVersion");
    if let Some(removal) = removed::find(api_version, kind, &version_name, &schemas.k8s) {
        result.findings.push(
            Finding::error(
                "k8s/removed-api",
                removal.message,
                api_span.line,
                api_span.column,
            )
            .width(api_span.width)
            .hint(removal.hint),
        );
        return result;
    }

    if let Some(what) = CONFIG_FILES
        .iter()
        .find(|(a, k, _)| *a == api_version && *k == kind)
        .map(|(_, _, what)| what)
    {
        result.no_schema = Some(format!("no schema for {api_version} {kind} ({what})"));
        return result;
    }

    if version.is_builtin_group(group) {
        let kind_span = document.value_span("/kind");
        let served = version.api_versions_of(kind);
        if !served.is_empty() {
            result.findings.push(
                Finding::error(
                    "k8s/unknown-api-version",
                    format!("Kubernetes {version_name} does not serve {kind} as {api_version}"),
                    api_span.line,
                    api_span.column,
                )
                .width(api_span.width)
                .hint(format!("{kind} is served as {}", served.join(", "))),
            );
        } else {
            let kinds = version.kinds_of(api_version);
            let mut finding = Finding::error(
                "k8s/unknown-kind",
                format!("no kind \"{kind}\" in {api_version} (Kubernetes {version_name})"),
                kind_span.line,
                kind_span.column,
            )
            .width(kind_span.width);
            if let Some(close) = super::schema::closest(kind, &kinds) {
                finding
                    .message
                    .push_str(&format!(" (did you mean \"{close}\"?)"));
            } else if !kinds.is_empty() {
                finding = finding.hint(format!("kinds of {api_version}: {}", kinds.join(", ")));
            }
            result.findings.push(finding);
        }
        return result;
    }

    match schemas.custom.find(group, api_version, kind) {
        Some(Ok(compiled)) => {
            result
                .findings
                .extend(validate(&compiled, document, &subject, relaxed));
            result.badge = Some(format!("schema {api_version} {kind}"));
        }
        Some(Err(message)) => result.findings.push(internal(document, message)),
        None => result.no_schema = Some(format!("no schema for {api_version} {kind}")),
    }
    result
}

/// Built-in kinds tried first when a fragment does not say its kind, in this order.
const PREFERRED: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Pod",
    "Job",
    "CronJob",
    "Service",
    "ConfigMap",
    "Secret",
    "Ingress",
    "HorizontalPodAutoscaler",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "ServiceAccount",
    "PodDisruptionBudget",
    "ReplicaSet",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "Namespace",
    "PersistentVolume",
    "StorageClass",
    "LimitRange",
    "ResourceQuota",
    "PriorityClass",
    "IngressClass",
];

/// The most findings a guessed kind may have for its findings to be reported: beyond this
/// the fragment is more likely a custom resource than a broken built-in one.
const MAX_GUESSED_FINDINGS: usize = 3;

/// A `test=fragment` document without `apiVersion`/`kind` (`spec.template.spec.affinity`
/// only): validated against the built-in kinds whose top level has its keys; the closest wins.
/// Only common kinds are candidates: some rarely used kinds have open specs that would accept
/// anything. `None` when no candidate is plausible.
pub fn check_fragment(
    document: &Document,
    annotations: &Annotations,
    context: &Context,
) -> Option<DocumentResult> {
    let keys: Vec<&String> = document.value.as_object()?.keys().collect();
    if keys.is_empty() {
        return None;
    }
    let schemas = context.schemas;
    let version_name = annotations
        .k8s
        .clone()
        .unwrap_or_else(|| schemas.default_k8s.clone());
    let version = schemas.k8s.version(&version_name);
    let mut candidates = version.top_level_kinds(&keys);
    candidates.retain(|(_, kind, _)| PREFERRED.contains(&kind.as_str()));
    candidates.sort_by_key(|(_, kind, _)| {
        (
            PREFERRED
                .iter()
                .position(|p| p == kind)
                .unwrap_or(PREFERRED.len()),
            kind.clone(),
        )
    });
    let mut best: Option<(usize, DocumentResult)> = None;
    for (api_version, kind, definition) in candidates {
        let Ok(compiled) = schemas.k8s.compiled(&version_name, &definition) else {
            continue;
        };
        let subject = Subject {
            name: &kind,
            code: "k8s",
        };
        let findings = validate(&compiled, document, &subject, true);
        let count = findings.len();
        if best.as_ref().is_none_or(|(c, _)| count < *c) {
            let badge = format!("Kubernetes {version_name} {api_version} {kind} (fragment)");
            best = Some((
                count,
                DocumentResult {
                    findings,
                    badge: Some(badge),
                    no_schema: None,
                },
            ));
        }
        if count == 0 {
            break;
        }
    }
    let (count, mut result) = best?;
    if count > MAX_GUESSED_FINDINGS {
        return None;
    }
    let kind = result.badge.clone().unwrap_or_default();
    for finding in &mut result.findings {
        finding.hint = Some(format!(
            "this fragment has no apiVersion/kind; it was checked as the closest built-in kind: {kind}"
        ));
    }
    Some(result)
}

/// Files written like manifests that no API server serves, so their schemas are not in the
/// OpenAPI documents the vendored schemas come from.
const CONFIG_FILES: &[(&str, &str, &str)] = &[
    ("v1", "Config", "a kubeconfig file"),
    ("v1", "Policy", "a scheduler policy file"),
];

fn internal(document: &Document, message: String) -> Finding {
    Finding::error("schema/invalid", message, document.start.line, 1)
        .hint("the schema itself could not be compiled; check the file it came from")
}
