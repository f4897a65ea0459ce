//! The render cache: rendered Markdown (highlighted code included, the costly part of a build)
//! kept in `.galley-cache/render.bin` between builds, so a build with nothing changed skips it.
//!
//! An entry is used only when its key matches, and the key covers everything a page's rendering
//! depends on (source, renderer settings, the URLs of its `@/` links, its snippet badges);
//! the file as a whole is used only when galley's build id matches. A missing, truncated or
//! garbled file is an empty cache: the build renders everything and writes a fresh one.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::markdown::Rendered;

const FILE: &str = "render.bin";
const MAGIC: &str = "galley render cache 1";

/// Rendered Markdown by source file (`blog/x.md`), with the key it was rendered under.
pub type Entries = HashMap<String, (blake3::Hash, Arc<Rendered>)>;

#[derive(Serialize, Deserialize)]
struct Stored {
    magic: String,
    build: String,
    entries: Vec<(String, [u8; 32], Rendered)>,
}

/// Where a site's render cache lives.
pub fn path(root: &Path) -> PathBuf {
    root.join(".galley-cache").join(FILE)
}

/// Reads the cache; any problem reading it means starting with an empty one.
pub fn load(root: &Path) -> Entries {
    let Ok(bytes) = std::fs::read(path(root)) else {
        return Entries::new();
    };
    let Ok(stored) = postcard::from_bytes::<Stored>(&bytes) else {
        return Entries::new();
    };
    if stored.magic != MAGIC || stored.build != env!("GALLEY_BUILD_ID") {
        return Entries::new();
    }
    stored
        .entries
        .into_iter()
        .map(|(source, key, rendered)| {
            (source, (blake3::Hash::from_bytes(key), Arc::new(rendered)))
        })
        .collect()
}

/// Writes the cache atomically (a temporary file renamed over the old one); failing to write a
/// cache never fails a build.
pub fn save(root: &Path, entries: &Entries) {
    let mut sorted: Vec<(&String, &(blake3::Hash, Arc<Rendered>))> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let stored = Stored {
        magic: MAGIC.to_owned(),
        build: env!("GALLEY_BUILD_ID").to_owned(),
        entries: sorted
            .into_iter()
            .map(|(source, (key, rendered))| {
                (source.clone(), *key.as_bytes(), Rendered::clone(rendered))
            })
            .collect(),
    };
    let Ok(bytes) = postcard::to_stdvec(&stored) else {
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
    if temporary.write_all(&bytes).is_ok() {
        let _ = temporary.persist(&target);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Entries, load, path, save};
    use crate::markdown::Rendered;

    fn entries() -> Entries {
        let rendered = Rendered {
            html: "<p>hi</p>".into(),
            word_count: 1,
            ..Rendered::default()
        };
        Entries::from([(
            "a.md".to_owned(),
            (blake3::hash(b"key"), Arc::new(rendered)),
        )])
    }

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), &entries());
        let loaded = load(dir.path());
        assert_eq!(loaded["a.md"].0, blake3::hash(b"key"));
        assert_eq!(loaded["a.md"].1.html, "<p>hi</p>");
    }

    #[test]
    fn a_damaged_cache_is_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), &entries());
        let bytes = std::fs::read(path(dir.path())).unwrap();
        std::fs::write(path(dir.path()), &bytes[..bytes.len() / 2]).unwrap();
        assert!(load(dir.path()).is_empty());
        std::fs::write(path(dir.path()), b"garbage").unwrap();
        assert!(load(dir.path()).is_empty());
        std::fs::remove_file(path(dir.path())).unwrap();
        std::fs::create_dir(path(dir.path())).unwrap();
        assert!(load(dir.path()).is_empty());
        save(dir.path(), &entries());
    }
}
