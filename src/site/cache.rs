//! The highlight cache: syntect's output for code blocks, kept in `.galley-cache/highlight.bin`
//! between builds.
//!
//! Only blocks syntect highlighted are kept (languages the fast lexers do not handle): syntect
//! is the one step of rendering that costs more than reading a cache, so pages themselves are
//! rendered afresh on every build and nothing else can go stale. An entry's key covers its
//! code, its syntax, the highlighting settings and galley's build id
//! (`markdown::highlight::BlockCache`).
//!
//! The file is `MAGIC`, a blake3 checksum of the rest, then the entries (postcard). A missing,
//! truncated or garbled file, or one written by another galley, is an empty cache: the build
//! highlights everything and writes a fresh one; the output is the same either way.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::markdown::highlight::{BlockCache, BlockKey};

const FILE: &str = "highlight.bin";
const MAGIC: &[u8] = b"galley highlight cache 1\n";
const CHECKSUM: usize = 32;

#[derive(Serialize, Deserialize)]
struct Stored {
    build: String,
    blocks: Vec<(BlockKey, Vec<String>)>,
}

/// Where a site's highlight cache lives.
pub fn path(root: &Path) -> PathBuf {
    root.join(".galley-cache").join(FILE)
}

/// Reads the cache; any problem reading it means starting with an empty one.
pub fn load(root: &Path) -> BlockCache {
    std::fs::read(path(root))
        .ok()
        .and_then(|bytes| decode(&bytes))
        .map(BlockCache::from_stored)
        .unwrap_or_default()
}

fn decode(bytes: &[u8]) -> Option<Vec<(BlockKey, Vec<String>)>> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (checksum, payload) = rest.split_at_checked(CHECKSUM)?;
    // A flipped byte inside highlighted HTML would still decode: only the checksum tells.
    if blake3::hash(payload).as_bytes() != checksum {
        return None;
    }
    let stored: Stored = postcard::from_bytes(payload).ok()?;
    (stored.build == env!("GALLEY_BUILD_ID")).then_some(stored.blocks)
}

/// Writes the cache if this build highlighted anything new, atomically (a temporary file
/// renamed over the old one, so a build killed meanwhile leaves the old file or the new one).
/// Failing to write a cache never fails a build.
pub fn save_if_changed(root: &Path, cache: &BlockCache) {
    if cache.added() == 0 {
        return;
    }
    let stored = Stored {
        build: env!("GALLEY_BUILD_ID").to_owned(),
        blocks: cache.to_store(),
    };
    let Ok(payload) = postcard::to_stdvec(&stored) else {
        return;
    };
    let target = path(root);
    let Some(dir) = target.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(mut temporary) = tempfile::NamedTempFile::new_in(dir) else {
        return;
    };
    let written = temporary.write_all(MAGIC).is_ok()
        && temporary
            .write_all(blake3::hash(&payload).as_bytes())
            .is_ok()
        && temporary.write_all(&payload).is_ok();
    if written {
        let _ = temporary.persist(&target);
    }
}

#[cfg(test)]
mod tests {
    use super::{load, path, save_if_changed};
    use crate::config::HighlightConfig;
    use crate::markdown::highlight::{BlockCache, Highlighter};

    /// A highlighter using `cache`, after highlighting one Rust block (a syntect language).
    fn highlight(cache: BlockCache) -> (Highlighter, Vec<String>) {
        let mut highlighter = Highlighter::new(&HighlightConfig::default()).unwrap();
        highlighter.set_cache(cache);
        let rust = highlighter.syntax("rust");
        let lines = highlighter.highlight_lines("fn main() {}\n", Some("rust"), rust);
        (highlighter, lines)
    }

    #[test]
    fn round_trips_and_saves_only_what_is_new() {
        let dir = tempfile::tempdir().unwrap();
        let (highlighter, lines) = highlight(BlockCache::default());
        save_if_changed(dir.path(), highlighter.cache());

        let (highlighter, cached) = highlight(load(dir.path()));
        assert_eq!(cached, lines);
        assert_eq!(
            highlighter.cache().added(),
            0,
            "the block came from the file"
        );
        std::fs::remove_file(path(dir.path())).unwrap();
        save_if_changed(dir.path(), highlighter.cache());
        assert!(!path(dir.path()).exists(), "nothing new, nothing written");
    }

    #[test]
    fn blocks_the_fast_lexers_handle_are_not_cached() {
        let highlighter = Highlighter::new(&HighlightConfig::default()).unwrap();
        highlighter.highlight_lines("a: 1\n", Some("yaml"), highlighter.syntax("yaml"));
        assert_eq!(highlighter.cache().added(), 0);
        assert!(highlighter.cache().to_store().is_empty());
    }

    #[test]
    fn unused_blocks_are_dropped_when_the_cache_is_saved_again() {
        let dir = tempfile::tempdir().unwrap();
        let (highlighter, _) = highlight(BlockCache::default());
        save_if_changed(dir.path(), highlighter.cache());
        let mut highlighter = Highlighter::new(&HighlightConfig::default()).unwrap();
        highlighter.set_cache(load(dir.path()));
        highlighter.highlight_lines("select 1;\n", Some("sql"), highlighter.syntax("sql"));
        assert_eq!(
            highlighter.cache().to_store().len(),
            1,
            "only the SQL block"
        );
    }

    #[test]
    fn settings_are_part_of_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let (highlighter, _) = highlight(BlockCache::default());
        save_if_changed(dir.path(), highlighter.cache());
        let config = HighlightConfig {
            light_theme: "Nord".into(),
            ..HighlightConfig::default()
        };
        let mut highlighter = Highlighter::new(&config).unwrap();
        highlighter.set_cache(load(dir.path()));
        highlighter.highlight_lines("fn main() {}\n", Some("rust"), highlighter.syntax("rust"));
        assert_eq!(highlighter.cache().added(), 1);
    }

    #[test]
    fn a_damaged_cache_is_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        let (highlighter, _) = highlight(BlockCache::default());
        save_if_changed(dir.path(), highlighter.cache());
        let bytes = std::fs::read(path(dir.path())).unwrap();
        // The block is highlighted afresh: nothing came from the file.
        let empty = |dir: &std::path::Path| highlight(load(dir)).0.cache().added() == 1;
        std::fs::write(path(dir.path()), &bytes[..bytes.len() - 3]).unwrap();
        assert!(empty(dir.path()), "truncated");
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        std::fs::write(path(dir.path()), flipped).unwrap();
        assert!(empty(dir.path()), "one byte changed");
        std::fs::write(path(dir.path()), b"garbage").unwrap();
        assert!(empty(dir.path()), "garbage");
        std::fs::remove_file(path(dir.path())).unwrap();
        std::fs::create_dir(path(dir.path())).unwrap();
        assert!(empty(dir.path()), "a folder");
        // Saving over a folder fails quietly.
        save_if_changed(dir.path(), highlighter.cache());
    }
}
