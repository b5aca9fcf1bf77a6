//! Every CLI test in one binary (one link step instead of four, as ripgrep keeps its
//! integration tests): each module covers one family of commands end to end.

// Helpers shared by the modules; each module uses a different part of them.
#[allow(dead_code)]
mod common;

mod allocation;
mod fuzz_corpus;
mod lint;
mod live;
mod registry;
mod safety;
