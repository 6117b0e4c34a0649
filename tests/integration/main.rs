//! The integration tests, in one binary (one link instead of one per file):
//! each module is one area, `util` and `common` hold what they share.
//! Run one area with `cargo test --release --test integration cli::`.

mod common;
mod util;

mod bad_inputs;
mod cli;
mod columns;
mod contract;
mod decision;
mod deliverables;
mod distributions;
mod engine;
mod exact;
mod exact_tolerance;
mod extremes;
mod fit;
mod fuzz;
mod interrupt;
mod parameter_risk;
mod posterior;
mod precision;
mod projection;
mod properties;
mod report_cli;
mod resume;
mod sanity;
mod shard;
mod state;
mod stats;
mod stream;
mod timing;
