//! The integration tests: one binary driving the real `galley` executable on fixture sites.
//! See `harness.rs` for the helpers and tests/README.md for how to add a test.

mod harness;

mod build;
mod durability;
mod errors;
mod fuzz_replay;
mod hostile;
mod load;
mod pathological;
mod serve;
