//! The simulation: seeding, the member-year kernel, the contract arithmetic
//! applied to every specific option, and the parallel block driver.
//!
//! Trials are cut into fixed blocks of [`BLOCK_TRIALS`]; block `b` draws from
//! its own generator derived from `(seed, b)` ([`seed::block_rng`]). Blocks
//! run in parallel and their outputs are concatenated in block order, so the
//! results do not depend on the number of threads or on scheduling.

mod columns;
pub mod dated;
mod driver;
#[doc(hidden)] // for the stream tests and the benches; not part of the API
pub mod kernel;
pub mod parameter_risk;
pub mod posterior;
pub mod projection;
pub mod seed;

pub use columns::{AggregateRetained, AggregateView, Claimants, ColumnLayout, TrialColumns};
pub use driver::{simulate, simulate_blocks, MonthlyColumns, BLOCK_TRIALS};
