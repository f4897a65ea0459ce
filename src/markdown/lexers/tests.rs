//! The lexers' contract, checked on real snippets of each language, on every code block of the
//! bundled blog, and on random input: the text of the output is the input, every line is
//! self-contained, and tokens get the classes syntect gives them.

use super::highlight;

const LANGUAGES: &[&str] = &[
    "yaml",
    "yml",
    "bash",
    "sh",
    "shell",
    "zsh",
    "console",
    "shell-session",
    "terminal",
    "go",
    "golang",
    "python",
    "py",
    "json",
    "jsonc",
    "toml",
    "dockerfile",
    "docker",
    "containerfile",
];

/// The text of a line of HTML: tags removed, entities decoded.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        rest = &rest[start + rest[start..].find('>').expect("a tag ends") + 1..];
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Checks the contract on one block: one string per line, each line's text byte-identical to
/// the source line, and spans balanced within each line.
fn check(lang: &str, code: &str) -> Vec<String> {
    let lines = highlight(lang, code).expect("a fast lexer for the language");
    let expected: Vec<&str> = code
        .split_inclusive('\n')
        .map(|l| l.strip_suffix('\n').unwrap_or(l))
        .collect();
    assert_eq!(
        lines.len(),
        expected.len(),
        "{lang}: line count for {code:?}"
    );
    for (html, source) in lines.iter().zip(&expected) {
        assert_eq!(text_of(html), *source, "{lang}: text of {html:?}");
        let mut depth = 0i64;
        for (i, _) in html.match_indices('<') {
            if html[i..].starts_with("</span>") {
                depth -= 1;
            } else {
                assert!(
                    html[i..].starts_with("<span class=\"hl-"),
                    "{lang}: tag in {html:?}"
                );
                depth += 1;
            }
            assert!(
                depth >= 0,
                "{lang}: span closed before it opened in {html:?}"
            );
        }
        assert_eq!(depth, 0, "{lang}: unbalanced spans in {html:?}");
    }
    lines
}

/// The runs of text of a highlighted block, each with the classes of its innermost span.
fn runs(lines: &[String]) -> Vec<(String, String)> {
    let mut runs = Vec::new();
    for html in lines {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = html.as_str();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("<span class=\"") {
                let end = after.find("\">").expect("a class ends");
                stack.push(&after[..end]);
                rest = &after[end + 2..];
            } else if let Some(after) = rest.strip_prefix("</span>") {
                stack.pop();
                rest = after;
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                runs.push((
                    text_of(&rest[..end]),
                    stack.last().unwrap_or(&"").to_string(),
                ));
                rest = &rest[end..];
            }
        }
    }
    runs
}

/// Asserts that `text` appears in `code`'s highlighting as a run whose innermost span has all
/// the classes of `classes`.
#[track_caller]
fn assert_class(lang: &str, code: &str, text: &str, classes: &str) {
    let runs = runs(&check(lang, code));
    let found = runs.iter().any(|(run, class)| {
        run == text
            && classes
                .split(' ')
                .all(|c| class.split(' ').any(|have| have == c))
    });
    assert!(
        found,
        "{lang}: no {text:?} with classes {classes:?}; runs:\n{}",
        runs.iter()
            .filter(|(run, _)| !run.trim().is_empty())
            .map(|(run, class)| format!("  {run:?} {class}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Asserts that no run containing `text` has `class` among its classes.
#[track_caller]
fn assert_not_class(lang: &str, code: &str, text: &str, class: &str) {
    let runs = runs(&check(lang, code));
    assert!(
        !runs
            .iter()
            .any(|(run, c)| run.contains(text) && c.split(' ').any(|have| have == class)),
        "{lang}: {text:?} has {class}"
    );
}

#[test]
fn unknown_languages_are_left_to_syntect() {
    assert!(highlight("rust", "fn main() {}\n").is_none());
    assert!(highlight("", "x\n").is_none());
    assert!(highlight("YAML", "a: 1\n").is_some());
    assert!(highlight("Dockerfile", "FROM x\n").is_some());
}

#[test]
fn lines_split_like_syntect_lines() {
    for lang in LANGUAGES {
        assert_eq!(check(lang, ""), Vec::<String>::new());
        assert_eq!(check(lang, "\n").len(), 1);
        assert_eq!(check(lang, "a\n\nb").len(), 3);
        assert_eq!(check(lang, "a\r\nb\r\n").len(), 2);
    }
}

#[test]
fn text_is_escaped_like_highlight_escape() {
    let lines = check("bash", "echo \"<b>&'\" > x\n");
    assert!(
        lines[0].contains("&quot;</span>&lt;b&gt;&amp;'<span"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains(">&gt;<"), "{}", lines[0]);
}

#[test]
fn yaml_kubernetes_manifest() {
    let code = r#"---
# The web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "web"   # quoted value
  labels: &labels
    app.kubernetes.io/name: web
    "quoted key": 'it''s'
spec:
  replicas: 3
  paused: false
  revisionHistoryLimit: null
  ratio: 0.75
  selector:
    matchLabels: *labels
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          args: ["--port", 8080, true]
          env: {LOG_LEVEL: debug, "X": 1}
          command:
            - /bin/sh
            - -c
            - |
              echo "starting" # not a comment
              exec nginx -g 'daemon off;'
          tag: !!str 42
          url: http://example.org/#anchor
          folded: >-
            one
            two
          after: done
...
"#;
    let yaml = |text, classes| assert_class("yaml", code, text, classes);
    yaml("---", "hl-entity hl-other hl-document hl-begin");
    yaml("...", "hl-entity hl-other hl-document hl-end");
    yaml(" The web tier", "hl-comment hl-line hl-number-sign");
    yaml("apiVersion", "hl-entity hl-name hl-tag");
    yaml("app.kubernetes.io/name", "hl-entity hl-name hl-tag");
    yaml("quoted key", "hl-entity hl-name hl-tag");
    yaml(":", "hl-punctuation hl-separator hl-key-value hl-mapping");
    yaml("apps/v1", "hl-string hl-unquoted hl-plain hl-out");
    yaml("web", "hl-string hl-quoted hl-double");
    yaml("''", "hl-constant hl-character hl-escape");
    yaml("3", "hl-constant hl-numeric hl-integer");
    yaml("false", "hl-constant hl-language hl-boolean");
    yaml("null", "hl-constant hl-language hl-null");
    yaml(".", "hl-punctuation hl-separator hl-decimal");
    yaml("&", "hl-punctuation hl-definition hl-anchor");
    yaml("labels", "hl-entity hl-name hl-other hl-anchor");
    yaml("*", "hl-punctuation hl-definition hl-alias");
    yaml("labels", "hl-variable hl-other hl-alias");
    yaml(
        "-",
        "hl-punctuation hl-definition hl-block hl-sequence hl-item",
    );
    yaml("-c", "hl-string hl-unquoted hl-plain hl-out");
    yaml("[", "hl-punctuation hl-definition hl-sequence hl-begin");
    yaml("8080", "hl-constant hl-numeric hl-integer");
    yaml("LOG_LEVEL", "hl-entity hl-name hl-tag");
    yaml("debug", "hl-string hl-unquoted hl-plain hl-in");
    yaml(
        "|",
        "hl-keyword hl-control hl-flow hl-block-scalar hl-literal",
    );
    yaml(
        ">",
        "hl-keyword hl-control hl-flow hl-block-scalar hl-folded",
    );
    yaml("-", "hl-storage hl-modifier hl-chomping-indicator");
    yaml(
        "              echo \"starting\" # not a comment",
        "hl-string hl-unquoted hl-block",
    );
    yaml("            two", "hl-string hl-unquoted hl-block");
    yaml("after", "hl-entity hl-name hl-tag");
    yaml("!!str", "hl-storage hl-type hl-tag-handle");
    yaml("42", "hl-constant hl-numeric hl-integer");
    yaml(
        "http://example.org/#anchor",
        "hl-string hl-unquoted hl-plain",
    );
}

#[test]
fn yaml_multi_line_quoted_strings_and_flow_collections() {
    let code = "a: \"one\n  two\"\nb: [x,\n  y]  # c\nc: 'it\n  goes'\n";
    let lines = check("yaml", code);
    assert!(
        lines[1].contains("hl-string hl-quoted hl-double"),
        "{}",
        lines[1]
    );
    assert!(lines[3].contains("hl-comment"), "{}", lines[3]);
    assert!(
        lines[5].contains("hl-string hl-quoted hl-single"),
        "{}",
        lines[5]
    );
    assert_class("yaml", code, "y", "hl-string hl-unquoted hl-plain hl-in");
}

#[test]
fn shell_script() {
    let code = r#"#!/usr/bin/env bash
set -euo pipefail
# Deploy one service.
NAME="web-${ENV:-prod}" # trailing comment
for f in $(ls *.yaml); do
  echo "file: $f and 'quotes' $(date +%s)" | grep -v '#x' >> /tmp/out 2>&1
done
if [[ -n "$X" && $Y -gt 3 ]]; then exit 1; fi
kubectl get pods -n kube-system --selector=app=web
cat <<EOF > values.txt
name: $NAME
EOF
deploy() {
  local ns=$1
  export KUBECONFIG=~/.kube/config
  return 0
}
echo a#b ${#items[@]} $((1 + 2)) `date`
"#;
    let sh = |text, classes| assert_class("bash", code, text, classes);
    sh("#", "hl-punctuation hl-definition hl-comment");
    sh(" Deploy one service.", "hl-comment hl-line hl-number-sign");
    sh("set", "hl-support hl-function");
    sh("euo", "hl-variable hl-parameter hl-option");
    sh("NAME", "hl-variable hl-other hl-readwrite hl-assignment");
    sh("=", "hl-keyword hl-operator hl-assignment");
    sh("ENV", "hl-variable hl-other hl-readwrite");
    sh(":-", "hl-keyword hl-operator");
    sh("prod", "hl-meta hl-group hl-expansion hl-parameter");
    sh("for", "hl-keyword hl-control");
    sh("in", "hl-keyword hl-control");
    sh("ls", "hl-variable hl-function");
    sh("*", "hl-keyword hl-operator hl-regexp");
    sh("echo", "hl-support hl-function");
    sh("f", "hl-variable hl-other hl-readwrite");
    sh("file: ", "hl-string hl-quoted hl-double");
    sh("date", "hl-variable hl-function");
    sh("|", "hl-keyword hl-operator hl-logical hl-pipe");
    sh("#x", "hl-string hl-quoted hl-single");
    sh(">>", "hl-keyword hl-operator hl-redirection");
    sh("2", "hl-constant hl-numeric hl-file-descriptor");
    sh("&&", "hl-keyword hl-operator hl-logical");
    sh("[[", "hl-support hl-function hl-double-brace");
    sh("]]", "hl-support hl-function hl-double-brace");
    sh("kubectl", "hl-variable hl-function");
    sh("selector", "hl-variable hl-parameter hl-option");
    sh("<<", "hl-keyword hl-operator hl-redirection");
    sh("EOF", "hl-keyword hl-control hl-heredoc-token");
    sh("name: ", "hl-string hl-unquoted hl-heredoc");
    sh("NAME", "hl-variable hl-other hl-readwrite");
    sh("deploy", "hl-entity hl-name hl-function");
    sh("local", "hl-storage hl-modifier");
    sh("ns", "hl-variable hl-other hl-readwrite hl-assignment");
    sh("1", "hl-variable hl-other hl-readwrite");
    sh("~", "hl-variable hl-language hl-tilde");
    sh("return", "hl-keyword hl-control hl-flow");
    sh("@", "hl-variable hl-language hl-array");
    sh("+", "hl-keyword hl-operator hl-arithmetic");
    sh("`", "hl-punctuation hl-section hl-group hl-begin");
    // A `#` inside a word is not a comment.
    assert_not_class("bash", code, "a#b", "hl-comment");
}

#[test]
fn shell_quotes_inside_quotes_and_continuations() {
    let code =
        "echo \"outer $(printf '%s' \"inner ${X:-\"y\"}\") end\" \\\n  --flag 'multi\nline'\nls\n";
    let lines = check("bash", code);
    assert_class("bash", code, "inner ", "hl-string hl-quoted hl-double");
    assert_class("bash", code, " end", "hl-string hl-quoted hl-double");
    assert_class("bash", code, "y", "hl-string hl-quoted hl-double");
    assert_class("bash", code, "flag", "hl-variable hl-parameter hl-option");
    // The single-quoted string goes on into the third line, inside the arguments.
    assert!(
        lines[2].starts_with(
            "<span class=\"hl-source hl-shell hl-bash\">\
             <span class=\"hl-meta hl-function-call hl-arguments hl-shell\">\
             <span class=\"hl-string hl-quoted hl-single hl-shell\">line"
        ),
        "{}",
        lines[2]
    );
    assert_class("bash", code, "ls", "hl-variable hl-function");
}

#[test]
fn console_session_prompts_and_output() {
    let code = "$ kubectl get pods -n web\nNAME    READY   STATUS\nweb-1   1/1     Running\n\
                $ echo \"done\" \\\n    --more # ok\ndone\n# systemctl restart nginx\n\
                $ cat <<EOF\n$ not a prompt\nEOF\n";
    let lines = check("console", code);
    assert_class(
        "console",
        code,
        "$",
        "hl-punctuation hl-separator hl-prompt",
    );
    assert_class("console", code, "kubectl", "hl-variable hl-function");
    assert_class("console", code, "systemctl", "hl-variable hl-function");
    assert_class(
        "console",
        code,
        "more",
        "hl-variable hl-parameter hl-option",
    );
    assert_class(
        "console",
        code,
        "$ not a prompt",
        "hl-string hl-unquoted hl-heredoc",
    );
    // Output lines are plain text.
    assert_eq!(
        lines[1],
        "<span class=\"hl-source hl-shell hl-bash\">NAME    READY   STATUS</span>"
    );
    assert_eq!(
        lines[5],
        "<span class=\"hl-source hl-shell hl-bash\">done</span>"
    );
}

#[test]
fn go_program() {
    let code = r#"package main

import (
	"fmt"
	"os"
)

// Pair holds two values.
/* block
   comment */
type Pair[K comparable, V any] struct {
	Key   K `json:"key"`
	Value V
	Timeout time.Duration
}

func (p *Pair[K, V]) String(ctx context.Context, n int) (string, error) {
	r := 'x'
	s := `raw
string`
	n := 0x1F + 3.14e-2
	if err := run(); err != nil {
		return fmt.Sprintf("%v %d\n", p.Key, len(s)), nil
	}
	cfg := Config{Port: 80}
	go func(worker int) { defer close(ch) }(1)
	return true
}
"#;
    let go = |text, classes| assert_class("go", code, text, classes);
    go("package", "hl-keyword hl-other hl-package");
    go("import", "hl-keyword hl-other hl-import");
    go("fmt", "hl-string hl-quoted hl-double");
    go(" Pair holds two values.", "hl-comment hl-line");
    go("   comment ", "hl-comment hl-block");
    go("*/", "hl-punctuation hl-definition hl-comment hl-end");
    go("type", "hl-storage hl-type hl-keyword");
    go("Pair", "hl-entity hl-name hl-type");
    go("struct", "hl-storage hl-type hl-keyword hl-struct");
    go("Key", "hl-variable hl-other hl-member hl-declaration");
    go("json:\"key\"", "hl-string hl-quoted hl-other");
    go("Timeout", "hl-variable hl-other hl-member hl-declaration");
    go("Duration", "hl-storage hl-type");
    go("func", "hl-storage hl-type hl-keyword hl-function");
    go("p", "hl-variable hl-parameter");
    go("String", "hl-entity hl-name hl-function");
    go("ctx", "hl-variable hl-parameter");
    go("Context", "hl-storage hl-type");
    go("int", "hl-support hl-type hl-builtin");
    go("error", "hl-support hl-type hl-builtin");
    go("'x'", "hl-constant hl-character");
    go("string", "hl-string hl-quoted hl-other");
    go("0x", "hl-punctuation hl-definition hl-numeric hl-base");
    go("r", "hl-variable hl-declaration");
    go(":=", "hl-keyword hl-operator hl-assignment");
    go("if", "hl-keyword hl-control");
    go("nil", "hl-constant hl-language");
    go("Sprintf", "hl-variable hl-function");
    go("%v", "hl-constant hl-other hl-placeholder");
    go("\\n", "hl-constant hl-character hl-escape");
    go("len", "hl-support hl-function hl-builtin");
    go("Key", "hl-variable hl-other hl-member");
    go("Config", "hl-storage hl-type");
    go("worker", "hl-variable hl-parameter");
    go("close", "hl-support hl-function hl-builtin");
    go("true", "hl-constant hl-language");
}

#[test]
fn python_program() {
    let code = r#"#!/usr/bin/env python3
"""Module docstring
spanning lines."""
import os
from pathlib import Path

MAX_RETRIES = 3

@dataclass(frozen=True)
class Settings(Base):
    name: str = "x"

    @classmethod
    def from_env(cls, n: int = 3) -> "Settings":
        # comment
        x = f"hello {name!r} {n + 1:>4} {{literal}}"
        y = r'\d+' + b"bytes" + "%s done" % n
        if x is None and not y:
            return len([1, 2.5, 0x10])
        print(True, False, None, self.name, os.environ.get("HOME"))
        raise ValueError(f"""multi
line {x}""")
"#;
    let py = |text, classes| assert_class("python", code, text, classes);
    py("!/usr/bin/env python3", "hl-comment hl-line hl-number-sign");
    py("Module docstring", "hl-comment hl-block hl-documentation");
    py("spanning lines.", "hl-comment hl-block hl-documentation");
    py("import", "hl-keyword hl-control hl-import");
    py("from", "hl-keyword hl-control hl-import");
    py("MAX_RETRIES", "hl-variable hl-other hl-constant");
    py("@", "hl-punctuation hl-definition hl-annotation");
    py("dataclass", "hl-variable hl-annotation hl-function");
    py("frozen", "hl-variable hl-parameter");
    py("True", "hl-constant hl-language");
    py("class", "hl-keyword hl-declaration hl-class");
    py("Settings", "hl-entity hl-name hl-class");
    py("Base", "hl-entity hl-other hl-inherited-class");
    py("str", "hl-support hl-type");
    py("classmethod", "hl-support hl-function hl-builtin");
    py("def", "hl-keyword hl-declaration hl-function");
    py("from_env", "hl-entity hl-name hl-function");
    py("cls", "hl-variable hl-parameter");
    py("n", "hl-variable hl-parameter");
    py("->", "hl-punctuation hl-separator hl-annotation hl-return");
    py("f", "hl-storage hl-type hl-string");
    py("{", "hl-punctuation hl-section hl-interpolation hl-begin");
    py("!r", "hl-storage hl-modifier hl-conversion");
    py(":>4", "hl-constant hl-other hl-format-spec");
    py("{{", "hl-constant hl-character hl-escape");
    py("r", "hl-storage hl-type hl-string");
    py("%s", "hl-constant hl-other hl-placeholder");
    py("is", "hl-keyword hl-operator hl-logical");
    py("return", "hl-keyword hl-control hl-flow");
    py("len", "hl-support hl-function hl-builtin");
    py("2", "hl-constant hl-numeric hl-float");
    py("0x", "hl-punctuation hl-definition hl-numeric hl-base");
    py("print", "hl-support hl-function hl-builtin");
    py("self", "hl-variable hl-language");
    py("get", "hl-variable hl-function");
    py("ValueError", "hl-support hl-type hl-exception");
    py("line ", "hl-string hl-quoted hl-double hl-block");
    py("x", "hl-meta hl-interpolation");
}

#[test]
fn python_builtins_exceptions_and_format_strings_as_syntect_reads_them() {
    let code = r#"from app.errors import ToolError
items = sorted(map(str, range(3)), key=len)
raise ToolError(f"bad {name.upper()} {{x}}") from KeyError("k")
msg = "{} of {total:>4} {0.name!r} {{literal}} {\"json\": 1}".format(1)
def __init__(self): pass
"#;
    let py = |text, classes| assert_class("python", code, text, classes);
    // User-defined exceptions are plain names; builtin ones are support types.
    assert_not_class("python", code, "ToolError", "hl-exception");
    py("KeyError", "hl-support hl-type hl-exception");
    // `range` and `type` are builtin functions to syntect, and so are bare references.
    py("range", "hl-support hl-function hl-builtin");
    py("len", "hl-support hl-function hl-builtin");
    py("str", "hl-support hl-type");
    // An f-string's expression is code, outside the string's span.
    py("name.", "hl-meta hl-interpolation");
    assert_not_class("python", code, "name", "hl-string");
    py("upper", "hl-variable hl-function");
    py("{{", "hl-constant hl-character hl-escape");
    // `str.format` replacement fields.
    py("{", "hl-punctuation hl-definition hl-placeholder hl-begin");
    py("total", "hl-constant hl-other hl-placeholder");
    py(":>4", "hl-constant hl-other hl-format-spec");
    py("!r", "hl-storage hl-modifier hl-conversion");
    py("}}", "hl-constant hl-character hl-escape");
    py(": 1}", "hl-string hl-quoted hl-double");
    py("__init__", "hl-support hl-function hl-magic");
}

#[test]
fn go_types_in_literals_signatures_and_assertions() {
    let code = "names := []string{\"a\"}\nm := map[string]int{}\nfunc run(fn func(context.Context) error) {}\nobs.(prometheus.Observer).Observe(1)\n";
    let go = |text, classes| assert_class("go", code, text, classes);
    go("string", "hl-support hl-type hl-builtin");
    go("int", "hl-support hl-type hl-builtin");
    go("Context", "hl-storage hl-type");
    assert_not_class("go", code, "Context", "hl-member");
    go("Observer", "hl-storage hl-type");
    go("Observe", "hl-variable hl-function");
}

#[test]
fn yaml_merge_keys_and_timestamps() {
    let code = "base: &b\n  <<: *b\n  day: 2024-01-31\n  at: 2024-01-31T09:30:00Z\n  year: 2024\n  not: 2024-01-31 x\n";
    let yaml = |text, classes| assert_class("yaml", code, text, classes);
    yaml("<<", "hl-constant hl-language hl-merge");
    yaml("2024-01-31", "hl-constant hl-other hl-timestamp");
    yaml("2024-01-31T09:30:00Z", "hl-constant hl-other hl-timestamp");
    yaml("2024", "hl-constant hl-numeric hl-integer");
    yaml("2024-01-31 x", "hl-string hl-unquoted hl-plain");
}

#[test]
fn end_of_options_and_copy_from_stage() {
    let code = "kubectl exec deploy/web -- cat /etc/resolv.conf\n";
    assert_class(
        "bash",
        code,
        "--",
        "hl-keyword hl-operator hl-end-of-options",
    );
    let code = "COPY --from=build /out/app /app\n";
    assert_class("dockerfile", code, "build", "hl-variable hl-stage-name");
}

#[test]
fn json_document() {
    let code = "{\n  \"name\": \"web\",\n  \"replicas\": 3,\n  \"ratio\": -1.5e3,\n  \"on\": true,\n  \
                \"none\": null,\n  \"list\": [\"a\\\"b\", 1, false],\n  // jsonc\n  /* block\n  */ \
                \"nested\": {\"k\": {}}\n}\n";
    let json = |text, classes| assert_class("jsonc", code, text, classes);
    json("name", "hl-string hl-quoted hl-double");
    json("web", "hl-string hl-quoted hl-double");
    json("3", "hl-constant hl-numeric hl-integer");
    json("true", "hl-constant hl-language");
    json("null", "hl-constant hl-language");
    json("\\\"", "hl-constant hl-character hl-escape");
    json(" jsonc", "hl-comment hl-line");
    json("  ", "hl-comment hl-block");
    json(":", "hl-punctuation hl-separator hl-mapping hl-key-value");
    json(",", "hl-punctuation hl-separator hl-sequence");
    let lines = check("json", code);
    // Keys are inside `meta.mapping.key`, which Monokai colours apart from values.
    assert!(lines[1].contains(
        "<span class=\"hl-meta hl-mapping hl-key hl-json\"><span class=\"hl-string hl-quoted hl-double hl-json\">"
    ));
    assert!(lines[3].contains("<span class=\"hl-constant hl-numeric hl-float hl-decimal hl-json\">-1<span class=\"hl-punctuation hl-separator hl-decimal hl-json\">.</span>5e3</span>"), "{}", lines[3]);
}

#[test]
fn toml_document() {
    let code = r#"# config
title = "TOML"
[server]
host = "0.0.0.0"
port = 8080
enabled = true
ratio = 0.5
started = 1979-05-27T07:32:00Z
day = 1979-05-27
tags = ["a", 'b',
  "c"]
"quoted.key" = 1
physical.color = "orange"
inline = { x = 1, y = "z" }
[[plugins]]
name = """
multi "quoted"
line"""
path = 'C:\path'
[plugins."io.containerd".registry]
"#;
    let toml = |text, classes| assert_class("toml", code, text, classes);
    toml(" config", "hl-comment hl-line hl-number-sign");
    toml("title", "hl-entity hl-name hl-tag");
    toml("=", "hl-punctuation hl-definition hl-key-value");
    toml("TOML", "hl-string hl-quoted hl-double hl-basic");
    toml("server", "hl-entity hl-name hl-table");
    toml("[", "hl-punctuation hl-definition hl-table hl-begin");
    toml("8080", "hl-constant hl-numeric hl-integer");
    toml("true", "hl-constant hl-language");
    toml("0.5", "hl-constant hl-numeric hl-float");
    toml("1979-05-27T07:32:00Z", "hl-constant hl-other hl-datetime");
    toml("1979-05-27", "hl-constant hl-other hl-datetime");
    toml("b", "hl-string hl-quoted hl-single hl-literal");
    toml("c", "hl-string hl-quoted hl-double hl-basic");
    toml("quoted.key", "hl-string hl-quoted hl-double hl-basic");
    toml("color", "hl-entity hl-name hl-tag");
    toml("{", "hl-punctuation hl-definition hl-inline-table hl-begin");
    toml("y", "hl-entity hl-name hl-tag");
    toml(
        "[[",
        "hl-punctuation hl-definition hl-table hl-array hl-begin",
    );
    toml("plugins", "hl-entity hl-name hl-table");
    toml(
        "multi \"quoted\"",
        "hl-string hl-quoted hl-triple hl-basic hl-block",
    );
    toml("C:\\path", "hl-string hl-quoted hl-single hl-literal");
    toml("io.containerd", "hl-string hl-quoted hl-double");
    toml("registry", "hl-entity hl-name hl-table");
}

#[test]
fn dockerfile_with_shell_and_heredocs() {
    let code = r#"# syntax=docker/dockerfile:1
FROM --platform=$BUILDPLATFORM golang:1.25 AS build
ARG VERSION=dev
ENV CGO_ENABLED=0 \
    GOOS=linux
LABEL org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/app /app
RUN --mount=type=cache,target=/go/pkg/mod \
    apt-get update && \
    # a comment inside the command
    apt-get install -y curl \
    && rm -rf /var/lib/apt/lists/*
RUN <<EOF
set -e
echo "hi $VERSION"
EOF
COPY <<EOF /etc/app.conf
port = 8080
EOF
HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1
ENTRYPOINT ["/app", "--port", "8080"]
CMD ["serve"]
"#;
    let docker = |text, classes| assert_class("dockerfile", code, text, classes);
    docker(" syntax=docker/dockerfile:1", "hl-comment");
    docker("FROM", "hl-keyword hl-control");
    docker("platform", "hl-variable hl-parameter hl-option");
    docker("BUILDPLATFORM", "hl-variable hl-other hl-readwrite");
    docker("1.25", "hl-entity hl-name hl-enum hl-tag-digest");
    docker("AS", "hl-keyword hl-control");
    docker("build", "hl-variable hl-stage-name");
    docker("VERSION", "hl-variable hl-other");
    docker("GOOS", "hl-variable hl-other");
    docker("apt-get", "hl-variable hl-function");
    docker(" install ", "hl-meta hl-function-call hl-arguments");
    docker(" a comment inside the command", "hl-comment");
    docker("rm", "hl-variable hl-function");
    docker("set", "hl-support hl-function");
    docker("hi ", "hl-string hl-quoted hl-double");
    docker("port = 8080", "hl-string hl-unquoted hl-heredoc");
    docker("EOF", "hl-keyword hl-control hl-heredoc-token");
    docker("CMD", "hl-keyword hl-control");
    docker("curl", "hl-variable hl-function");
    docker("/app", "hl-string hl-quoted hl-double");
    docker("ENTRYPOINT", "hl-keyword hl-control");
}

/// A small deterministic generator (xorshift), so the random inputs are the same every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn random_input_keeps_its_text_and_never_panics() {
    // Fragments that open and close every construct the lexers know, mixed at random.
    let fragments = [
        "\"",
        "'",
        "`",
        "\"\"\"",
        "'''",
        "$(",
        "${",
        "$((",
        "))",
        ")",
        "(",
        "{",
        "}",
        "[",
        "]",
        "[[",
        "]]",
        "<<EOF",
        "<<-'X'",
        "EOF",
        "X",
        "\n",
        "\n",
        "\n",
        "\r\n",
        " ",
        "\t",
        "#",
        "//",
        "/*",
        "*/",
        "\\",
        "\\\n",
        ": ",
        ":",
        "- ",
        "? ",
        "|",
        ">-",
        "&a",
        "*a",
        "!!t",
        "---",
        "...",
        "=",
        ",",
        ";",
        "&&",
        "||",
        "|&",
        ">&",
        "2>",
        "<(",
        "$ ",
        "# ",
        "$",
        "@",
        "f\"",
        "r'",
        "b'''",
        "{x!r:>4}",
        "%s",
        "%v",
        "0x1F",
        "1.5e3",
        "-",
        "--opt=",
        "key",
        "name",
        "é",
        "日本",
        "🦀",
        "\u{0}",
        "<",
        ">",
        "&",
        "RUN ",
        "FROM ",
        "CMD [",
        "ENV a=",
        "func ",
        "def ",
        "class ",
        "type ",
        "struct",
        "case ",
        "esac",
        "in ",
        "do",
        "done",
        "if ",
        "fi",
        "for ",
        "import ",
        "true",
        "null",
        "1979-05-27",
        "[[x]]",
        "\"\"",
        "''",
        "`",
        "\\\"",
        "\\'",
        "${#",
        "$'",
        "COPY <<X ",
        "HEALTHCHECK CMD ",
        "'''\n",
        "\"\"\"\n",
    ];
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    for round in 0..4000 {
        let len = (random.next() % 40) as usize;
        let code: String = (0..len).map(|_| random.pick(&fragments)).collect();
        check(LANGUAGES[round % LANGUAGES.len()], &code);
    }
    // Random ASCII, punctuation-heavy, with tabs, CRs and control bytes.
    for round in 0..4000 {
        let len = (random.next() % 120) as usize;
        let code: String = (0..len)
            .map(|_| char::from((random.next() % 128) as u8))
            .collect();
        check(LANGUAGES[round % LANGUAGES.len()], &code);
    }
    // Random bytes (ASCII and beyond), made valid UTF-8 the lossy way.
    for round in 0..4000 {
        let len = (random.next() % 120) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
        let code = String::from_utf8_lossy(&bytes);
        check(LANGUAGES[round % LANGUAGES.len()], &code);
    }
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 100_000;
    for (open, lang) in [
        ("$(", "bash"),
        ("\"$(", "bash"),
        ("${", "bash"),
        ("`", "bash"),
        ("[", "yaml"),
        ("{", "json"),
        ("[", "toml"),
        ("(", "python"),
        ("{", "go"),
    ] {
        check(lang, &(open.repeat(depth) + "\n"));
    }
}

#[test]
fn every_code_block_of_the_bundled_blog_and_the_fixtures_keeps_its_text() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = crate::config::MarkdownConfig::default();
    let mut checked = 0;
    let entries = ["content", "tests/fixtures"]
        .into_iter()
        .flat_map(|dir| walkdir::WalkDir::new(root.join(dir)).sort_by_file_name());
    for entry in entries {
        let entry = entry.expect("content/ and tests/fixtures/ are readable");
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("a Markdown file");
        for block in crate::markdown::code_blocks(&text, &config, 1) {
            let Ok(info) = &block.info else { continue };
            let Some(lang) = info.lang.as_deref() else {
                continue;
            };
            if highlight(lang, &block.code).is_some() {
                check(lang, &block.code);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} blocks checked");
}
