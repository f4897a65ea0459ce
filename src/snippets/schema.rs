//! JSON Schema validation with positions: every schema galley knows ([`Schemas`]: vendored
//! Kubernetes and SchemaStore schemas, the user's schema folders and CRDs), compiled once per
//! run and shared across threads, and the mapping of `jsonschema` errors to findings at the
//! offending key or value.
//!
//! Error mapping, in the words a reader of the post understands:
//! - an additional property -> `unknown field "replcas" in Deployment.spec (did you mean
//!   "replicas"?)` at the key itself (jsonschema reports it on the parent object);
//! - a type -> `wrong type for Deployment.spec.replicas: expected integer, found string`;
//! - an enum -> `invalid value "Foo" for Service.spec.type: expected one of ...`;
//! - a required property -> `missing required field "selector" in Deployment.spec` (dropped
//!   for fragments);
//! - `anyOf`/`oneOf` -> the messages of the branch that came closest.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use super::yaml::Document;
use super::{Finding, SnippetConfig, k8s, schemastore};
use crate::diagnostics::{Diagnostic, Result, suggest};

/// A compiled schema, and the document its keyword locations point into (for the names of
/// the properties an unknown field could have meant).
pub struct Compiled {
    validator: Validator,
    document: Arc<Value>,
    base: String,
}

impl Compiled {
    /// Compiles a whole schema document, giving it the `$id` `base` if it has none.
    pub fn document(mut schema: Value, base: &str) -> std::result::Result<Compiled, String> {
        // A relative `$id` (compose's `compose_spec.json`) gives no absolute keyword locations:
        // replace it; an absolute one may be what the schema's own references use: keep it.
        if let Value::Object(map) = &mut schema {
            let absolute = map
                .get("$id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.contains("://"));
            if !absolute {
                map.insert("$id".into(), base.into());
            }
        }
        let base = schema
            .get("$id")
            .and_then(Value::as_str)
            .unwrap_or(base)
            .to_owned();
        let validator = jsonschema::options()
            .build(&schema)
            .map_err(|e| format!("invalid schema: {e}"))?;
        Ok(Compiled {
            validator,
            document: Arc::new(schema),
            base,
        })
    }

    /// The property names of the schema object at `keyword` (an absolute keyword location
    /// such as `https://x/defs.json#/$defs/Spec/additionalProperties`).
    fn properties_near(&self, keyword: Option<String>) -> Vec<String> {
        let Some(keyword) = keyword else {
            return Vec::new();
        };
        let Some((base, fragment)) = keyword.split_once('#') else {
            return Vec::new();
        };
        if base.trim_end_matches('/') != self.base.trim_end_matches('/') {
            return Vec::new();
        }
        let fragment = percent_decode(fragment);
        let parent = fragment.rsplit_once('/').map_or("", |(p, _)| p);
        let mut names: Vec<String> = Vec::new();
        if let Some(schema) = self.document.pointer(parent) {
            self.collect_properties(schema, 0, &mut names);
        }
        names.dedup();
        names.sort();
        names.dedup();
        names
    }

    /// Property names of a schema, its `allOf`/`anyOf`/`oneOf` branches and the local `$ref`s
    /// it uses (compose splits a service's fields across such branches).
    fn collect_properties(&self, schema: &Value, depth: usize, names: &mut Vec<String>) {
        if depth > 4 {
            return;
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            names.extend(properties.keys().cloned());
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for branch in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.collect_properties(branch, depth + 1, names);
            }
        }
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| self.document.pointer(&percent_decode(pointer)))
        {
            self.collect_properties(target, depth + 1, names);
        }
    }
}

/// How findings name what was validated.
pub struct Subject<'a> {
    /// The start of every path: `Deployment`, `workflow`.
    pub name: &'a str,
    /// The family of finding codes: `k8s` or `schema`.
    pub code: &'a str,
}

/// Validates `document` and maps every error to a finding.
pub fn validate(
    compiled: &Compiled,
    document: &Document,
    subject: &Subject,
    relaxed: bool,
) -> Vec<Finding> {
    if compiled.validator.is_valid(&document.value) {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for error in compiled.validator.iter_errors(&document.value) {
        map_error(compiled, document, subject, relaxed, &error, &mut findings);
    }
    findings.sort_by(|a, b| (a.line, a.column, &a.message).cmp(&(b.line, b.column, &b.message)));
    findings.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.message == b.message);
    findings
}

fn map_error(
    compiled: &Compiled,
    document: &Document,
    subject: &Subject,
    relaxed: bool,
    error: &ValidationError,
    findings: &mut Vec<Finding>,
) {
    let pointer = error.instance_path().as_str().to_owned();
    let path = dotted(subject.name, &pointer, &document.value);
    let code = |kind: &str| format!("{}/{kind}", subject.code);
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let known = compiled.properties_near(
                error
                    .absolute_keyword_location()
                    .map(|uri| uri.as_str().to_owned()),
            );
            let unevaluated = matches!(
                error.kind(),
                ValidationErrorKind::UnevaluatedProperties { .. }
            );
            for name in unexpected {
                // A known field whose value failed is "unevaluated" too; its own error says why.
                if unevaluated && known.contains(name) {
                    continue;
                }
                let child = format!("{pointer}/{}", super::yaml::escape_pointer(name));
                let span = document.key_span(&child);
                let close = closest(name, &known);
                let mut message = format!("unknown field \"{name}\" in {path}");
                if let Some(close) = close {
                    message.push_str(&format!(" (did you mean \"{close}\"?)"));
                }
                let mut finding =
                    Finding::error(&code("unknown-field"), message, span.line, span.column)
                        .width(name.chars().count());
                if !known.is_empty() && close.is_none() {
                    finding = finding.hint(format!("fields of {path}: {}", list(&known, 20)));
                }
                findings.push(finding);
            }
        }
        ValidationErrorKind::Type { kind } => {
            let span = document.value_span(&pointer);
            let expected = expected_types(&format!("{kind:?}"));
            let found = json_kind(error.instance());
            findings.push(
                Finding::error(
                    &code("wrong-type"),
                    format!("wrong type for {path}: expected {expected}, found {found}"),
                    span.line,
                    span.column,
                )
                .width(span.width),
            );
        }
        ValidationErrorKind::Enum { options } => {
            let span = document.value_span(&pointer);
            let values: Vec<&Value> = options
                .as_array()
                .map(|o| o.iter().filter(|v| !v.is_null()).collect())
                .unwrap_or_default();
            let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            let names: Vec<String> = values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let mut message = format!(
                "invalid value {} for {path}: expected one of {}",
                short(error.instance()),
                list(&shown, 12)
            );
            let close = error.instance().as_str().and_then(|given| {
                names
                    .iter()
                    .find(|n| n.eq_ignore_ascii_case(given))
                    .map(String::as_str)
                    .or_else(|| closest(given, &names))
            });
            if let Some(close) = close {
                message.push_str(&format!(" (did you mean \"{close}\"?)"));
            }
            findings.push(
                Finding::error(&code("invalid-value"), message, span.line, span.column)
                    .width(span.width),
            );
        }
        ValidationErrorKind::Constant { expected_value } => {
            let span = document.value_span(&pointer);
            findings.push(
                Finding::error(
                    &code("invalid-value"),
                    format!(
                        "invalid value {} for {path}: expected {}",
                        short(error.instance()),
                        expected_value
                    ),
                    span.line,
                    span.column,
                )
                .width(span.width),
            );
        }
        ValidationErrorKind::Required { property } => {
            if relaxed {
                return;
            }
            let span = if pointer.is_empty() {
                document.start
            } else {
                document.key_span(&pointer)
            };
            let property = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            findings.push(
                Finding::error(
                    &code("missing-field"),
                    format!("missing required field \"{property}\" in {path}"),
                    span.line,
                    span.column,
                )
                .hint("add it, or mark the block test=fragment if it is an excerpt"),
            );
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            map_branches(
                compiled, document, subject, relaxed, error, &path, context, findings,
            );
        }
        // A null matching several nullable branches (Kubernetes' int-or-string) is fine.
        ValidationErrorKind::OneOfMultipleValid { .. } if subject.code == "k8s" => {}
        ValidationErrorKind::PropertyNames { error: inner } => {
            let span = document.value_span(&pointer);
            findings.push(Finding::error(
                &code("invalid-key"),
                format!(
                    "invalid key in {path}: {}",
                    first_sentence(&inner.to_string())
                ),
                span.line,
                span.column,
            ));
        }
        _ => {
            let span = document.value_span(&pointer);
            findings.push(
                Finding::error(
                    &code("invalid-value"),
                    format!(
                        "invalid value for {path}: {}",
                        first_sentence(&error.to_string())
                    ),
                    span.line,
                    span.column,
                )
                .width(span.width),
            );
        }
    }
}

/// `anyOf`/`oneOf` with no matching branch: either a plain type union ("expected string or
/// integer"), or the errors of the branch that came closest.
#[allow(clippy::too_many_arguments)]
fn map_branches(
    compiled: &Compiled,
    document: &Document,
    subject: &Subject,
    relaxed: bool,
    error: &ValidationError,
    path: &str,
    context: &[Vec<ValidationError<'static>>],
    findings: &mut Vec<Finding>,
) {
    let pointer = error.instance_path().as_str();
    let relevant = |branch: &Vec<ValidationError<'static>>| {
        branch
            .iter()
            .filter(|e| !(relaxed && matches!(e.kind(), ValidationErrorKind::Required { .. })))
            .count()
    };
    if context.iter().any(|branch| relevant(branch) == 0) {
        return;
    }
    let only_types = context.iter().all(|branch| {
        branch.len() == 1
            && matches!(branch[0].kind(), ValidationErrorKind::Type { .. })
            && branch[0].instance_path().as_str() == pointer
    });
    if only_types {
        let mut expected: Vec<String> = Vec::new();
        for branch in context {
            if let ValidationErrorKind::Type { kind } = branch[0].kind() {
                for t in expected_types(&format!("{kind:?}")).split(" or ") {
                    if !expected.iter().any(|e| e == t) {
                        expected.push(t.to_owned());
                    }
                }
            }
        }
        let span = document.value_span(pointer);
        findings.push(
            Finding::error(
                &format!("{}/wrong-type", subject.code),
                format!(
                    "wrong type for {path}: expected {}, found {}",
                    expected.join(" or "),
                    json_kind(error.instance())
                ),
                span.line,
                span.column,
            )
            .width(span.width),
        );
        return;
    }
    // The closest branch: the fewest errors, then the deepest ones (it got further).
    let best = context
        .iter()
        .min_by_key(|branch| {
            let depth = branch
                .iter()
                .map(|e| e.instance_path().as_str().matches('/').count())
                .max()
                .unwrap_or(0);
            (relevant(branch), usize::MAX - depth)
        })
        .expect("anyOf has branches");
    for inner in best {
        map_error(compiled, document, subject, relaxed, inner, findings);
    }
}

/// The known name a typo most plausibly meant: like `diagnostics::suggest`, but a swap of two
/// neighbouring letters (`wiht`, `lables`) counts as one edit.
pub fn closest<'a>(word: &str, candidates: &'a [String]) -> Option<&'a str> {
    if let Some(found) = suggest(word, candidates.iter().map(String::as_str)) {
        return Some(found);
    }
    candidates
        .iter()
        .map(String::as_str)
        .find(|candidate| is_transposition(word, candidate))
}

fn is_transposition(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() != b.len() {
        return false;
    }
    let differences: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    differences.len() == 2
        && differences[1] == differences[0] + 1
        && a[differences[0]] == b[differences[1]]
        && a[differences[1]] == b[differences[0]]
}

/// `/spec/containers/0/image` -> `Deployment.spec.containers[0].image`.
pub fn dotted(name: &str, pointer: &str, value: &Value) -> String {
    let mut path = name.to_owned();
    let mut current = Some(value);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) => {
                path.push_str(&format!("[{segment}]"));
                current = segment.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            other => {
                path.push('.');
                path.push_str(&segment);
                current = other.and_then(|v| v.get(&segment));
            }
        }
    }
    path
}

/// `Single(Integer)` / `Multiple(...)` debug text -> "integer", "string or integer".
fn expected_types(debug: &str) -> String {
    let names = ["integer", "number", "string", "boolean", "object", "array"];
    let lower = debug.to_lowercase();
    let mut found: Vec<(usize, &str)> = names
        .iter()
        .filter_map(|n| lower.find(n).map(|i| (i, *n)))
        .collect();
    // "integer" also contains no other name, but "number" must not match inside "integer".
    found.sort();
    let list: Vec<&str> = found.into_iter().map(|(_, n)| n).collect();
    if list.is_empty() {
        lower
    } else {
        list.join(" or ")
    }
}

fn json_kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) if n.is_i64() || n.is_u64() => format!("integer {n}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {}", short(&Value::String(s.clone()))),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

fn list(items: &[String], max: usize) -> String {
    let mut text = items
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        text.push_str(&format!(" (and {} more)", items.len() - max));
    }
    text
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 200 {
        format!("{}...", line.chars().take(197).collect::<String>())
    } else {
        line.to_owned()
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Values computed at most once per run, on first use, from any thread: the same key asked by
/// two threads at once compiles once, and different keys compile in parallel.
pub struct Lazy<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceLock<V>>>>,
}

impl<K: Hash + Eq + Clone, V> Default for Lazy<K, V> {
    fn default() -> Self {
        Lazy {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq + Clone, V: Clone> Lazy<K, V> {
    pub fn get(&self, key: &K, init: impl FnOnce() -> V) -> V {
        let cell = {
            let mut cells = self.cells.lock().expect("no panics while holding the lock");
            Arc::clone(cells.entry(key.clone()).or_default())
        };
        cell.get_or_init(init).clone()
    }
}

/// A compiled schema or why it could not be compiled.
pub type Shared = std::result::Result<Arc<Compiled>, String>;

/// Every schema of a run.
pub struct Schemas {
    pub k8s: k8s::Store,
    pub custom: k8s::CustomSchemas,
    pub store: schemastore::Store,
    /// The Kubernetes version used when no annotation pins one.
    pub default_k8s: String,
    root: PathBuf,
    files: Lazy<PathBuf, Shared>,
    /// Changes whenever any schema could change a verdict (cache keys include it).
    pub fingerprint: blake3::Hash,
    pub warnings: Vec<Diagnostic>,
}

impl Schemas {
    pub fn load(root: &Path, settings: &SnippetConfig) -> Result<Schemas> {
        let k8s = k8s::Store::vendored();
        let versions = k8s.versions();
        let default_k8s = match &settings.k8s {
            Some(version) => {
                super::annotations::k8s_version(version, "site.toml [snippets]", &versions)
                    .map_err(|finding| {
                        Diagnostic::error("config", finding.message)
                            .hint(finding.hint.unwrap_or_default())
                    })?
            }
            None => versions.last().cloned().unwrap_or_default(),
        };
        let (custom, warnings) = k8s::CustomSchemas::discover(root, settings)?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(k8s::vendored_hash().as_bytes());
        hasher.update(schemastore::vendored_hash().as_bytes());
        hasher.update(k8s::enums::fingerprint().as_bytes());
        hasher.update(default_k8s.as_bytes());
        hasher.update(custom.fingerprint.as_bytes());
        Ok(Schemas {
            k8s,
            custom,
            store: schemastore::Store::default(),
            default_k8s,
            root: root.to_path_buf(),
            files: Lazy::default(),
            fingerprint: hasher.finalize(),
            warnings,
        })
    }

    pub fn k8s_versions(&self) -> Vec<String> {
        self.k8s.versions()
    }

    /// A schema file named by `schema=path` (relative to the site root).
    pub fn file(&self, relative: &str) -> Shared {
        let path = self.root.join(relative);
        self.files.get(&path, || {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read schema {relative}: {e}"))?;
            let value: Value = if relative.ends_with(".json") {
                serde_json::from_str(&text).map_err(|e| format!("{relative} is not JSON: {e}"))?
            } else {
                let docs = super::yaml::parse(&text)
                    .map_err(|f| format!("{relative} is not YAML: {}", f.message))?;
                docs.into_iter()
                    .next()
                    .map(|d| d.value)
                    .unwrap_or(Value::Null)
            };
            Compiled::document(value, &format!("https://galley.invalid/file/{relative}"))
                .map(Arc::new)
        })
    }

    /// A hash of a schema file's metadata, for cache keys of blocks that name it.
    pub fn file_stamp(&self, relative: &str) -> String {
        match std::fs::metadata(self.root.join(relative)) {
            Ok(meta) => format!(
                "{}:{:?}",
                meta.len(),
                meta.modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            ),
            Err(_) => "missing".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Compiled, Subject, dotted, validate};
    use crate::snippets::yaml::parse;
    use serde_json::json;

    fn findings(
        schema: serde_json::Value,
        yaml: &str,
        relaxed: bool,
    ) -> Vec<crate::snippets::Finding> {
        let compiled = Compiled::document(schema, "https://galley.invalid/test.json").unwrap();
        let docs = parse(yaml).unwrap();
        let subject = Subject {
            name: "Thing",
            code: "schema",
        };
        validate(&compiled, &docs[0], &subject, relaxed)
    }

    fn schema() -> serde_json::Value {
        json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "replicas": {"type": "integer"},
                "mode": {"enum": ["a", "b"]},
                "port": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                "spec": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {"replicas": {"type": "integer"}}
                }
            }
        })
    }

    #[test]
    fn unknown_field_points_at_the_key_with_a_suggestion() {
        let found = findings(schema(), "name: x\nspec:\n  replcas: 2\n", false);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "unknown field \"replcas\" in Thing.spec (did you mean \"replicas\"?)"
        );
        assert_eq!((found[0].line, found[0].column, found[0].width), (3, 3, 7));
        assert_eq!(found[0].code, "schema/unknown-field");
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let found = findings(schema(), "name: x\nreplicas: \"3\"\n", false);
        assert_eq!(found[0].code, "schema/wrong-type");
        assert!(
            found[0].message.contains("expected integer, found string"),
            "{}",
            found[0].message
        );
        assert_eq!((found[0].line, found[0].column), (2, 11));
    }

    #[test]
    fn type_unions_are_named_together() {
        let found = findings(schema(), "name: x\nport: true\n", false);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.contains("expected string or integer"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn enums_list_the_options() {
        let found = findings(schema(), "name: x\nmode: c\n", false);
        assert!(
            found[0].message.contains("expected one of \"a\", \"b\""),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn required_fields_are_relaxed_for_fragments() {
        assert_eq!(findings(schema(), "replicas: 1\n", false).len(), 1);
        assert!(findings(schema(), "replicas: 1\n", true).is_empty());
    }

    #[test]
    fn dotted_paths_show_list_indexes() {
        let value = json!({"spec": {"containers": [{"image": 1}]}});
        assert_eq!(
            dotted("Pod", "/spec/containers/0/image", &value),
            "Pod.spec.containers[0].image"
        );
    }
}
