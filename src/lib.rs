//! stoploss: Monte Carlo stop-loss attachment studies for self-funded
//! employer health plans.
//!
//! The data flows `config` (JSON -> validated [`model::Study`]) -> `sim`
//! (trial blocks, member-year kernel, specific options) -> `evaluate`
//! (attachments, premiums, every candidate on the same trials) -> `report`
//! (one results struct, one exporter per format). [`run::run_study`] ties
//! them together.

pub mod analysis;
pub mod config;
pub mod contract;
pub mod dist;
pub mod error;
pub mod evaluate;
pub mod exact;
pub mod format;
pub mod model;
pub mod report;
pub mod results;
pub mod run;
pub mod shard;
pub mod sim;
pub mod state;
pub mod stats;
pub mod sweep;
