//! Where a reference in a rendered page points: a file of the site (and a fragment in it), an
//! external URL, or nothing galley can check (`mailto:`...). Pure, so every rule is unit-tested.

use percent_encoding::percent_decode_str;

use crate::markdown::rebase::remove_dot_segments;

/// What a URL found in a page means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file of the built site (output key, `blog/x/index.html`) and an optional fragment.
    Internal {
        key: Option<String>,
        path: String,
        fragment: Option<String>,
    },
    /// A root-relative URL outside the base path (`/blog/` on a site published at `/docs/`):
    /// it works locally and breaks once deployed.
    MissingPrefix {
        path: String,
    },
    External(String),
    /// `mailto:`, `tel:`, `data:`, `javascript:`: nothing to check.
    Other,
}

/// Resolves `url`, found on the page at site path `page_path` (`/blog/x/`), for a site published
/// at `base_url` (ending with `/`). `exists` says whether an output key is a file.
pub fn resolve(
    url: &str,
    page_path: &str,
    base_url: &str,
    exists: impl Fn(&str) -> bool,
) -> Target {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if [
        "mailto:",
        "tel:",
        "data:",
        "javascript:",
        "about:",
        "sms:",
        "ftp:",
    ]
    .iter()
    .any(|s| lower.starts_with(s))
    {
        return Target::Other;
    }
    let base_path = base_path(base_url);
    let absolute_path = if let Some(rest) = url.strip_prefix("//") {
        return external_or_internal(&format!("https://{rest}"), base_url, &base_path, &exists);
    } else if lower.starts_with("http://") || lower.starts_with("https://") {
        return external_or_internal(url, base_url, &base_path, &exists);
    } else if url.starts_with('#') || url.is_empty() {
        format!("{base_path}{}{url}", page_path.trim_start_matches('/'))
    } else if url.starts_with('/') {
        url.to_owned()
    } else {
        join(
            &format!("{base_path}{}", page_path.trim_start_matches('/')),
            url,
        )
    };
    internal(&absolute_path, &base_path, &exists)
}

/// An absolute URL is internal when it has the site's origin; its path then goes through the
/// same base-path check as a root-relative link. Only the origin is stripped: the path keeps
/// the base path, which `internal` expects (stripping the whole base URL made every absolute
/// link of a site published under `/docs/` look like it lacked the prefix).
fn external_or_internal(
    url: &str,
    base_url: &str,
    base_path: &str,
    exists: &impl Fn(&str) -> bool,
) -> Target {
    let origin = origin_of(base_url);
    match url.get(..origin.len()) {
        Some(head) if head.eq_ignore_ascii_case(origin) => {
            let rest = &url[origin.len()..];
            if rest.is_empty() || rest.starts_with('#') || rest.starts_with('?') {
                internal(&format!("/{rest}"), base_path, exists)
            } else if rest.starts_with('/') {
                internal(rest, base_path, exists)
            } else {
                // `https://example.org.evil/`: another host that merely starts the same.
                Target::External(url.to_owned())
            }
        }
        _ => Target::External(url.to_owned()),
    }
}

/// `https://example.org/docs/` -> `https://example.org`.
fn origin_of(base_url: &str) -> &str {
    let Some((scheme, rest)) = base_url.split_once("://") else {
        return base_url.trim_end_matches('/');
    };
    let host_end = rest
        .find('/')
        .map_or(base_url.len(), |i| scheme.len() + 3 + i);
    &base_url[..host_end]
}

/// `absolute` is a URL path as a browser would request it (base path included).
fn internal(absolute: &str, base_path: &str, exists: &impl Fn(&str) -> bool) -> Target {
    let (without_fragment, fragment) = match absolute.split_once('#') {
        Some((path, fragment)) => (path, Some(decode(fragment))),
        None => (absolute, None),
    };
    let path = without_fragment.split('?').next().unwrap_or("");
    let path = remove_dot_segments(&decode(path));
    let Some(inside) = path
        .strip_prefix(base_path)
        .or_else(|| (format!("{path}/") == base_path).then_some(""))
    else {
        return Target::MissingPrefix { path };
    };
    let fragment = fragment.filter(|f| !f.is_empty());
    let key = if inside.is_empty() || inside.ends_with('/') {
        Some(format!("{inside}index.html"))
    } else if exists(inside) {
        Some(inside.to_owned())
    } else if exists(&format!("{inside}/index.html")) {
        Some(format!("{inside}/index.html"))
    } else {
        Some(inside.to_owned())
    };
    let key = key.filter(|k| exists(k));
    Target::Internal {
        key,
        path: format!("/{inside}"),
        fragment,
    }
}

/// `dir/` + `../x` -> `x`, keeping a trailing slash.
fn join(base_dir: &str, relative: &str) -> String {
    let dir = match base_dir.rfind('/') {
        Some(i) => &base_dir[..=i],
        None => "/",
    };
    format!("{dir}{relative}")
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

fn base_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or("", |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    format!("{}/", path.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::{Target, resolve};

    const FILES: &[&str] = &[
        "index.html",
        "blog/x/index.html",
        "blog/x/d.svg",
        "style.css",
        "blog/y/index.html",
    ];

    fn at(url: &str, base: &str) -> Target {
        resolve(url, "/blog/x/", base, |k| FILES.contains(&k))
    }

    fn internal(key: &str, path: &str, fragment: Option<&str>) -> Target {
        Target::Internal {
            key: Some(key.into()),
            path: path.into(),
            fragment: fragment.map(Into::into),
        }
    }

    #[test]
    fn every_spelling_of_an_internal_link() {
        let base = "https://example.org/";
        assert_eq!(
            at("/blog/y/", base),
            internal("blog/y/index.html", "/blog/y/", None)
        );
        assert_eq!(
            at("https://example.org/blog/y/#top", base),
            internal("blog/y/index.html", "/blog/y/", Some("top"))
        );
        assert_eq!(
            at("../y/", base),
            internal("blog/y/index.html", "/blog/y/", None)
        );
        assert_eq!(
            at("d.svg", base),
            internal("blog/x/d.svg", "/blog/x/d.svg", None)
        );
        assert_eq!(
            at("#intro", base),
            internal("blog/x/index.html", "/blog/x/", Some("intro"))
        );
        assert_eq!(
            at("/style.css?v=2", base),
            internal("style.css", "/style.css", None)
        );
        assert_eq!(
            at("/blog/x", base),
            internal("blog/x/index.html", "/blog/x", None)
        );
        assert_eq!(
            at("https://example.org", base),
            internal("index.html", "/", None)
        );
    }

    #[test]
    fn missing_files_have_no_key() {
        assert_eq!(
            at("/blog/nope/", "https://example.org/"),
            Target::Internal {
                key: None,
                path: "/blog/nope/".into(),
                fragment: None
            }
        );
    }

    #[test]
    fn root_relative_links_must_carry_the_base_path() {
        let base = "https://example.org/docs/";
        let found = resolve("/docs/blog/y/", "/blog/x/", base, |k| FILES.contains(&k));
        assert_eq!(found, internal("blog/y/index.html", "/blog/y/", None));
        assert_eq!(
            resolve("/blog/y/", "/blog/x/", base, |k| FILES.contains(&k)),
            Target::MissingPrefix {
                path: "/blog/y/".into()
            }
        );
        let relative = resolve("../y/", "/blog/x/", base, |k| FILES.contains(&k));
        assert_eq!(relative, internal("blog/y/index.html", "/blog/y/", None));
        let absolute = resolve("https://example.org/docs/blog/y/", "/blog/x/", base, |k| {
            FILES.contains(&k)
        });
        assert_eq!(absolute, internal("blog/y/index.html", "/blog/y/", None));
        let home = resolve("https://example.org/docs", "/blog/x/", base, |k| {
            FILES.contains(&k)
        });
        assert_eq!(home, internal("index.html", "/", None));
        assert_eq!(
            resolve("https://example.org/blog/y/", "/blog/x/", base, |k| {
                FILES.contains(&k)
            }),
            Target::MissingPrefix {
                path: "/blog/y/".into()
            }
        );
        let fragment = resolve("#intro", "/blog/x/", base, |k| FILES.contains(&k));
        assert_eq!(
            fragment,
            internal("blog/x/index.html", "/blog/x/", Some("intro"))
        );
    }

    #[test]
    fn external_and_other_urls() {
        let base = "https://example.org/";
        assert_eq!(
            at("https://other.org/x", base),
            Target::External("https://other.org/x".into())
        );
        assert_eq!(
            at("//cdn.example/x.js", base),
            Target::External("https://cdn.example/x.js".into())
        );
        assert_eq!(
            at("https://example.org.evil/x", base),
            Target::External("https://example.org.evil/x".into())
        );
        assert_eq!(at("mailto:a@b.c", base), Target::Other);
    }
}
