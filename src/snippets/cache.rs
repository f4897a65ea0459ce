//! The result cache: `.galley-cache/snippets.json` under the site root (git-ignored).
//!
//! A block's key hashes everything its verdict depends on: galley's version and build id
//! (`GALLEY_BUILD_ID`, a hash of its sources: a rebuilt galley may check differently), the
//! language, the code, the annotations, the block's name, the fingerprint of every schema
//! (vendored data, user schema folders and CRDs by size and time, the default Kubernetes
//! version) and, for Go and Python, the version of the toolchain that checks them.
//! Findings are stored relative to the block, so editing the lines above a block keeps its
//! entry.
//!
//! Never cached: blocks skipped for a missing toolchain, and every outcome a run produces
//! (`run` blocks and the `text`/`output` blocks they are compared with): replayed by a run that
//! does not execute blocks (`--no-run`, `galley serve`) they would claim a run that did not
//! happen. Checking an output block costs nothing anyway.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::extract::Lang;
use super::schema::Schemas;
use super::toolchain::Toolchains;
use super::{Outcome, Snippet, Verdict};

const FILE: &str = "snippets.json";
/// Bump when the meaning of a cached outcome changes.
const FORMAT: &str = "galley-snippets-cache-2";
/// Entries beyond this are dropped, oldest first, so the file cannot grow without bound.
const MAX_ENTRIES: usize = 200_000;

pub struct Cache {
    path: Option<PathBuf>,
    entries: HashMap<String, Outcome>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct OnDisk {
    format: String,
    entries: HashMap<String, Outcome>,
}

impl Cache {
    pub fn disabled() -> Cache {
        Cache {
            path: None,
            entries: HashMap::new(),
        }
    }

    /// Opens the cache of the site at `root`; an unreadable or outdated file is an empty cache.
    pub fn open(root: &Path) -> Cache {
        let path = root.join(".galley-cache").join(FILE);
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<OnDisk>(&bytes).ok())
            .filter(|disk| disk.format == FORMAT)
            .map(|disk| disk.entries)
            .unwrap_or_default();
        Cache {
            path: Some(path),
            entries,
        }
    }

    /// Whether results are read and written at all (`--no-cache` turns it off).
    pub fn enabled(&self) -> bool {
        self.path.is_some()
    }

    pub fn get(&self, key: &blake3::Hash) -> Option<Outcome> {
        self.entries.get(&key.to_hex().to_string()).cloned()
    }

    /// Adds fresh results and writes the file (atomically) if anything changed. A cache that
    /// cannot be written is not an error: the next run is just slower.
    pub fn store(&mut self, fresh: Vec<(blake3::Hash, Outcome)>) {
        let Some(path) = &self.path else {
            return;
        };
        if fresh.is_empty() {
            return;
        }
        for (key, outcome) in fresh {
            self.entries.insert(key.to_hex().to_string(), outcome);
        }
        if self.entries.len() > MAX_ENTRIES {
            self.entries.clear();
        }
        #[derive(serde::Serialize)]
        struct Writing<'a> {
            format: &'a str,
            entries: &'a HashMap<String, Outcome>,
        }
        let disk = Writing {
            format: FORMAT,
            entries: &self.entries,
        };
        let Some(dir) = path.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(file) = tempfile::NamedTempFile::new_in(dir) else {
            return;
        };
        // Buffered: serde_json writes in small pieces, one system call each otherwise.
        let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
        if serde_json::to_writer(&mut writer, &disk).is_ok()
            && let Ok(file) = writer.into_inner()
        {
            let _ = file.persist(path);
        }
    }
}

/// The cache key of a block; `toolchains` identifies the installed Go and Python.
pub fn key(snippet: &Snippet, schemas: &Schemas, toolchains: &Toolchains) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(FORMAT.as_bytes());
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(b"\0");
    hasher.update(env!("GALLEY_BUILD_ID").as_bytes());
    hasher.update(b"\0");
    hasher.update(toolchains.of(&snippet.lang).as_bytes());
    hasher.update(b"\0");
    hasher.update(format!("{:?}\0", snippet.lang).as_bytes());
    hasher.update(format!("{:?}\0", snippet.annotations).as_bytes());
    hasher.update(snippet.name().unwrap_or("").as_bytes());
    hasher.update(b"\0");
    hasher.update(schemas.fingerprint.as_bytes());
    if let Ok(annotations) = &snippet.annotations
        && let Some(schema) = &annotations.schema
    {
        hasher.update(schemas.file_stamp(schema).as_bytes());
    }
    hasher.update(snippet.code.as_bytes());
    hasher.finalize()
}

/// Whether an outcome may be reused by a later run.
pub fn cacheable(snippet: &Snippet, outcome: &Outcome) -> bool {
    let toolchain = matches!(snippet.lang, Lang::Go | Lang::Python)
        && matches!(outcome.verdict, Verdict::Skipped { .. });
    let run = snippet.annotations.as_ref().is_ok_and(|a| a.run);
    !toolchain && !run && snippet.lang != Lang::Output
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Toolchains, key};
    use crate::markdown::fence::FenceInfo;
    use crate::snippets::extract::{Lang, Snippet};
    use crate::snippets::schema::Schemas;
    use crate::snippets::{Annotations, SnippetConfig, TestMode};

    fn snippet(lang: Lang, code: &str) -> Snippet {
        Snippet {
            file: "content/x.md".into(),
            index: 0,
            lang,
            lang_name: String::new(),
            code: code.into(),
            info: FenceInfo::default(),
            annotations: Ok(Annotations {
                test: TestMode::Check,
                k8s: None,
                schema: None,
                run: false,
                timeout: None,
            }),
            fence_line: 1,
            first_line: 2,
            indent: 0,
            body: Arc::from(""),
            body_line: 1,
        }
    }

    #[test]
    fn a_toolchain_upgrade_changes_the_keys_of_its_blocks_only() {
        let dir = tempfile::tempdir().unwrap();
        let schemas = Schemas::load(dir.path(), &SnippetConfig::default()).unwrap();
        let old = Toolchains {
            go: "go: go version go1.24.1 linux/amd64".into(),
            python: "python3: Python 3.13.5".into(),
        };
        let new_go = Toolchains {
            go: "go: go version go1.25.0 linux/amd64".into(),
            ..old.clone()
        };
        let go = snippet(Lang::Go, "package main\n");
        let python = snippet(Lang::Python, "x = 1\n");
        let yaml = snippet(Lang::Yaml, "a: 1\n");
        assert_ne!(key(&go, &schemas, &old), key(&go, &schemas, &new_go));
        assert_eq!(
            key(&python, &schemas, &old),
            key(&python, &schemas, &new_go)
        );
        assert_eq!(key(&yaml, &schemas, &old), key(&yaml, &schemas, &new_go));
        let new_python = Toolchains {
            python: "python3: Python 3.14.0".into(),
            ..old.clone()
        };
        assert_ne!(
            key(&python, &schemas, &old),
            key(&python, &schemas, &new_python)
        );
    }
}
