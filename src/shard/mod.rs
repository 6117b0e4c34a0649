//! Sharded runs: a run's trial blocks split among independent jobs, each
//! writing a shard (a state file of its blocks, [`crate::state`], with a
//! small manifest naming the config), and merged back in block order into
//! results bit-identical to one run's.
//!
//! Shard `i` of `n` of a run of `B` blocks holds blocks
//! `floor(i B / n) .. floor((i + 1) B / n)`: contiguous, every block in
//! exactly one shard, whatever `n`.

mod merge;
mod spec;

pub use merge::{find_shards, load_columns, plan_merge, MergePlan, ShardFile};
pub use spec::{from_env, ShardArg, ShardSpec};

use crate::model::Study;
use crate::sim::{simulate_blocks, TrialColumns, BLOCK_TRIALS};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Why a shard cannot be run or merged: a wrong `--shard`, a scheduler
/// environment that does not say which shard, shards that do not fit
/// together, or a damaged shard file. The message names the shard or flag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShardError(pub String);

impl From<String> for ShardError {
    fn from(message: String) -> Self {
        ShardError(message)
    }
}

impl From<&str> for ShardError {
    fn from(message: &str) -> Self {
        ShardError(message.to_string())
    }
}

/// The shard's state file inside its folder.
pub const SHARD_FILE: &str = "shard.bin";
/// The shard's manifest inside its folder.
pub const MANIFEST_FILE: &str = "shard.json";

/// The blocks of shard `spec` of a run of `trials` trials; refused when the
/// run has fewer blocks than shards (a shard would be empty).
pub fn shard_blocks(spec: ShardSpec, trials: u64) -> Result<Range<u64>, ShardError> {
    let blocks = trials.div_ceil(BLOCK_TRIALS);
    if spec.count > blocks {
        return Err(ShardError::from(format!(
            "--shard {}/{}: the run has {trials} trials, {blocks} block(s) of {BLOCK_TRIALS}; use at most {blocks} shard(s), or more trials",
            spec.index, spec.count
        )));
    }
    let at = |i: u64| (u128::from(i) * u128::from(blocks) / u128::from(spec.count)) as u64;
    Ok(at(spec.index)..at(spec.index + 1))
}

/// The folder name of shard `spec` of study `name`.
pub fn shard_dir_name(name: &str, spec: ShardSpec) -> String {
    format!("{name}.shard-{:04}-of-{:04}", spec.index, spec.count)
}

/// What a merge needs besides the trials: which config, and the run flags
/// that change results. Written as `shard.json` beside each shard's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Study name.
    pub name: String,
    /// The config file, as an absolute path (on a cluster, a shared path).
    pub config: String,
    /// Hash of the config and its data files (hex), as in the state header.
    pub config_hash: String,
    /// Master seed of the run.
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// The baseline candidate's label (`--baseline` or the config's).
    pub baseline: String,
    /// This shard's index.
    pub shard: u64,
    /// Shards in the run.
    pub shards: u64,
    /// Version of the `stoploss` that wrote it.
    pub version: String,
}

/// Simulates the blocks of shard `spec` of `study`.
pub fn simulate_shard(
    study: &Study,
    spec: ShardSpec,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Range<u64>, TrialColumns), ShardError> {
    let blocks = shard_blocks(spec, study.trials)?;
    let columns = simulate_blocks(study, blocks.clone(), study.trials, progress);
    Ok((blocks, columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_block_once() {
        for trials in [1u64, 1024, 1025, 10_000, 200_000] {
            let blocks = trials.div_ceil(BLOCK_TRIALS);
            for count in 1..=blocks.min(13) {
                let mut next = 0;
                for index in 0..count {
                    let r = shard_blocks(ShardSpec { index, count }, trials).unwrap();
                    assert_eq!(r.start, next);
                    assert!(
                        r.end > r.start,
                        "shard {index}/{count} of {trials} is empty"
                    );
                    next = r.end;
                }
                assert_eq!(next, blocks);
            }
        }
        assert!(shard_blocks(ShardSpec { index: 0, count: 3 }, 2048).is_err());
    }
}
