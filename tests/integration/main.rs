//! The integration tests: one binary driving the real `galley` executable on fixture sites.
//! See `harness.rs` for the helpers and tests/README.md for how to add a test.

mod harness;

mod blog;
mod browser;
mod build;
mod check;
mod chromium;
mod errors;
mod live_reload;
mod scaffold;
mod serve;
