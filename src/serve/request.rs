//! Request paths -> files of the built site. Pure, so every refusal is unit-tested.
//!
//! The server only ever looks files up by key in the in-memory output, so no request can
//! reach the file system by itself; traversal attempts are still refused explicitly (400) so
//! they show up as what they are.

use percent_encoding::percent_decode_str;

/// What a request path asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file of the output, by its key (`blog/x/index.html`).
    File(String),
    /// A folder without its trailing slash: redirect to this path.
    AddSlash(String),
}

/// Why a request path is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `..`, encoded slashes, backslashes, NUL: 400.
    BadPath,
    /// Outside the base URL's path prefix: 404.
    OutsidePrefix,
}

/// Resolves the path part of a request URI (still percent-encoded, without the query).
/// `prefix` is the base URL's path (`/` or `/docs/`); `exists` says whether a key is a file.
pub fn resolve(raw: &str, prefix: &str, exists: impl Fn(&str) -> bool) -> Result<Target, Refusal> {
    if !raw.starts_with('/') || raw.contains('\\') {
        return Err(Refusal::BadPath);
    }
    // An encoded slash or backslash would let one segment pose as two.
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Err(Refusal::BadPath);
    }
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| Refusal::BadPath)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err(Refusal::BadPath);
    }
    if decoded
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return Err(Refusal::BadPath);
    }
    let Some(inside) = decoded
        .strip_prefix(prefix)
        .or_else(|| (format!("{decoded}/") == prefix).then_some(""))
    else {
        return Err(Refusal::OutsidePrefix);
    };
    if decoded.contains("//") {
        return Err(Refusal::BadPath);
    }
    if inside.is_empty() || inside.ends_with('/') {
        if format!("{decoded}/") == prefix {
            return Ok(Target::AddSlash(format!("{decoded}/")));
        }
        return Ok(Target::File(format!("{inside}index.html")));
    }
    if !exists(inside) && exists(&format!("{inside}/index.html")) {
        return Ok(Target::AddSlash(format!("{decoded}/")));
    }
    Ok(Target::File(inside.to_owned()))
}

/// The content type of a file, by extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        "toml" | "ini" | "conf" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::{Refusal, Target, content_type, resolve};

    fn at(raw: &str) -> Result<Target, Refusal> {
        let files = [
            "index.html",
            "blog/index.html",
            "blog/x/index.html",
            "style.css",
            "a b.txt",
        ];
        resolve(raw, "/", |key| files.contains(&key))
    }

    #[test]
    fn folders_map_to_their_index() {
        assert_eq!(at("/"), Ok(Target::File("index.html".into())));
        assert_eq!(at("/blog/x/"), Ok(Target::File("blog/x/index.html".into())));
        assert_eq!(at("/style.css"), Ok(Target::File("style.css".into())));
        assert_eq!(at("/a%20b.txt"), Ok(Target::File("a b.txt".into())));
    }

    #[test]
    fn a_folder_without_its_slash_redirects() {
        assert_eq!(at("/blog/x"), Ok(Target::AddSlash("/blog/x/".into())));
    }

    #[test]
    fn traversal_in_every_spelling_is_refused() {
        for raw in [
            "/../etc/passwd",
            "/blog/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/blog%2f..%2f..%2fetc",
            "/..%5c..%5cetc",
            "/blog\\..\\x",
            "/x%00.html",
            "/./index.html",
            "etc/passwd",
            "//etc/passwd",
        ] {
            assert_eq!(at(raw), Err(Refusal::BadPath), "{raw}");
        }
    }

    #[test]
    fn double_encoding_is_just_a_strange_name() {
        assert_eq!(at("/%252e%252e/x"), Ok(Target::File("%2e%2e/x".into())));
    }

    #[test]
    fn a_base_path_prefix_is_required_and_stripped() {
        let exists = |key: &str| key == "index.html" || key == "x/index.html";
        assert_eq!(
            resolve("/docs/x/", "/docs/", exists),
            Ok(Target::File("x/index.html".into()))
        );
        assert_eq!(
            resolve("/docs", "/docs/", exists),
            Ok(Target::AddSlash("/docs/".into()))
        );
        assert_eq!(
            resolve("/other/", "/docs/", exists),
            Err(Refusal::OutsidePrefix)
        );
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.SVG"), "image/svg+xml");
        assert_eq!(content_type("feed.xml"), "application/xml");
        assert_eq!(content_type("blob"), "application/octet-stream");
    }
}
