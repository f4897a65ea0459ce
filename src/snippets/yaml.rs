//! YAML blocks: YAML 1.2 syntax of every `---` document (saphyr: duplicate keys and tabs
//! rejected, line and column on every node), the habits of real posts, then each document
//! handed to the schema that fits it:
//!
//! 1. a shell session or a Go/Helm template in a YAML fence is reported as such;
//! 2. lines that are only `...` are elisions: blanked into comments before parsing (columns
//!    kept), and required fields are relaxed as in `test=fragment`;
//! 3. each document becomes a JSON value plus a map from JSON pointer to the position of its
//!    key and value, so schema errors point at the offending key or value;
//! 4. `apiVersion` + `kind` -> [`super::k8s`]; `schema=`, `name=` or content ->
//!    [`super::schemastore`]; Prometheus rule files get their PromQL parsed; anything else is
//!    valid YAML.

use std::collections::HashMap;

use saphyr::{LoadableYamlNode, MarkedYaml, Marker, Scalar, YamlData};
use serde_json::{Map, Number, Value};

use super::annotations::Annotations;
use super::{Context, Finding, Outcome, Snippet, Verdict, k8s, parsers, schemastore};

/// A 1-based line and column in the block, and how many characters to underline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    pub width: usize,
}

/// Where a node's key (for mapping values) and value are.
#[derive(Debug, Clone, Copy)]
pub struct NodePos {
    pub key: Option<Span>,
    pub value: Span,
}

/// One YAML document as JSON, with positions by JSON pointer (`/spec/template`).
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    positions: HashMap<String, NodePos>,
    /// Line of the document's first node.
    pub start: Span,
    /// Some value was `...` (`image: ...`, `- ...`): left out, as an elision.
    pub elided: bool,
}

impl Document {
    /// The key of the node at `pointer` if it has one (a mapping entry), else its value.
    pub fn key_span(&self, pointer: &str) -> Span {
        match self.positions.get(pointer) {
            Some(pos) => pos.key.unwrap_or(pos.value),
            None => self.nearest(pointer),
        }
    }

    pub fn value_span(&self, pointer: &str) -> Span {
        match self.positions.get(pointer) {
            Some(pos) => pos.value,
            None => self.nearest(pointer),
        }
    }

    /// The node at `pointer` as a document of its own (an item of a `kind: List`), keeping
    /// its positions in the block.
    pub fn sub(&self, pointer: &str) -> Option<Document> {
        let value = self.value.pointer(pointer)?.clone();
        let positions: HashMap<String, NodePos> = self
            .positions
            .iter()
            .filter_map(|(p, pos)| {
                let rest = p.strip_prefix(pointer)?;
                (rest.is_empty() || rest.starts_with('/')).then(|| (rest.to_owned(), *pos))
            })
            .collect();
        let start = positions.get("").map_or(self.start, |pos| pos.value);
        Some(Document {
            value,
            positions,
            start,
            elided: self.elided,
        })
    }

    /// The closest known ancestor of `pointer` (the root at worst).
    fn nearest(&self, pointer: &str) -> Span {
        let mut current = pointer;
        while let Some(i) = current.rfind('/') {
            current = &current[..i];
            if let Some(pos) = self.positions.get(current) {
                return pos.key.unwrap_or(pos.value);
            }
        }
        self.start
    }
}

/// The YAML text after the habits of real posts are accounted for.
pub struct Prepared {
    pub text: String,
    /// Some lines were `...`: what they elide may include required fields.
    pub elided: bool,
}

/// Blanks `...` elision lines into comments of the same width.
pub fn prepare(code: &str) -> Prepared {
    let mut elided = false;
    let mut text = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim();
        if trimmed == "..." || trimmed == "# ..." || trimmed == "#..." {
            elided = true;
            if trimmed == "..." {
                let indent = content.len() - content.trim_start().len();
                text.push_str(&content[..indent]);
                text.push_str("#..");
                text.push_str(&line[content.len()..]);
                continue;
            }
        }
        text.push_str(line);
    }
    Prepared { text, elided }
}

/// Parses every document of `text`; an error is a finding at the scanner's position.
pub fn parse(text: &str) -> Result<Vec<Document>, Finding> {
    // `convert` recurses once per level: refuse what would exhaust the stack.
    if let Some(finding) = super::depth::finding(text, super::depth::Nesting::Yaml) {
        return Err(finding);
    }
    let lines = Lines::new(text);
    let docs = MarkedYaml::load_from_str(text).map_err(|error| {
        let (line, column) = lines.position(*error.marker());
        let info = error.info();
        let mut finding = Finding::error("yaml/syntax", format!("invalid YAML: {info}"), line, column);
        if info.contains("duplicated key") {
            finding.code = "yaml/duplicate-key".into();
            finding.message = "duplicate key in mapping".into();
            finding = finding.hint("YAML keys must be unique in a mapping; the second one would silently replace the first");
        } else if info.contains("tab") {
            finding.code = "yaml/tab".into();
            // Point at the tab itself rather than where the scanner noticed it.
            if let Some(column) = text
                .lines()
                .nth(finding.line - 1)
                .and_then(|l| l.chars().position(|c| c == '\t'))
            {
                finding.column = column + 1;
            }
            finding = finding.hint("indent YAML with spaces, never tabs");
        } else {
            finding = finding.hint("check the indentation and the `:` after each key");
        }
        finding
    })?;
    Ok(docs
        .iter()
        .filter(|doc| !is_empty_document(doc))
        .map(|doc| {
            let mut conversion = Conversion {
                lines: &lines,
                positions: HashMap::new(),
                elided: false,
            };
            let value = conversion.convert(doc, String::new(), None);
            Document {
                value,
                positions: conversion.positions,
                start: lines.span(doc),
                elided: conversion.elided,
            }
        })
        .collect())
}

fn is_empty_document(doc: &MarkedYaml) -> bool {
    matches!(doc.data, YamlData::Value(Scalar::Null)) && doc.span.start == doc.span.end
}

/// Block positions in galley's terms. saphyr counts a lone CR as a line break, as YAML 1.2
/// says; galley counts lines at LF only, in every report and in the Markdown line a block
/// starts on, as an editor showing a lone CR as `^M` does (and as Rust's `lines()` does). So
/// positions come from a marker's character index, never from its line and column, which
/// would point past a block holding a lone CR.
struct Lines {
    /// The character index of each `\n`.
    breaks: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Self {
        let breaks = text
            .chars()
            .enumerate()
            .filter_map(|(i, c)| (c == '\n').then_some(i))
            .collect();
        Self { breaks }
    }

    /// The 1-based line and column (in characters) of `marker`.
    fn position(&self, marker: Marker) -> (usize, usize) {
        let index = marker.index();
        let before = self.breaks.partition_point(|&at| at < index);
        let line_start = before
            .checked_sub(1)
            .map_or(0, |last| self.breaks[last] + 1);
        (before + 1, index - line_start + 1)
    }

    fn span(&self, node: &MarkedYaml) -> Span {
        let (line, column) = self.position(node.span.start);
        let (end_line, end_column) = self.position(node.span.end);
        let width = if end_line == line {
            end_column.saturating_sub(column)
        } else {
            1
        };
        Span {
            line,
            column,
            width: width.max(1),
        }
    }
}

fn is_ellipsis(node: &MarkedYaml) -> bool {
    matches!(&node.data, YamlData::Value(Scalar::String(s)) if s == "...")
}

/// One document's conversion to JSON, collecting positions by JSON pointer.
struct Conversion<'a> {
    lines: &'a Lines,
    positions: HashMap<String, NodePos>,
    /// Some value was `...`.
    elided: bool,
}

impl Conversion<'_> {
    fn convert(&mut self, node: &MarkedYaml, pointer: String, key: Option<Span>) -> Value {
        let value_span = self.lines.span(node);
        let value = match &node.data {
            YamlData::Value(scalar) => scalar_to_json(scalar),
            YamlData::Representation(text, _, _) => Value::String(text.to_string()),
            YamlData::Sequence(items) => {
                let mut array = Vec::with_capacity(items.len());
                for item in items {
                    if is_ellipsis(item) {
                        self.elided = true;
                        continue;
                    }
                    let child = format!("{pointer}/{}", array.len());
                    array.push(self.convert(item, child, None));
                }
                Value::Array(array)
            }
            YamlData::Mapping(mapping) => {
                let mut map = Map::new();
                for (k, v) in mapping {
                    if is_ellipsis(v) {
                        self.elided = true;
                        continue;
                    }
                    let name = key_text(k);
                    let child = format!("{pointer}/{}", escape_pointer(&name));
                    let key_span = self.lines.span(k);
                    let value = self.convert(v, child, Some(key_span));
                    map.insert(name, value);
                }
                Value::Object(map)
            }
            YamlData::Tagged(_, inner) => {
                return self.convert(inner, pointer, key);
            }
            YamlData::Alias(_) | YamlData::BadValue => Value::Null,
        };
        self.positions.insert(
            pointer,
            NodePos {
                key,
                value: value_span,
            },
        );
        value
    }
}

fn scalar_to_json(scalar: &Scalar) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Number((*i).into()),
        Scalar::FloatingPoint(f) => Number::from_f64(f.into_inner())
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

fn key_text(node: &MarkedYaml) -> String {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => s.to_string(),
        YamlData::Value(Scalar::Null) => "null".to_owned(),
        YamlData::Value(Scalar::Boolean(b)) => b.to_string(),
        YamlData::Value(Scalar::Integer(i)) => i.to_string(),
        YamlData::Value(Scalar::FloatingPoint(f)) => f.to_string(),
        YamlData::Representation(text, _, _) => text.to_string(),
        YamlData::Tagged(_, inner) => key_text(inner),
        _ => format!("{:?}", node.data),
    }
}

/// JSON pointer escaping (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Checks a YAML block.
pub fn check(
    snippet: &Snippet,
    annotations: &Annotations,
    relaxed: bool,
    context: &Context,
) -> Outcome {
    if let Some(outcome) = habits(&snippet.code) {
        return outcome;
    }
    let prepared = prepare(&snippet.code);
    let documents = match parse(&prepared.text) {
        Ok(documents) => documents,
        Err(finding) => return Outcome::failed("invalid YAML", vec![finding]),
    };
    let relaxed = relaxed || prepared.elided;
    let mut findings = Vec::new();
    let mut badges = Vec::new();
    let mut syntax_only = None;
    for document in &documents {
        let relaxed = relaxed || document.elided;
        let result = check_document(snippet, annotations, relaxed, context, document);
        findings.extend(result.findings);
        if let Some(badge) = result.badge
            && !badges.contains(&badge)
        {
            badges.push(badge);
        }
        if syntax_only.is_none() {
            syntax_only = result.no_schema;
        }
    }
    let badge = if badges.is_empty() {
        "syntax: yaml".to_owned()
    } else {
        format!("validated: {}", badges.join(", "))
    };
    let mut outcome = Outcome::from_findings(badge, findings);
    if outcome.verdict == Verdict::Passed
        && let Some(reason) = syntax_only
    {
        outcome.badge = format!("syntax only: {reason}");
        outcome.verdict = Verdict::SyntaxOnly { reason };
    }
    outcome
}

/// What checking one document found.
#[derive(Default)]
pub struct DocumentResult {
    pub findings: Vec<Finding>,
    /// "Kubernetes 1.37 apps/v1 Deployment", for the badge.
    pub badge: Option<String>,
    /// "no schema for x/v1 Kind": valid YAML that no schema covered.
    pub no_schema: Option<String>,
}

fn check_document(
    snippet: &Snippet,
    annotations: &Annotations,
    relaxed: bool,
    context: &Context,
    document: &Document,
) -> DocumentResult {
    if let Some(schema) = &annotations.schema {
        return schemastore::check_named(schema, document, relaxed, context);
    }
    if k8s::is_manifest(&document.value) {
        let mut result = k8s::check(document, annotations, relaxed, context);
        result.findings.extend(prometheus_rules(document));
        return result;
    }
    if let Some(name) = schemastore::detect(snippet.name(), &document.value) {
        let mut result = schemastore::check_named(name, document, relaxed, context);
        result.findings.extend(prometheus_rules(document));
        return result;
    }
    if annotations.test == super::TestMode::Fragment
        && let Some(result) = k8s::check_fragment(document, annotations, context)
    {
        return result;
    }
    DocumentResult {
        findings: prometheus_rules(document),
        ..DocumentResult::default()
    }
}

/// Habits that make a block uncheckable as YAML: a shell session, a Go/Helm template.
fn habits(code: &str) -> Option<Outcome> {
    let first = code
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())?;
    if first.1.trim_start().starts_with("$ ") {
        return Some(Outcome::failed(
            "language mismatch",
            vec![
                Finding::error(
                    "yaml/language-mismatch",
                    "this block is a shell session, not YAML",
                    first.0 + 1,
                    1,
                )
                .hint("change the fence's language to `console`"),
            ],
        ));
    }
    // Text inside block scalars (`query: |`) is a string, whatever it contains.
    let mut scalar_indent: Option<usize> = None;
    for (i, line) in code.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if let Some(parent) = scalar_indent {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            scalar_indent = None;
        }
        let end = line.trim_end();
        if [
            ": |", ": >", ": |-", ": >-", ": |+", ": >+", "- |", "- >", "- |-", "- >-",
        ]
        .iter()
        .any(|marker| end.ends_with(marker))
        {
            scalar_indent = Some(indent);
        }
        if let Some(column) = template_start(line) {
            return Some(Outcome::failed(
                "template",
                vec![
                    Finding::error(
                        "yaml/template",
                        "Go/Helm template syntax `{{ }}` cannot be checked as YAML",
                        i + 1,
                        line[..column].chars().count() + 1,
                    )
                    .width(2)
                    .hint("render it first, or mark the block test=skip,reason=\"Helm template\""),
                ],
            ));
        }
    }
    None
}

/// The byte offset of a `{{` template action outside quotes. Inside a quoted scalar
/// (`name: "web-{{.name}}"`, Argo CD ApplicationSet templates) the YAML is still checkable, and
/// `${{ }}` is a GitHub Actions expression, not a template.
fn template_start(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return None;
    }
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if (c == '"' || c == '\'')
                && (previous == ' '
                    || previous == ':'
                    || previous == '-'
                    || previous == '['
                    || previous == ',') =>
            {
                quote = Some(c)
            }
            None if c == '#' && previous == ' ' => return None,
            None if line[i..].starts_with("{{") && previous != '$' => return Some(i),
            None => {}
        }
        previous = c;
    }
    None
}

/// PromQL in Prometheus rule files (`groups[].rules[].expr`), and in PrometheusRule resources
/// (`spec.groups[].rules[].expr`).
fn prometheus_rules(document: &Document) -> Vec<Finding> {
    let (groups, prefix) = match document.value.get("groups") {
        Some(groups) => (groups, "/groups"),
        None => match document.value.pointer("/spec/groups") {
            Some(groups) if document.value.get("kind") == Some(&"PrometheusRule".into()) => {
                (groups, "/spec/groups")
            }
            _ => return Vec::new(),
        },
    };
    let mut findings = Vec::new();
    for (g, group) in groups.as_array().into_iter().flatten().enumerate() {
        let rules = group.get("rules").and_then(Value::as_array);
        for (r, rule) in rules.into_iter().flatten().enumerate() {
            let Some(expr) = rule.get("expr").and_then(Value::as_str) else {
                continue;
            };
            if let Err(message) = parsers::parse_promql(expr) {
                let span = document.value_span(&format!("{prefix}/{g}/rules/{r}/expr"));
                findings.push(
                    Finding::error(
                        "promql/syntax",
                        format!("invalid PromQL in `expr`: {message}"),
                        span.line,
                        span.column,
                    )
                    .width(span.width),
                );
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::{parse, prepare};

    #[test]
    fn positions_point_at_keys_and_values() {
        let docs = parse("a:\n  bb: 1\n  cc: [x, y]\n").unwrap();
        let doc = &docs[0];
        let key = doc.key_span("/a/bb");
        assert_eq!((key.line, key.column, key.width), (2, 3, 2));
        let value = doc.value_span("/a/cc/1");
        assert_eq!((value.line, value.column), (3, 11));
        assert_eq!(doc.value["a"]["bb"], 1);
    }

    #[test]
    fn a_lone_carriage_return_moves_no_position_to_another_line() {
        // saphyr breaks lines at a lone CR too (YAML 1.2); galley's lines end at LF only.
        let docs = parse("a: 1\rb: 2\nc: x\n").expect("valid YAML");
        let b = docs[0].key_span("/b");
        assert_eq!((b.line, b.column, b.width), (1, 6, 1));
        assert_eq!(docs[0].value_span("/c").line, 2);
        // The fuzzer's shape: the error pointed at line 2 of a one-line block.
        let error = parse("m\rm:").unwrap_err();
        assert_eq!((error.line, error.column), (1, 4), "{error:?}");
    }

    #[test]
    fn several_documents_and_empty_ones() {
        let docs = parse("a: 1\n---\nb: 2\n---\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].key_span("/b").line, 3);
    }

    #[test]
    fn deep_nesting_is_a_finding_not_a_stack_overflow() {
        let flow = format!("a: {}", "[".repeat(5_000));
        let block: String = (0..5_000)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let sequences = format!("{}x\n", "- ".repeat(5_000));
        for text in [flow, block, sequences] {
            let error = parse(&text).unwrap_err();
            assert_eq!(error.code, "snippet/too-deep");
            assert!(error.message.contains("256 levels"), "{}", error.message);
        }
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let error = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(error.code, "yaml/duplicate-key");
        assert_eq!(error.line, 3);
    }

    #[test]
    fn tabs_are_errors() {
        let error = parse("a:\n\tb: 1\n").unwrap_err();
        assert_eq!(error.line, 2, "{error:?}");
    }

    #[test]
    fn elision_lines_become_comments() {
        let prepared = prepare("spec:\n  ...\n  replicas: 2\n");
        assert!(prepared.elided);
        assert_eq!(prepared.text, "spec:\n  #..\n  replicas: 2\n");
        assert!(parse(&prepared.text).is_ok());
    }

    #[test]
    fn templates_outside_quotes_only() {
        use super::template_start;
        assert_eq!(template_start("replicas: {{ .Values.replicas }}"), Some(10));
        assert_eq!(template_start("{{- if .Values.enabled }}"), Some(0));
        assert_eq!(template_start("name: \"payments-{{.name}}\""), None);
        assert_eq!(template_start("user: ${{ github.actor }}"), None);
        assert_eq!(template_start("# {{ not here }}"), None);
        let block = "query: |\n  sum(x{hash=\"{{args.hash}}\"})\nname: x\n";
        assert!(super::habits(block).is_none());
    }

    #[test]
    fn ellipsis_values_are_elisions() {
        let docs =
            parse("spec:\n  containers:\n    - ...\n  template: ...\n  replicas: 2\n").unwrap();
        assert!(docs[0].elided);
        assert_eq!(
            docs[0].value,
            serde_json::json!({"spec": {"containers": [], "replicas": 2}})
        );
        assert_eq!(docs[0].key_span("/spec/replicas").line, 5);
    }

    #[test]
    fn yaml_1_2_keeps_on_and_yes_as_strings() {
        let docs = parse("on: push\nx: yes\n").unwrap();
        assert_eq!(docs[0].value["on"], "push");
        assert_eq!(docs[0].value["x"], "yes");
    }
}
