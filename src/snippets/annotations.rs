//! Snippet annotations: `test=skip|fragment|fail`, `reason=`, `k8s=`, `schema=`, `run`,
//! `timeout=`, from the fence's info string, the page's `[snippets]` front matter and
//! site.toml's `[snippets]` table, in that order of precedence.
//!
//! An attribute that is neither an annotation nor one the renderer uses (`linenos`, `name`...)
//! is an error listing the known ones when it is a bare word (`yaml skip`: a `test=` left out)
//! or a name one typo away from a known one (`tset=skip`): such a block must not silently be
//! checked differently than its author meant. Other `key=value` attributes are the theme's.

use super::{Finding, PageSnippets, SnippetConfig};
use crate::diagnostics::suggest;
use crate::markdown::fence::{Attr, FenceInfo, RENDER_ATTRS, SNIPPET_ATTRS};

/// What `test=` asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TestMode {
    /// The default: check everything.
    Check,
    /// Do not check; the reason is listed in the report.
    Skip(String),
    /// A partial manifest: required fields relaxed, unknown fields and types still checked.
    Fragment,
    /// An example meant to be wrong: passes only if the check fails.
    Fail,
}

/// The resolved annotations of one block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Annotations {
    pub test: TestMode,
    /// Kubernetes version to validate against (`1.29`), already checked to be available.
    pub k8s: Option<String>,
    /// A schema by vendored name (`github-workflow`) or path relative to the site root.
    pub schema: Option<String>,
    pub run: bool,
    /// Time limit of a `run` block, in seconds.
    pub timeout: Option<u64>,
}

const KNOWN: &str = "test=skip|fragment|fail, reason=\"...\", k8s=1.NN, schema=NAME|PATH, run, \
                     timeout=SECONDS (and for rendering: linenos, linenostart, hl_lines, \
                     hide_lines, name, title)";

/// The values `test=` takes: written alone (```` ```yaml skip ````), they are a `test=` left out.
const TEST_VALUES: &[&str] = &["skip", "fragment", "fail"];

/// The error for an attribute that is neither an annotation nor a rendering one, or `None`
/// when it is the theme's. A theme attribute (`copy=false` becomes `data-copy` on the code
/// element) has a value and a name unlike the annotations; a bare word galley does not know,
/// or a name one typo away from an annotation, is a mistake that must not silently leave the
/// block checked differently than its author meant.
fn unknown_attribute(attr: &Attr) -> Option<Finding> {
    let key = attr.key.as_str();
    let meant = if let Some(value) = suggest(key, TEST_VALUES.iter().copied()) {
        Some(format!("test={value}"))
    } else {
        let names = SNIPPET_ATTRS.iter().chain(RENDER_ATTRS).copied();
        suggest(key, names).map(|name| match &attr.value {
            Some(value) => format!("{name}={value}"),
            None => name.to_owned(),
        })
    };
    if meant.is_none() && attr.value.is_some() {
        return None;
    }
    let did_you_mean = meant.map_or_else(String::new, |m| format!("did you mean `{m}`? "));
    Some(
        fence_error(
            "snippet/unknown-annotation",
            format!("unknown annotation `{key}` in the code block's info string"),
        )
        .hint(format!(
            "{did_you_mean}known annotations: {KNOWN}; an attribute for the theme takes a value \
             and a name unlike these (`copy=false`)"
        )),
    )
}

/// One layer of settings, from the most specific (the fence) to the least (site.toml).
struct Layer<'a> {
    test: Option<&'a str>,
    reason: Option<&'a str>,
    k8s: Option<&'a str>,
    schema: Option<&'a str>,
    run: Option<bool>,
    timeout: Option<u64>,
    origin: &'static str,
}

/// Resolves a block's annotations; `Err` is a finding on the fence line.
pub fn resolve(
    info: &FenceInfo,
    page: Option<&PageSnippets>,
    site: &SnippetConfig,
    k8s_versions: &[String],
) -> Result<Annotations, Finding> {
    for attr in &info.attrs {
        let key = attr.key.as_str();
        if RENDER_ATTRS.contains(&key) || SNIPPET_ATTRS.contains(&key) {
            continue;
        }
        if let Some(error) = unknown_attribute(attr) {
            return Err(error);
        }
    }
    let run = match info.get("run") {
        None => None,
        Some("" | "true" | "yes") => Some(true),
        Some("false" | "no") => Some(false),
        Some(other) => {
            return Err(fence_error(
                "snippet/annotation-value",
                format!("invalid value `run={other}`"),
            )
            .hint("write `run` (or `run=false` to turn off a page or site default)"));
        }
    };
    let timeout = match info.get("timeout") {
        None => None,
        Some(text) => Some(parse_timeout(text)?),
    };
    let fence = Layer {
        test: info.get("test"),
        reason: info.get("reason"),
        k8s: info.get("k8s"),
        schema: info.get("schema"),
        run,
        timeout,
        origin: "info string",
    };
    let page_layer = page.map(|p| Layer {
        test: p.test.as_deref(),
        reason: p.reason.as_deref(),
        k8s: p.k8s.as_deref(),
        schema: p.schema.as_deref(),
        run: p.run,
        timeout: p.timeout,
        origin: "page front matter",
    });
    let site_layer = Layer {
        test: site.test.as_deref(),
        reason: site.reason.as_deref(),
        k8s: site.k8s.as_deref(),
        schema: None,
        run: site.run,
        timeout: site.timeout,
        origin: "site.toml [snippets]",
    };
    let layers: Vec<&Layer> = std::iter::once(&fence)
        .chain(page_layer.as_ref())
        .chain(std::iter::once(&site_layer))
        .collect();
    let first =
        |get: &dyn Fn(&Layer) -> Option<(&'static str, String)>| layers.iter().find_map(|l| get(l));

    let test = match first(&|l| l.test.map(|t| (l.origin, t.to_owned()))) {
        None => TestMode::Check,
        Some((origin, value)) => match value.as_str() {
            "skip" => {
                let reason = first(&|l| l.reason.map(|r| (l.origin, r.to_owned())))
                    .map(|(_, r)| r)
                    .filter(|r| !r.trim().is_empty())
                    .unwrap_or_else(|| "marked test=skip".to_owned());
                TestMode::Skip(reason)
            }
            "fragment" => TestMode::Fragment,
            "fail" => TestMode::Fail,
            "check" | "" => TestMode::Check,
            other => {
                let hint = match suggest(other, ["skip", "fragment", "fail"]) {
                    Some(close) => format!("did you mean `test={close}`? "),
                    None => String::new(),
                };
                return Err(fence_error(
                    "snippet/annotation-value",
                    format!("unknown value `test={other}` (from the {origin})"),
                )
                .hint(format!(
                    "{hint}test= takes skip (with reason=\"...\"), fragment or fail"
                )));
            }
        },
    };
    let k8s = match first(&|l| l.k8s.map(|v| (l.origin, v.to_owned()))) {
        None => None,
        Some((origin, version)) => Some(k8s_version(&version, origin, k8s_versions)?),
    };
    let schema = first(&|l| l.schema.map(|v| (l.origin, v.to_owned()))).map(|(_, s)| s);
    let run =
        first(&|l| l.run.map(|v| (l.origin, v.to_string()))).is_some_and(|(_, v)| v == "true");
    let timeout = layers.iter().find_map(|l| l.timeout);
    Ok(Annotations {
        test,
        k8s,
        schema,
        run,
        timeout,
    })
}

fn parse_timeout(text: &str) -> Result<u64, Finding> {
    let digits = text.trim().trim_end_matches('s');
    digits
        .parse::<u64>()
        .ok()
        .filter(|&t| t > 0)
        .ok_or_else(|| {
            fence_error(
                "snippet/annotation-value",
                format!("invalid value `timeout={text}`"),
            )
            .hint("timeout= takes a number of seconds, such as timeout=30")
        })
}

/// `1.29`, `v1.29`, `1.29.3` -> `1.29`, if that version's schemas are vendored.
pub fn k8s_version(text: &str, origin: &str, available: &[String]) -> Result<String, Finding> {
    let trimmed = text.trim().trim_start_matches('v');
    let mut parts = trimmed.split('.');
    let minor = match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => format!("{major}.{minor}"),
        _ => trimmed.to_owned(),
    };
    if available.contains(&minor) {
        return Ok(minor);
    }
    Err(fence_error(
        "snippet/k8s-version",
        format!("no Kubernetes {text} schemas (k8s={text} in the {origin})"),
    )
    .hint(format!(
        "galley ships the schemas of Kubernetes {}",
        available.join(", ")
    )))
}

fn fence_error(code: &str, message: String) -> Finding {
    Finding::error(code, message, 0, 1)
}

#[cfg(test)]
mod tests {
    use super::{TestMode, resolve};
    use crate::markdown::fence::FenceInfo;
    use crate::snippets::{PageSnippets, SnippetConfig};

    fn versions() -> Vec<String> {
        vec!["1.29".into(), "1.37".into()]
    }

    fn annotations(info: &str) -> Result<super::Annotations, super::Finding> {
        resolve(
            &FenceInfo::parse(info).unwrap(),
            None,
            &SnippetConfig::default(),
            &versions(),
        )
    }

    #[test]
    fn skip_keeps_its_reason() {
        let a = annotations(r#"yaml,test=skip,reason="needs a cluster, really""#).unwrap();
        assert_eq!(a.test, TestMode::Skip("needs a cluster, really".into()));
    }

    #[test]
    fn unknown_annotation_lists_the_known_ones_and_suggests() {
        let error = annotations("yaml,tst=skip").unwrap_err();
        assert_eq!(error.code, "snippet/unknown-annotation");
        let hint = error.hint.unwrap();
        assert!(hint.contains("did you mean `test=skip`"), "{hint}");
        assert!(hint.contains("fragment"), "{hint}");
    }

    #[test]
    fn a_bare_test_value_is_an_unknown_annotation_with_a_suggestion() {
        for (info, word, meant) in [
            ("yaml skip", "skip", "test=skip"),
            ("yaml,fail", "fail", "test=fail"),
            ("yaml fragment", "fragment", "test=fragment"),
            ("yaml,tset=skip", "tset", "test=skip"),
            ("yaml,k8=1.30", "k8", "k8s=1.30"),
        ] {
            let error = annotations(info).unwrap_err();
            assert_eq!(error.code, "snippet/unknown-annotation", "{info}");
            assert_eq!(error.line, 0, "{info}: on the fence line");
            assert!(
                error.message.contains(&format!("`{word}`")),
                "{info}: {}",
                error.message
            );
            let hint = error.hint.unwrap();
            assert!(
                hint.contains(&format!("did you mean `{meant}`?")),
                "{info}: {hint}"
            );
            assert!(
                hint.contains("timeout="),
                "{info}: lists the known ones: {hint}"
            );
        }
    }

    #[test]
    fn an_unknown_bare_word_is_an_error_even_without_a_suggestion() {
        let error = annotations("yaml,frobnicate").unwrap_err();
        assert_eq!(error.code, "snippet/unknown-annotation");
        assert!(!error.hint.unwrap().contains("did you mean"));
    }

    #[test]
    fn attributes_for_the_theme_pass_through() {
        assert!(annotations("sh,copy=false,data-theme=x").is_ok());
    }

    #[test]
    fn unknown_test_value_is_an_error() {
        let error = annotations("yaml,test=frgment").unwrap_err();
        assert!(error.hint.unwrap().contains("test=fragment"));
    }

    #[test]
    fn k8s_versions_are_normalised_and_checked() {
        assert_eq!(
            annotations("yaml,k8s=v1.29.4").unwrap().k8s.as_deref(),
            Some("1.29")
        );
        let error = annotations("yaml,k8s=1.12").unwrap_err();
        assert!(error.hint.unwrap().contains("1.29, 1.37"));
    }

    #[test]
    fn page_settings_apply_below_the_fence() {
        let page = PageSnippets {
            test: Some("fragment".into()),
            k8s: Some("1.29".into()),
            ..PageSnippets::default()
        };
        let site = SnippetConfig {
            run: Some(true),
            ..SnippetConfig::default()
        };
        let info = FenceInfo::parse("yaml").unwrap();
        let a = resolve(&info, Some(&page), &site, &versions()).unwrap();
        assert_eq!(a.test, TestMode::Fragment);
        assert_eq!(a.k8s.as_deref(), Some("1.29"));
        assert!(a.run);
        let info = FenceInfo::parse("yaml,test=fail,run=false").unwrap();
        let a = resolve(&info, Some(&page), &site, &versions()).unwrap();
        assert_eq!(a.test, TestMode::Fail);
        assert!(!a.run);
    }

    #[test]
    fn rendering_attributes_are_not_annotations_but_are_allowed() {
        assert!(annotations("yaml,name=x.yaml,linenos,hl_lines=1-2").is_ok());
        assert!(annotations("yaml,title=x,linenostart=3,hide_lines=1").is_ok());
    }
}
