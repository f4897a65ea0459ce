//! Templates: Tera loading, the views that are the theme API, filters and functions.
//!
//! Templates come from `themes/<theme>/templates/`, overridden file by file by the site's
//! `templates/`. Every Tera error becomes a diagnostic naming the template file, its line and
//! column, and the page being rendered.

pub mod escape;
pub mod functions;
pub mod layout;
pub mod views;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tera::{Context, Tera};
use walkdir::WalkDir;

pub use self::functions::{Lookup, SharedLookup};
use crate::diagnostics::{Diagnostic, Error, Location, Result, nth_line, suggest};

/// A folder of templates and how to show its files in messages.
#[derive(Debug, Clone)]
pub struct TemplateDir {
    pub path: PathBuf,
    /// `themes/default/templates`.
    pub display: String,
}

/// The loaded templates of one site.
pub struct Templates {
    tera: Tera,
    /// Template name -> (file as shown to the user, its text).
    files: BTreeMap<String, (String, String)>,
    lookup: SharedLookup,
}

impl Templates {
    /// Loads every file of `dirs`, later folders overriding earlier ones by name.
    pub fn load(dirs: &[TemplateDir]) -> Result<Templates> {
        let mut files: BTreeMap<String, (String, String)> = BTreeMap::new();
        for dir in dirs.iter().filter(|d| d.path.is_dir()) {
            for entry in WalkDir::new(&dir.path).sort_by_file_name() {
                let entry = entry.map_err(|e| crate::content::walk::walk_error(&dir.path, e))?;
                let name_os = entry.file_name().to_string_lossy();
                if !entry.file_type().is_file() || crate::content::walk::is_ignored_name(&name_os) {
                    continue;
                }
                let relative = relative_name(&dir.path, entry.path());
                let display = format!("{}/{relative}", dir.display);
                let text = std::fs::read_to_string(entry.path()).map_err(|error| {
                    Diagnostic::error("template/read", format!("cannot read {display}: {error}"))
                        .hint("templates must be UTF-8 text files")
                })?;
                files.insert(relative, (display, text));
            }
        }
        let lookup: SharedLookup = Arc::new(RwLock::new(Arc::new(Lookup::default())));
        let mut tera = Tera::new();
        tera.set_escape_fn(escape::html);
        functions::register(&mut tera, &lookup);
        let mut templates = Templates {
            tera: Tera::new(),
            files,
            lookup,
        };
        let sources: Vec<(&str, &str)> = templates
            .files
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str()))
            .collect();
        tera.add_raw_templates(sources)
            .map_err(|e| templates.error(&e, None))?;
        templates.tera = tera;
        Ok(templates)
    }

    /// Every template: its name and text.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str()))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// The first of `names` that exists.
    pub fn first_of<'a>(&self, names: &[&'a str]) -> Option<&'a str> {
        names.iter().copied().find(|n| self.contains(n))
    }

    /// Replaces what `get_page`, `get_url` and friends see.
    pub fn set_lookup(&self, lookup: Lookup) {
        let mut slot = self
            .lookup
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Arc::new(lookup);
    }

    /// Sets a value every template sees (`config`).
    pub fn set_global(&mut self, key: &'static str, value: tera::Value) {
        self.tera.global_context().insert_value(key, value);
    }

    /// Renders `name` for the page or section `rendering` (as shown to the user).
    pub fn render(&self, name: &str, context: &Context, rendering: &str) -> Result<String> {
        if !self.contains(name) {
            return Err(self.missing(name, rendering).into());
        }
        self.tera
            .render(name, context)
            .map_err(|e| self.error(&e, Some(rendering)))
    }

    /// A "template not found" diagnostic listing what exists.
    pub fn missing(&self, name: &str, rendering: &str) -> Diagnostic {
        let names: Vec<&str> = self.files.keys().map(String::as_str).collect();
        let mut hint = match suggest(name, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`? "),
            None => String::new(),
        };
        if names.is_empty() {
            hint.push_str(
                "no templates were found: check `theme` in site.toml or add a templates/ folder",
            );
        } else {
            hint.push_str(&format!("templates available: {}", names.join(", ")));
        }
        Diagnostic::error(
            "template/missing",
            format!("template `{name}` not found (needed by {rendering})"),
        )
        .hint(hint)
    }

    fn error(&self, error: &tera::Error, rendering: Option<&str>) -> Error {
        let while_rendering = rendering
            .map(|r| format!(" (while rendering {r})"))
            .unwrap_or_default();
        let diagnostic = match error.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                let (file, text) = self
                    .files
                    .get(report.filename())
                    .map(|(display, text)| (display.as_str(), text.as_str()))
                    .unwrap_or((report.filename(), ""));
                let span = report.span();
                let mut message = report.message().to_owned();
                let mut cause = std::error::Error::source(error);
                while let Some(inner) = cause {
                    message.push_str(": ");
                    message.push_str(&inner.to_string());
                    cause = inner.source();
                }
                let code = match error.kind() {
                    tera::ErrorKind::SyntaxError(_) => "template/syntax",
                    _ => "template/render",
                };
                let mut d = Diagnostic::error(code, format!("{message}{while_rendering}"))
                    .at(Location::new(file, span.start_line, span.start_col + 1))
                    .with_width(span.range.len().max(1))
                    .hint(match code {
                        "template/syntax" => "check the tags around this point: {{ }} for values, {% %} for statements",
                        _ => "the template context is documented in content/docs/templates.md; use `| default(value=...)` for optional fields",
                    });
                d.source_line = nth_line(text, span.start_line).map(str::to_owned);
                d
            }
            tera::ErrorKind::Msg(text) if !reports(text).is_empty() => {
                return Error::many(
                    reports(text)
                        .into_iter()
                        .map(|(message, name, line, column)| {
                            self.at_line(name, line, column, message_diagnostic(message))
                        })
                        .collect(),
                );
            }
            tera::ErrorKind::MissingParent { current, parent } => self.at_text(
                current,
                parent,
                Diagnostic::error(
                    "template/missing-parent",
                    format!("template `{current}` extends `{parent}`, which does not exist"),
                )
                .hint(self.available(parent)),
            ),
            tera::ErrorKind::CircularExtend {
                tpl,
                inheritance_chain,
            } => self.at_text(
                tpl,
                "extends",
                Diagnostic::error(
                    "template/circular",
                    format!(
                        "template `{tpl}` extends itself: {} -> {tpl}",
                        inheritance_chain.join(" -> ")
                    ),
                )
                .hint("a template cannot be its own ancestor: extend a base template instead"),
            ),
            tera::ErrorKind::CircularInclude { tpl, include_chain } => self.at_text(
                tpl,
                "include",
                Diagnostic::error(
                    "template/circular",
                    format!(
                        "template `{tpl}` includes itself: {}",
                        include_chain.join(" -> ")
                    ),
                )
                .hint("remove one of the includes of the cycle"),
            ),
            _ => {
                let diagnostic = Diagnostic::error("template", format!("{error}{while_rendering}"))
                    .hint("the template context is documented in content/docs/templates.md");
                match self.named_in(&error.to_string()) {
                    Some(name) => self.at_text(name, "", diagnostic),
                    None => diagnostic,
                }
            }
        };
        diagnostic.into()
    }

    /// Points `diagnostic` at the first occurrence of `needle` in template `name` (its first
    /// line when the text does not have it): for Tera errors that give a name but no position.
    fn at_text(&self, name: &str, needle: &str, diagnostic: Diagnostic) -> Diagnostic {
        match self.files.get(name) {
            Some((display, text)) => {
                let offset = text.find(needle).unwrap_or(0);
                diagnostic
                    .at_offset(display, text, offset, 1)
                    .with_width(needle.chars().count())
            }
            None => diagnostic,
        }
    }

    /// Points `diagnostic` at a line and column of template `name`.
    fn at_line(
        &self,
        name: &str,
        line: usize,
        column: usize,
        diagnostic: Diagnostic,
    ) -> Diagnostic {
        match self.files.get(name) {
            Some((display, text)) => {
                let mut diagnostic = diagnostic.at(Location::new(display.as_str(), line, column));
                diagnostic.source_line = nth_line(text, line).map(str::to_owned);
                diagnostic
            }
            None => diagnostic.at(Location::new(name, line, column)),
        }
    }

    /// The first template a message names between backquotes or quotes.
    fn named_in<'m>(&self, message: &'m str) -> Option<&'m str> {
        message
            .split(['`', '\''])
            .skip(1)
            .step_by(2)
            .find(|name| self.files.contains_key(*name))
    }

    /// A hint for a template name that does not exist: a close name, or the list.
    fn available(&self, name: &str) -> String {
        let names: Vec<&str> = self.files.keys().map(String::as_str).collect();
        match suggest(name, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("templates available: {}", names.join(", ")),
        }
    }
}

/// Tera's load-time reference checks (unknown filters, functions, tests, components, included
/// templates, blocks) come as one message of pre-rendered reports, `error: MESSAGE` followed by
/// `--> NAME:LINE:COL` and the source line. This takes each report apart again, so every one
/// becomes a diagnostic of its own.
fn reports(text: &str) -> Vec<(&str, &str, usize, usize)> {
    let mut found = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(message) = line.strip_prefix("error: ") else {
            continue;
        };
        let place = lines
            .next()
            .map(str::trim_start)
            .and_then(|l| l.strip_prefix("--> "));
        let mut parts = place.unwrap_or_default().rsplitn(3, ':');
        let (column, line, name) = (parts.next(), parts.next(), parts.next());
        if let (Some(column), Some(line), Some(name)) = (column, line, name)
            && let (Ok(line), Ok(column)) = (line.parse(), column.parse())
        {
            found.push((message, name, line, column));
        }
    }
    found
}

/// A diagnostic for one of Tera's load-time reports, with a hint for the common cases.
fn message_diagnostic(message: &str) -> Diagnostic {
    let hint = if message.starts_with("Unknown filter")
        || message.starts_with("Unknown function")
        || message.starts_with("Unknown test")
    {
        "galley's filters and functions are listed in content/docs/templates.md; check the spelling"
    } else if message.starts_with("Unknown template") {
        "the name is relative to templates/ (of the site or the theme): check it and the file's name"
    } else if message.starts_with("Block") {
        "a child template can only fill blocks its parent defines: add the block to the parent or rename it"
    } else {
        "the template syntax is described in content/docs/templates.md"
    };
    Diagnostic::error("template/reference", message).hint(hint)
}

fn relative_name(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::{TemplateDir, Templates};

    fn dir(files: &[(&str, &str)]) -> (tempfile::TempDir, TemplateDir) {
        let tmp = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = tmp.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let display = "templates".to_owned();
        let path = tmp.path().to_path_buf();
        (tmp, TemplateDir { path, display })
    }

    #[test]
    fn site_templates_override_theme_templates() {
        let (_a, theme) = dir(&[("page.html", "theme"), ("base.html", "base")]);
        let (_b, site) = dir(&[("page.html", "site")]);
        let templates = Templates::load(&[theme, site]).unwrap();
        let out = templates
            .render("page.html", &tera::Context::new(), "x.md")
            .unwrap();
        assert_eq!(out, "site");
        assert!(templates.contains("base.html"));
    }

    #[test]
    fn syntax_error_names_template_line_and_column() {
        let (_a, theme) = dir(&[("page.html", "ok\n{{ y }\n")]);
        let error = Templates::load(&[theme]).err().unwrap();
        let d = &error.diagnostics[0];
        assert_eq!(d.code, "template/syntax");
        let location = d.location.as_ref().unwrap();
        assert_eq!(
            (location.file.as_str(), location.line),
            ("templates/page.html", 2)
        );
        assert_eq!(d.source_line.as_deref(), Some("{{ y }"));
    }

    fn load_error(files: &[(&str, &str)]) -> Vec<crate::diagnostics::Diagnostic> {
        let (_a, theme) = dir(files);
        Templates::load(&[theme]).err().unwrap().diagnostics
    }

    fn place(d: &crate::diagnostics::Diagnostic) -> (&str, usize, usize) {
        let location = d.location.as_ref().expect("a location");
        (location.file.as_str(), location.line, location.column)
    }

    #[test]
    fn missing_parent_points_at_the_extends_tag_and_suggests_a_name() {
        let d = &load_error(&[
            ("base.html", "{% block content %}{% endblock %}"),
            ("page.html", "{# a comment #}\n{% extends \"bse.html\" %}\n"),
        ])[0];
        assert_eq!(d.code, "template/missing-parent");
        assert!(
            d.message.contains("`page.html` extends `bse.html`"),
            "{}",
            d.message
        );
        assert_eq!(place(d), ("templates/page.html", 2, 13));
        assert_eq!(d.source_line.as_deref(), Some("{% extends \"bse.html\" %}"));
        assert_eq!(d.hint.as_deref(), Some("did you mean `base.html`?"));
    }

    #[test]
    fn unknown_filters_and_includes_are_each_reported_at_their_line() {
        let errors = load_error(&[(
            "page.html",
            "ok\n{{ x | nofilter }}\n{% include \"nope.html\" %}\n",
        )]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].code, "template/reference");
        assert_eq!(errors[0].message, "Unknown filter `nofilter`");
        assert_eq!(place(&errors[0]), ("templates/page.html", 2, 8));
        assert_eq!(errors[0].source_line.as_deref(), Some("{{ x | nofilter }}"));
        assert!(errors[0].hint.as_ref().unwrap().contains("templates.md"));
        assert_eq!(errors[1].message, "Unknown template `nope.html`");
        assert_eq!(place(&errors[1]), ("templates/page.html", 3, 12));
    }

    #[test]
    fn circular_extends_points_at_the_template() {
        let d = &load_error(&[("page.html", "{% extends \"page.html\" %}\n")])[0];
        assert_eq!(d.code, "template/circular");
        assert_eq!(place(d), ("templates/page.html", 1, 4));
    }

    #[test]
    fn missing_variable_names_the_page_and_the_fields() {
        let (_a, theme) = dir(&[("page.html", "{{ page.titel }}")]);
        let templates = Templates::load(&[theme]).unwrap();
        let mut context = tera::Context::new();
        context.insert("page", &serde_json::json!({"title": "x"}));
        let error = templates
            .render("page.html", &context, "content/a.md")
            .unwrap_err();
        let d = &error.diagnostics[0];
        assert!(d.message.contains("titel"), "{}", d.message);
        assert!(
            d.message.contains("Available fields: title"),
            "{}",
            d.message
        );
        assert!(d.message.contains("content/a.md"), "{}", d.message);
    }

    #[test]
    fn missing_template_suggests_a_close_name() {
        let (_a, theme) = dir(&[("page.html", "")]);
        let templates = Templates::load(&[theme]).unwrap();
        let error = templates
            .render("pgae.html", &tera::Context::new(), "a.md")
            .unwrap_err();
        assert!(
            error.diagnostics[0]
                .hint
                .as_ref()
                .unwrap()
                .contains("did you mean `page.html`")
        );
    }
}
