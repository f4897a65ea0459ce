//! The result cache: `.galley-cache/snippets.json` under the site root (git-ignored).
//!
//! A block's key hashes everything its verdict depends on: galley's version, the language,
//! the code, the annotations, the block's name, and the fingerprint of every schema (vendored
//! data, user schema folders and CRDs by size and time, the default Kubernetes version).
//! Findings are stored relative to the block, so editing the lines above a block keeps its
//! entry. Blocks skipped for a missing toolchain and `run` blocks are never cached.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::extract::Lang;
use super::schema::Schemas;
use super::{Outcome, Snippet, Verdict};

const FILE: &str = "snippets.json";
/// Bump when the meaning of a cached outcome changes.
const FORMAT: &str = "galley-snippets-cache-1";
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

/// The cache key of a block.
pub fn key(snippet: &Snippet, schemas: &Schemas) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(FORMAT.as_bytes());
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
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
    !toolchain && !run
}
