//! Fuzz target: see `fuzz/bodies.rs` for what it exercises and checks.
#![no_main]

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::yaml(data));
