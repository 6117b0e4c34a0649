//! Saved run state (`state.bin`): the per-trial columns of a range of trial
//! blocks, so a run can be resumed and extended (`stoploss run --resume`)
//! and, later, sharded runs merged in block order.
//!
//! # Layout (format version 1)
//!
//! All integers and floats are little-endian; floats are IEEE-754 bit
//! patterns, so a round trip is exact.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 8 | magic `SLSTATE\0` |
//! | 8 | 4 | format version (u32, 1) |
//! | 12 | 4 | header length in bytes (u32, 128) |
//! | 16 | 32 | version of the `stoploss` that wrote it, UTF-8, NUL-padded |
//! | 48 | 8 | config hash (u64, [`config_hash`]) |
//! | 56 | 8 | master seed (u64) |
//! | 64 | 8 | trials per block (u64, 1024) |
//! | 72 | 8 | trials of the whole run the blocks belong to (u64) |
//! | 80 | 8 | first block held (u64) |
//! | 88 | 8 | end of the blocks held, exclusive (u64) |
//! | 96 | 4 | specific options `S` (u32) |
//! | 100 | 4 | reserved, 0 |
//! | 104 | 8 | payload length in bytes (u64) |
//! | 112 | 8 | XXH3-64 of the payload (u64) |
//! | 120 | 8 | XXH3-64 of header bytes 0..120 (u64) |
//! | 128 | | payload |
//!
//! The payload is the held blocks in block order. Block `b` of a run of `T`
//! trials holds `n = min(1024, T - 1024 b)` trials (only the run's last
//! block can be partial), written column by column: `n` gross claims (f64),
//! then for each specific option in config order `n` retained claims (f64),
//! then for each option `n` aggregate-eligible retained claims (f64), then
//! for each option `n` claimant counts (u32): `n (8 + 20 S)` bytes.
//!
//! Because the payload is block-major, the payloads of files holding
//! consecutive block ranges of one run concatenate into the payload of their
//! union: a shard of blocks `i..j` is a state file like any other.
//!
//! A run's trials depend on the config, the seed and the simulation code. The
//! header binds the first two; the version binds the third only as far as the
//! version number changes with the random stream, so [`load_for_resume`] also
//! simulates block 0 again and compares it bit for bit.

mod fingerprint;
mod format;
mod resume;

pub use fingerprint::config_hash;
pub use format::{
    bytes_per_trial, read_header, read_payload, write, StateHeader, FORMAT_VERSION, HEADER_BYTES,
    MAGIC,
};
pub use resume::{load_for_resume, save};

use crate::sim::{AggregateRetained, TrialColumns};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

/// The state file's name in an output folder.
pub const STATE_FILE: &str = "state.bin";

/// Why a state file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file could not be read.
    #[error("cannot read it: {0}")]
    Io(#[from] io::Error),
    /// A folder, FIFO, socket or device.
    #[error("is not a regular file (a folder, FIFO, socket or device)")]
    NotAFile,
    /// A value in the trial data that no run can produce (NaN, infinite
    /// or negative dollars): a damaged or forged file.
    #[error("the trial data holds an impossible value: {0}")]
    BadValue(String),
    /// The file does not start with [`MAGIC`].
    #[error("not a stoploss state file (it does not start with the state file signature)")]
    NotAState,
    /// Another layout version.
    #[error("state format version {found}; this build reads version {FORMAT_VERSION}")]
    FormatVersion {
        /// The version in the file.
        found: u32,
    },
    /// The header checksum does not match.
    #[error("the header is corrupt (its checksum does not match)")]
    HeaderCorrupt,
    /// Header fields that contradict each other.
    #[error("the header is inconsistent: {0}")]
    Inconsistent(String),
    /// The file ends before its payload does.
    #[error("the file is truncated (it ends before its trial data does)")]
    Truncated,
    /// The file is longer or shorter than its header says.
    #[error("the file has {actual} bytes, its header announces {expected}: truncated or damaged")]
    Length {
        /// Bytes on disk.
        actual: u64,
        /// Header plus payload bytes.
        expected: u64,
    },
    /// The payload checksum does not match.
    #[error(
        "the trial data is corrupt (checksum {found:#018x}, the header records {expected:#018x})"
    )]
    PayloadCorrupt {
        /// Checksum of the bytes read.
        found: u64,
        /// Checksum in the header.
        expected: u64,
    },
    /// The state belongs to another run than the one asked for.
    #[error("it was saved {what} {state}, but this run has {run}{hint}")]
    Mismatch {
        /// What differs, as a phrase (`by stoploss`, `with seed`, ...).
        what: &'static str,
        /// The state's value.
        state: String,
        /// This run's value.
        run: String,
        /// What to do about it (starts with `; `), or empty.
        hint: String,
    },
    /// A state that does not hold a run from its first block.
    #[error("it holds blocks {start}..{end} of a run of {run_blocks} blocks (a shard); resuming needs every block of a run")]
    NotWholeRun {
        /// First block held.
        start: u64,
        /// End of the blocks held.
        end: u64,
        /// Blocks in the run.
        run_blocks: u64,
    },
    /// The run asked for has fewer trials than the state holds.
    #[error("it holds {held} trials, more than the {asked} asked for; resuming only adds trials (pass --trials {held} or more)")]
    FewerTrials {
        /// Trials held.
        held: u64,
        /// Trials asked for.
        asked: u64,
    },
    /// Block 0 simulated again differs from the state's.
    #[error("its trials differ from what this build simulates for this config and seed (block 0 checked): the simulation changed since it was saved; run again without --resume")]
    StreamChanged,
}

/// A [`StateError`] with the file it is about.
#[derive(Debug)]
pub struct StateFileError {
    /// The state file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub error: StateError,
}

impl fmt::Display for StateFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.error)
    }
}

// No `source`: the message already includes the cause, and `{:#}` would
// print it twice.
impl std::error::Error for StateFileError {}

impl StateFileError {
    /// `error` about the file at `path`.
    pub fn new(path: &Path, error: impl Into<StateError>) -> Self {
        StateFileError {
            path: path.to_path_buf(),
            error: error.into(),
        }
    }
}

/// Opens a state file and reads its header, checking that the file is as
/// long as the header says (so nothing is allocated from a damaged header).
/// The reader is left at the start of the payload.
pub fn open(path: &Path) -> Result<(StateHeader, BufReader<File>), StateFileError> {
    let err = |e: StateError| StateFileError::new(path, e);
    // Opening a FIFO would wait for a writer: only regular files are opened.
    let meta = std::fs::metadata(path).map_err(|e| err(e.into()))?;
    if !meta.is_file() {
        return Err(err(StateError::NotAFile));
    }
    let file = File::open(path).map_err(|e| err(e.into()))?;
    let actual = file.metadata().map_err(|e| err(e.into()))?.len();
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let header = read_header(&mut reader).map_err(err)?;
    let expected = HEADER_BYTES as u64 + header.payload_bytes;
    if actual != expected {
        return Err(err(StateError::Length { actual, expected }));
    }
    Ok((header, reader))
}

/// Checks that trials `from..` of `columns`, read from a state file, hold
/// amounts a run can produce: every gross, retained and aggregate-eligible
/// amount finite and at least 0. The file format itself carries any bit
/// pattern; this is the check made before the trials are used (resume,
/// merge), since a file whose checksums were recomputed over a NaN would
/// otherwise turn every mean into null and change the recommendation.
/// The error names the first impossible value, its column and its trial.
pub fn check_amounts(columns: &TrialColumns, from: usize) -> Result<(), StateError> {
    let bad = |col: &[f64]| {
        col.iter()
            .enumerate()
            .skip(from)
            .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
            .map(|(i, x)| (i, *x))
    };
    let mut found = bad(&columns.gross).map(|(i, x)| (i, x, "gross claims".to_string()));
    for (o, col) in columns.retained.iter().enumerate() {
        if let Some((i, x)) = bad(col) {
            if found.as_ref().is_none_or(|f| i < f.0) {
                found = Some((i, x, format!("retained claims of specific option {o}")));
            }
        }
    }
    // Derived aggregate columns are checked with the retained ones.
    let stored: &[Vec<f64>] = match &columns.aggregate_retained {
        AggregateRetained::FromRetained => &[],
        AggregateRetained::Columns(c) => c,
    };
    for (o, col) in stored.iter().enumerate() {
        if let Some((i, x)) = bad(col) {
            if found.as_ref().is_none_or(|f| i < f.0) {
                found = Some((
                    i,
                    x,
                    format!("aggregate-eligible claims of specific option {o}"),
                ));
            }
        }
    }
    match found {
        None => Ok(()),
        Some((i, x, what)) => Err(StateError::BadValue(format!(
            "{x} in the {what} of trial {i}"
        ))),
    }
}

/// The state file of `path`: `path` itself, or `path/state.bin` for a folder.
pub fn state_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(STATE_FILE)
    } else {
        path.to_path_buf()
    }
}
