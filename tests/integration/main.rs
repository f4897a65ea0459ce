//! The integration-test binary: drives the real `galley` binary on fixture sites.

mod snippets;
