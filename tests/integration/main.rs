//! The integration tests: one binary driving the real `galley` executable on fixture sites.
//! See `harness.rs` for the helpers and tests/README.md for how to add a test.

mod harness;

mod blog;
mod browser;
mod build;
mod cache;
mod check;
mod chromium;
mod durability;
mod engine;
mod errors;
mod fuzz_replay;
mod hostile;
mod live_reload;
mod load;
mod pathological;
mod sandbox;
mod scaffold;
mod serve;
mod serve_flags;
mod snippets;
