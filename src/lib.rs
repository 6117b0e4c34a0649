//! # stoploss
//!
//! Monte Carlo stop-loss attachment studies for self-funded (ASO) employer
//! health plans: simulate each member's claims, apply every candidate
//! specific deductible and aggregate attachment to the same simulated years
//! (common random numbers), and report each candidate's expected employer
//! cost and tail risk, every estimate with its Monte Carlo standard error.
//!
//! ## The front door
//!
//! 1. [`config::load`] (a file) or [`config::parse`] (a string) turns a
//!    JSON config into a validated, immutable [`model::Study`]; errors name
//!    the JSON path or CSV line ([`error::ConfigError`]).
//! 2. [`model::Study::with_overrides`] sets trials, seed, baseline or risk
//!    appetite after validation, checked.
//! 3. [`run::run_study`] simulates and evaluates every candidate
//!    ([`run::run_exact`] and [`run::run_both`] use the exact engine).
//! 4. [`results::Results`] holds everything a run produces, documented field
//!    by field; [`report`] serializes it (JSON, CSV, Markdown, HTML, the
//!    terminal table), one [`report::Exporter`] per format.
//!
//! ```
//! use std::path::Path;
//!
//! let config = r#"{
//!   "name": "doc-example", "seed": 7, "trials": 2000,
//!   "population": {"classes": [{"name": "staff", "employees": 50, "members": 110,
//!     "claims": [{"name": "medical",
//!                 "frequency": {"poisson": {"mean": 3}},
//!                 "severity": {"lognormal": {"mean": 2500, "cv": 3}}}]}]},
//!   "stop_loss": {
//!     "specific": [{"deductible": 50000, "premium_pepm": 120},
//!                  {"deductible": 100000, "premium_pepm": 60}],
//!     "aggregate": [{"attachment_factor": 1.25, "premium_pepm": 10}]}
//! }"#;
//! let study = stoploss::config::parse(config, "doc-example.json", Path::new("."))?;
//! let results = stoploss::run::run_study(&study, &|_trials_done| {});
//! let best = results
//!     .candidates
//!     .iter()
//!     .min_by(|a, b| a.employer_cost.mean.total_cmp(&b.employer_cost.mean))
//!     .unwrap();
//! // Every estimate carries its standard error.
//! assert!(best.employer_cost.se > 0.0);
//! assert_eq!(results.candidates.len(), 4); // 2 specific x (1 aggregate + none)
//! println!("{}: ${:.0} (se {:.0})", best.label, best.employer_cost.mean, best.employer_cost.se);
//! # Ok::<(), stoploss::error::ConfigError>(())
//! ```
//!
//! `examples/build_study.rs` builds a study in Rust code and compares
//! deductibles; the `stoploss` binary is a thin command line over this crate.
//!
//! ## Where things live
//!
//! The modules follow the data: [`config`] (raw serde types, then
//! validation) -> [`model`] (the study) -> [`dist`] (validated samplers) ->
//! [`sim`] (trial blocks seeded from (seed, block), the member-year kernel)
//! -> [`contract`] (all contract arithmetic, for every engine) ->
//! [`evaluate`] (attachments, premiums, every candidate on the same trials)
//! and [`exact`] (the exact engine) -> [`stats`] (mergeable moments,
//! quantiles, TVaR) -> [`results`] -> [`analysis`] (frontier,
//! recommendation) -> [`report`] (exporters). [`run`] ties them together;
//! [`state`] and [`shard`] save, resume and split runs; [`sweep`] reruns a
//! study over a parameter.
//!
//! Same config and seed give bit-identical results whatever the thread
//! count: each block of [`sim::BLOCK_TRIALS`] trials draws from its own
//! generator and blocks are reduced in block order.

#![warn(missing_docs)]

pub mod analysis;
pub mod config;
pub mod contract;
pub mod dist;
pub mod error;
pub mod evaluate;
pub mod exact;
pub mod fit;
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
