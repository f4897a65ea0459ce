//! Embeds the default theme in the binary, so `galley init` can write it anywhere, and gives
//! the build an id that changes whenever galley's own code does (the highlight cache is keyed
//! by it: a newer galley never reuses what an older one highlighted).

use std::fmt::Write;
use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    build_id();
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    println!("cargo:rerun-if-changed={}", theme.display());
    let mut files = Vec::new();
    collect(&theme, &theme, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The default theme's files: path relative to the theme folder, and contents.\npub static DEFAULT_THEME: &[(&str, &[u8])] = &[\n",
    );
    for (relative, absolute) in files {
        println!("cargo:rerun-if-changed={absolute}");
        let _ = writeln!(code, "    ({relative:?}, include_bytes!({absolute:?})),");
    }
    code.push_str("];\n");
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("default_theme.rs");
    std::fs::write(out, code).expect("write the embedded theme");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let relative = relative.to_string_lossy().replace('\\', "/");
            files.push((relative, path.to_string_lossy().into_owned()));
        }
    }
}

/// A hash of every source file and the lock file, as `GALLEY_BUILD_ID`.
fn build_id() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed={}", root.join("src").display());
    println!(
        "cargo:rerun-if-changed={}",
        root.join("Cargo.lock").display()
    );
    let mut files = Vec::new();
    collect(&root.join("src"), &root.join("src"), &mut files);
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (relative, absolute) in &files {
        relative.hash(&mut hasher);
        std::fs::read(absolute)
            .unwrap_or_default()
            .hash(&mut hasher);
    }
    std::fs::read(root.join("Cargo.lock"))
        .unwrap_or_default()
        .hash(&mut hasher);
    println!("cargo:rustc-env=GALLEY_BUILD_ID={:016x}", hasher.finish());
}
