//! Saving a whole run's state, and loading one to resume: every header
//! field checked against the run asked for, the payload streamed into
//! columns sized for the final trial count, and block 0 simulated again as a
//! check that this build draws the same trials.

use super::format::{self, StateHeader};
use super::{check_amounts, open, read_payload, StateError, StateFileError};
use crate::model::Study;
use crate::sim::{simulate_blocks, ColumnLayout, TrialColumns, BLOCK_TRIALS};
use std::io::{self, Write};
use std::path::Path;

/// Writes the state of a whole run of `study` to `w`: `columns` holds
/// every trial of the run (as many as the run's final trial count, which a
/// precision target may have raised above `study.trials`).
pub fn save(
    w: &mut impl Write,
    study: &Study,
    config_hash: u64,
    columns: &TrialColumns,
) -> io::Result<()> {
    let trials = columns.trials() as u64;
    let header = StateHeader::new(
        config_hash,
        study.seed,
        trials,
        0..trials.div_ceil(BLOCK_TRIALS),
        study.contract.specific.len() as u32,
    );
    format::write(w, &header, columns)
}

/// Loads the state at `path` to resume it as `study` (whose `trials` is the
/// final trial count): the columns of the state's trials, with room for
/// `study.trials`. Refuses a state of another version, block size, config
/// (`config_hash`), seed or trial count above `study.trials`, a shard, a
/// damaged file, and a state whose block 0 this build simulates differently.
pub fn load_for_resume(
    path: &Path,
    study: &Study,
    config_hash: u64,
) -> Result<TrialColumns, StateFileError> {
    let err = |e: StateError| StateFileError::new(path, e);
    let (header, mut reader) = open(path)?;
    check(&header, study, config_hash).map_err(err)?;
    let mut columns = TrialColumns::with_capacity(study.trials as usize, &ColumnLayout::of(study));
    read_payload(&mut reader, &header, &mut columns).map_err(err)?;
    check_amounts(&columns, 0).map_err(err)?;
    if header.trials() > 0 {
        let n = header.block_len(0) as usize;
        let again = simulate_blocks(study, 0..1, header.run_trials, &|_| {});
        if !same_prefix(&columns, &again, n) {
            return Err(err(StateError::StreamChanged));
        }
    }
    Ok(columns)
}

/// Whether `header` describes a whole run of `study` with at most
/// `study.trials` trials.
fn check(header: &StateHeader, study: &Study, config_hash: u64) -> Result<(), StateError> {
    let mismatch = |what, state: String, run: String, hint: &str| StateError::Mismatch {
        what,
        state,
        run,
        hint: hint.to_string(),
    };
    let version = env!("CARGO_PKG_VERSION");
    if header.tool_version != version {
        return Err(mismatch(
            "by stoploss",
            header.tool_version.clone(),
            version.to_string(),
            "; a state is resumed only by the version that saved it",
        ));
    }
    if header.block_trials != BLOCK_TRIALS {
        return Err(mismatch(
            "with blocks of",
            format!("{} trials", header.block_trials),
            format!("{BLOCK_TRIALS}"),
            "",
        ));
    }
    if header.config_hash != config_hash {
        return Err(mismatch(
            "for config hash",
            format!("{:016x}", header.config_hash),
            format!("{config_hash:016x}"),
            "; the config, its census or a data file changed since it was saved, or the state is another study's",
        ));
    }
    if header.seed != study.seed {
        return Err(mismatch(
            "with seed",
            header.seed.to_string(),
            study.seed.to_string(),
            &format!("; pass --seed {}", header.seed),
        ));
    }
    let options = study.contract.specific.len();
    if header.specific_options as usize != options {
        return Err(mismatch(
            "with specific options:",
            header.specific_options.to_string(),
            options.to_string(),
            "",
        ));
    }
    if !header.is_whole_run() {
        return Err(StateError::NotWholeRun {
            start: header.blocks.start,
            end: header.blocks.end,
            run_blocks: header.run_blocks(),
        });
    }
    if header.run_trials > study.trials {
        return Err(StateError::FewerTrials {
            held: header.run_trials,
            asked: study.trials,
        });
    }
    Ok(())
}

/// Whether the first `n` trials of `a` and `b` are bit for bit the same.
fn same_prefix(a: &TrialColumns, b: &TrialColumns, n: usize) -> bool {
    let f64s = |x: &[f64], y: &[f64]| {
        x.len() >= n
            && y.len() >= n
            && x[..n]
                .iter()
                .zip(&y[..n])
                .all(|(p, q)| p.to_bits() == q.to_bits())
    };
    f64s(&a.gross, &b.gross)
        && a.retained.len() == b.retained.len()
        && a.retained.iter().zip(&b.retained).all(|(x, y)| f64s(x, y))
        && a.aggregate_columns() == b.aggregate_columns()
        && a.aggregates().zip(b.aggregates()).all(|(x, y)| {
            x.len() >= n && y.len() >= n && (0..n).all(|i| x.get(i).to_bits() == y.get(i).to_bits())
        })
        && a.claimants
            .iter()
            .zip(&b.claimants)
            .all(|(x, y)| x.len() >= n && y.len() >= n && x.iter().take(n).eq(y.iter().take(n)))
}
