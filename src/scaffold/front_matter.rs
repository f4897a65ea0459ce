//! What `galley new post` promises whatever the archetype says: the new file has a title, a
//! date, a slug and `draft = true`. An archetype that leaves one out (or has no front matter at
//! all) gets it added at the top of its front matter, in its own syntax (TOML `+++` or YAML
//! `---`); what the archetype does set is kept as it is.

/// `text` (a rendered archetype) with the keys it lacks filled in.
pub fn fill_in(text: &str, title: &str, slug: &str, date: &str) -> String {
    // serde_json's string quoting is valid in both TOML basic strings and YAML double quotes.
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""));
    let wanted = [
        ("title", quote(title)),
        ("date", date.to_owned()),
        ("slug", quote(slug)),
        ("draft", "true".to_owned()),
    ];
    let Some(syntax) = Syntax::of(text) else {
        let keys: String = wanted
            .iter()
            .map(|(key, value)| format!("{key} = {value}\n"))
            .collect();
        return format!("+++\n{keys}+++\n{text}");
    };
    let (opening, rest) = text.split_at(text.find('\n').map_or(text.len(), |i| i + 1));
    let front = front_matter_lines(rest, syntax.delimiter());
    let missing: String = wanted
        .iter()
        .filter(|(key, _)| !front.iter().any(|line| syntax.sets(line, key)))
        .map(|(key, value)| syntax.line(key, value))
        .collect();
    format!("{opening}{missing}{rest}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Toml,
    Yaml,
}

impl Syntax {
    fn of(text: &str) -> Option<Syntax> {
        let first = text.lines().next()?.trim_end();
        match first {
            "+++" => Some(Syntax::Toml),
            "---" => Some(Syntax::Yaml),
            _ => None,
        }
    }

    fn delimiter(self) -> &'static str {
        match self {
            Syntax::Toml => "+++",
            Syntax::Yaml => "---",
        }
    }

    /// Whether `line` sets the top-level `key`.
    fn sets(self, line: &str, key: &str) -> bool {
        let separator = match self {
            Syntax::Toml => '=',
            Syntax::Yaml => ':',
        };
        line.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(separator))
    }

    fn line(self, key: &str, value: &str) -> String {
        match self {
            Syntax::Toml => format!("{key} = {value}\n"),
            Syntax::Yaml => format!("{key}: {value}\n"),
        }
    }
}

/// The top-level lines of the front matter: up to the closing delimiter, and for TOML up to
/// the first table (`[taxonomies]`), whose keys are not top-level. Inserting right after the
/// opening delimiter keeps new keys top-level in both syntaxes.
fn front_matter_lines<'a>(rest: &'a str, delimiter: &str) -> Vec<&'a str> {
    rest.lines()
        .take_while(|line| line.trim_end() != delimiter)
        .take_while(|line| !(delimiter == "+++" && line.trim_start().starts_with('[')))
        .filter(|line| !line.starts_with([' ', '\t']))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fill_in;

    const DATE: &str = "2026-12-08T01:02:03+01:00";

    #[test]
    fn missing_keys_are_added_at_the_top_of_toml_front_matter() {
        let filled = fill_in(
            "+++\ntitle = \"Mine\"\n[taxonomies]\ndate = \"not top-level\"\n+++\nBody\n",
            "T",
            "t",
            DATE,
        );
        assert_eq!(
            filled,
            format!(
                "+++\ndate = {DATE}\nslug = \"t\"\ndraft = true\ntitle = \"Mine\"\n[taxonomies]\ndate = \"not top-level\"\n+++\nBody\n"
            )
        );
    }

    #[test]
    fn yaml_keeps_its_syntax_and_what_the_archetype_set() {
        let filled = fill_in("---\ndraft: false\nslug: x\n---\n", "A \"q\"", "a-q", DATE);
        assert_eq!(
            filled,
            format!("---\ntitle: \"A \\\"q\\\"\"\ndate: {DATE}\ndraft: false\nslug: x\n---\n")
        );
    }

    #[test]
    fn an_archetype_without_front_matter_gets_one() {
        assert_eq!(
            fill_in("Just text\n", "T", "t", DATE),
            format!(
                "+++\ntitle = \"T\"\ndate = {DATE}\nslug = \"t\"\ndraft = true\n+++\nJust text\n"
            )
        );
    }
}
