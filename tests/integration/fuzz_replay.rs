//! The fuzz targets inside `cargo test`, which runs on stable without libFuzzer (see
//! FUZZING.md): every minimized crash the fuzzer found (`fuzz/regressions/<target>/`) and every
//! seed (`fuzz/seeds/<target>/`) is replayed through the very same bodies (`fuzz/bodies.rs`),
//! then a short, deterministic mutation smoke runs each target on a few hundred variants of
//! its seeds.

use std::path::Path;

use crate::harness::repo_root;

#[path = "../../fuzz/bodies.rs"]
mod bodies;

type Body = fn(&[u8]);

const TARGETS: &[(&str, Body)] = &[
    ("frontmatter", bodies::frontmatter),
    ("markdown", bodies::markdown),
    ("config", bodies::config),
    ("yaml", bodies::yaml),
    ("shell", bodies::shell),
];

/// The files of a folder, sorted; none if it does not exist.
fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("read a fuzz input"))
        })
        .collect();
    files.sort();
    files
}

/// Runs `body` on `input`, naming the input if it panics.
fn replay(target: &str, name: &str, body: Body, input: &[u8]) {
    let outcome = std::panic::catch_unwind(|| body(input));
    assert!(
        outcome.is_ok(),
        "fuzz target `{target}` panicked on {name} (re-run it with `cargo fuzz run {target} <file>`)"
    );
}

#[test]
fn minimized_fuzz_crashes_stay_fixed() {
    let mut replayed = 0;
    for (target, body) in TARGETS {
        let dir = repo_root().join("fuzz/regressions").join(target);
        for (name, input) in inputs(&dir) {
            replay(target, &name, *body, &input);
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "fuzz/regressions/ holds the crashes found so far"
    );
}

#[test]
fn fuzz_seeds_run_cleanly() {
    for (target, body) in TARGETS {
        let seeds = inputs(&repo_root().join("fuzz/seeds").join(target));
        assert!(!seeds.is_empty(), "fuzz/seeds/{target}/ is empty");
        for (name, input) in seeds {
            replay(target, &name, *body, &input);
        }
    }
}

/// A tiny deterministic mutator (xorshift): flips, inserts, deletes and duplicates bytes, and
/// splices in tokens the parsers care about. Not a fuzzer, a smoke test that the targets still
/// hold on inputs near the seeds, on every CI run.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        const TOKENS: &[&[u8]] = &[
            b"\n```",
            b"```yaml,hl_lines=",
            b"\n## ",
            b"{#",
            b"\n> ",
            b"\n- ",
            b"[",
            b"](@/",
            b"\n+++\n",
            b"\n---\n",
            b"=",
            b"\"",
            b"'",
            b",",
            b"[[",
            b"]]",
            b"{",
            b"}",
            b":",
            b"\t",
            b"\r\n",
            b"<script>",
            b"&",
            b"\xe2\x80\xae",
            b"\0",
            b"\xff",
            b"999999999999",
        ];
        let mut data = input.to_vec();
        for _ in 0..1 + self.below(8) {
            let at = self.below(data.len() + 1);
            match self.below(5) {
                0 if !data.is_empty() => {
                    let i = at.min(data.len() - 1);
                    data[i] ^= 1 << self.below(8);
                }
                1 => {
                    let token = TOKENS[self.below(TOKENS.len())];
                    data.splice(at..at, token.iter().copied());
                }
                2 if !data.is_empty() => {
                    let end = (at + self.below(64)).min(data.len());
                    data.drain(at.min(end)..end);
                }
                3 => {
                    let end = (at + self.below(256)).min(data.len());
                    let piece = data[at.min(end)..end].to_vec();
                    data.splice(at..at, piece);
                }
                _ => data.insert(at, self.next() as u8),
            }
        }
        data
    }
}

#[test]
fn fuzz_targets_survive_a_mutation_smoke() {
    for (index, (target, body)) in TARGETS.iter().enumerate() {
        let seeds = inputs(&repo_root().join("fuzz/seeds").join(target));
        let mut mutator = Mutator(0x9e37_79b9_7f4a_7c15 ^ index as u64);
        for round in 0..300 {
            let (name, seed) = &seeds[round % seeds.len()];
            let input = mutator.mutate(seed);
            replay(
                target,
                &format!("mutation {round} of {name}"),
                *body,
                &input,
            );
        }
    }
}
