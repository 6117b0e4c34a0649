//! The byte layout of a state file (see the table in [`super`]): the
//! fixed 128-byte header and the block-major payload, both little-endian.
//!
//! Everything here streams: the payload is written from and read into
//! [`TrialColumns`] through small per-block buffers, never through a second
//! in-memory copy of the columns.

use super::StateError;
use crate::sim::{AggregateRetained, Claimants, TrialColumns};
use std::io::{self, Read, Write};
use std::ops::Range;
use xxhash_rust::xxh3::{xxh3_64, Xxh3Default};

/// The first 8 bytes of every state file.
pub const MAGIC: [u8; 8] = *b"SLSTATE\0";

/// The layout version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Bytes in the version-1 header.
pub const HEADER_BYTES: usize = 128;

/// Bytes reserved for the tool version (UTF-8, padded with NUL bytes).
const TOOL_VERSION_BYTES: usize = 32;

/// Bytes per trial in the payload: gross claims (f64), and per specific
/// option retained and aggregate-eligible claims (f64 each) and claimants (u32).
pub fn bytes_per_trial(specific_options: u32) -> u64 {
    8 + 20 * u64::from(specific_options)
}

/// What a state file's header says: which run its trials belong to and
/// which of that run's blocks it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateHeader {
    /// Layout version ([`FORMAT_VERSION`] for files this build writes).
    pub format_version: u32,
    /// Version of the `stoploss` that wrote the file.
    pub tool_version: String,
    /// Hash of the canonical config ([`super::config_hash`]).
    pub config_hash: u64,
    /// Master seed of the run.
    pub seed: u64,
    /// Trials per block ([`crate::sim::BLOCK_TRIALS`] when written).
    pub block_trials: u64,
    /// Trials of the whole run the blocks belong to (its last block may be
    /// partial).
    pub run_trials: u64,
    /// The blocks held, in order.
    pub blocks: Range<u64>,
    /// Specific options per trial.
    pub specific_options: u32,
    /// Payload bytes: `trials() * bytes_per_trial(specific_options)`.
    pub payload_bytes: u64,
    /// XXH3-64 of the payload (0 until [`crate::state::write`] computes it).
    pub payload_checksum: u64,
}

impl StateHeader {
    /// A header for blocks `blocks` of a run of `run_trials` trials, in the
    /// current format and block size; the checksum is computed by [`crate::state::write`].
    pub fn new(
        config_hash: u64,
        seed: u64,
        run_trials: u64,
        blocks: Range<u64>,
        specific_options: u32,
    ) -> Self {
        let mut h = StateHeader {
            format_version: FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            config_hash,
            seed,
            block_trials: crate::sim::BLOCK_TRIALS,
            run_trials,
            blocks,
            specific_options,
            payload_bytes: 0,
            payload_checksum: 0,
        };
        h.payload_bytes = h.trials() * bytes_per_trial(specific_options);
        h
    }

    /// Blocks in the whole run.
    pub fn run_blocks(&self) -> u64 {
        self.run_trials.div_ceil(self.block_trials.max(1))
    }

    /// Trials in block `b` of the run (the last one may be partial).
    pub fn block_len(&self, b: u64) -> u64 {
        self.run_trials
            .saturating_sub(b.saturating_mul(self.block_trials))
            .min(self.block_trials)
    }

    /// Trials held: the sum of the held blocks' lengths.
    pub fn trials(&self) -> u64 {
        if self.blocks.start >= self.blocks.end {
            return 0;
        }
        let full = (self.blocks.end - self.blocks.start - 1) * self.block_trials;
        full + self.block_len(self.blocks.end - 1)
    }

    /// Whether the file holds every block of its run.
    pub fn is_whole_run(&self) -> bool {
        self.blocks.start == 0 && self.blocks.end == self.run_blocks()
    }

    /// The header bytes, the header checksum included.
    pub fn encode(&self) -> io::Result<[u8; HEADER_BYTES]> {
        let version = self.tool_version.as_bytes();
        if version.len() > TOOL_VERSION_BYTES || version.contains(&0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "tool version `{}` does not fit the state header",
                    self.tool_version
                ),
            ));
        }
        let mut b = [0u8; HEADER_BYTES];
        b[0..8].copy_from_slice(&MAGIC);
        b[8..12].copy_from_slice(&self.format_version.to_le_bytes());
        b[12..16].copy_from_slice(&(HEADER_BYTES as u32).to_le_bytes());
        b[16..16 + version.len()].copy_from_slice(version);
        let u64s = [
            (48, self.config_hash),
            (56, self.seed),
            (64, self.block_trials),
            (72, self.run_trials),
            (80, self.blocks.start),
            (88, self.blocks.end),
        ];
        for (at, v) in u64s {
            b[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        b[96..100].copy_from_slice(&self.specific_options.to_le_bytes());
        // 100..104 reserved, zero.
        b[104..112].copy_from_slice(&self.payload_bytes.to_le_bytes());
        b[112..120].copy_from_slice(&self.payload_checksum.to_le_bytes());
        let checksum = xxh3_64(&b[..120]);
        b[120..128].copy_from_slice(&checksum.to_le_bytes());
        Ok(b)
    }

    /// Parses and checks header bytes: magic, format version, header
    /// checksum, and that the fields agree with each other.
    pub fn decode(b: &[u8; HEADER_BYTES]) -> Result<Self, StateError> {
        if b[0..8] != MAGIC {
            return Err(StateError::NotAState);
        }
        let u32_at = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or([0; 4]));
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or([0; 8]));
        let format_version = u32_at(8);
        if format_version != FORMAT_VERSION {
            return Err(StateError::FormatVersion {
                found: format_version,
            });
        }
        if u64_at(120) != xxh3_64(&b[..120]) || u32_at(12) as usize != HEADER_BYTES {
            return Err(StateError::HeaderCorrupt);
        }
        let version = &b[16..16 + TOOL_VERSION_BYTES];
        let end = version
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(version.len());
        let tool_version = std::str::from_utf8(&version[..end])
            .map_err(|_| StateError::HeaderCorrupt)?
            .to_string();
        let h = StateHeader {
            format_version,
            tool_version,
            config_hash: u64_at(48),
            seed: u64_at(56),
            block_trials: u64_at(64),
            run_trials: u64_at(72),
            blocks: u64_at(80)..u64_at(88),
            specific_options: u32_at(96),
            payload_bytes: u64_at(104),
            payload_checksum: u64_at(112),
        };
        h.check_consistent()?;
        Ok(h)
    }

    /// The fields must describe a possible file; a reader relies on this
    /// before it allocates anything from them.
    fn check_consistent(&self) -> Result<(), StateError> {
        let bad = |what: String| Err(StateError::Inconsistent(what));
        if self.block_trials == 0 {
            return bad("a block size of 0 trials".into());
        }
        if self.blocks.start > self.blocks.end || self.blocks.end > self.run_blocks() {
            return bad(format!(
                "blocks {}..{} of a run of {} trials ({} blocks)",
                self.blocks.start,
                self.blocks.end,
                self.run_trials,
                self.run_blocks()
            ));
        }
        let expected = self
            .trials()
            .checked_mul(bytes_per_trial(self.specific_options));
        if expected != Some(self.payload_bytes) {
            return bad(format!(
                "{} payload bytes for {} trials of {} specific options",
                self.payload_bytes,
                self.trials(),
                self.specific_options
            ));
        }
        Ok(())
    }
}

/// Writes a state file: `header` (its checksum filled in here) and the
/// payload from `columns`, which must hold exactly the header's blocks.
///
/// The payload is serialized twice, first into the hasher and then into
/// `w`, so the checksum can sit in the header without seeking back.
pub fn write(w: &mut impl Write, header: &StateHeader, columns: &TrialColumns) -> io::Result<()> {
    let options = header.specific_options as usize;
    if columns.trials() as u64 != header.trials()
        || columns.retained.len() != options
        || columns.aggregate_columns() != options
        || columns.claimants.len() != options
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "columns of {} trials x {} specific options do not match a state of {} trials x {options}",
                columns.trials(),
                columns.retained.len(),
                header.trials()
            ),
        ));
    }
    let mut hasher = HashWriter(Xxh3Default::new());
    write_payload(&mut hasher, header, columns)?;
    let header = StateHeader {
        payload_checksum: hasher.0.digest(),
        ..header.clone()
    };
    w.write_all(&header.encode()?)?;
    write_payload(w, &header, columns)?;
    w.flush()
}

/// Block by block: gross claims, then each option's retained claims, then
/// each option's aggregate-eligible claims, then each option's claimants.
fn write_payload(
    w: &mut impl Write,
    header: &StateHeader,
    columns: &TrialColumns,
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(header.block_trials as usize * 8);
    let mut at = 0usize;
    for b in header.blocks.clone() {
        let n = header.block_len(b) as usize;
        let range = at..at + n;
        write_f64s(w, &mut buf, &columns.gross[range.clone()])?;
        for col in &columns.retained {
            write_f64s(w, &mut buf, &col[range.clone()])?;
        }
        // Derived aggregate columns are written as their values: the file
        // does not depend on how the columns are held.
        for col in columns.aggregates() {
            buf.clear();
            buf.extend(range.clone().flat_map(|i| col.get(i).to_le_bytes()));
            w.write_all(&buf)?;
        }
        for col in &columns.claimants {
            buf.clear();
            buf.extend(range.clone().flat_map(|i| col.get(i).to_le_bytes()));
            w.write_all(&buf)?;
        }
        at += n;
    }
    Ok(())
}

fn write_f64s(w: &mut impl Write, buf: &mut Vec<u8>, values: &[f64]) -> io::Result<()> {
    buf.clear();
    buf.extend(values.iter().flat_map(|x| x.to_le_bytes()));
    w.write_all(buf)
}

/// Reads and checks a header from the start of `r`.
pub fn read_header(r: &mut impl Read) -> Result<StateHeader, StateError> {
    let mut b = [0u8; HEADER_BYTES];
    read_exact(r, &mut b)?;
    StateHeader::decode(&b)
}

/// Reads the payload that follows `header` and appends its trials to
/// `columns` (which must be empty or hold `header.specific_options`
/// options). Fails, leaving `columns` in an unspecified state, when the
/// payload is short or its checksum differs from the header's.
pub fn read_payload(
    r: &mut impl Read,
    header: &StateHeader,
    columns: &mut TrialColumns,
) -> Result<(), StateError> {
    let options = header.specific_options as usize;
    if columns.retained.is_empty() && columns.gross.is_empty() {
        columns.retained = vec![Vec::new(); options];
        columns.aggregate_retained = AggregateRetained::Columns(vec![Vec::new(); options]);
        columns.claimants = vec![Claimants::default(); options];
    }
    if columns.retained.len() != options {
        return Err(StateError::Inconsistent(format!(
            "{} specific options, the columns being filled have {}",
            options,
            columns.retained.len()
        )));
    }
    let mut r = HashReader {
        inner: r,
        hasher: Xxh3Default::new(),
    };
    let mut buf = vec![0u8; header.block_trials.min(1 << 20) as usize * 8];
    for b in header.blocks.clone() {
        let n = header.block_len(b) as usize;
        read_f64s(&mut r, &mut buf[..n * 8], &mut columns.gross)?;
        for col in &mut columns.retained {
            read_f64s(&mut r, &mut buf[..n * 8], col)?;
        }
        match &mut columns.aggregate_retained {
            AggregateRetained::Columns(cols) => {
                for col in cols {
                    read_f64s(&mut r, &mut buf[..n * 8], col)?;
                }
            }
            // Columns of this layout derive them from `retained`: the
            // stored values are read for the checksum only.
            AggregateRetained::FromRetained => {
                for _ in 0..options {
                    read_exact(&mut r, &mut buf[..n * 8])?;
                }
            }
        }
        for col in &mut columns.claimants {
            let bytes = &mut buf[..n * 4];
            read_exact(&mut r, bytes)?;
            for c in bytes.chunks_exact(4) {
                col.push(u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
            }
        }
    }
    let found = r.hasher.digest();
    if found != header.payload_checksum {
        return Err(StateError::PayloadCorrupt {
            found,
            expected: header.payload_checksum,
        });
    }
    Ok(())
}

fn read_f64s(r: &mut impl Read, bytes: &mut [u8], into: &mut Vec<f64>) -> Result<(), StateError> {
    read_exact(r, bytes)?;
    into.extend(
        bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))),
    );
    Ok(())
}

fn read_exact(r: &mut impl Read, buf: &mut [u8]) -> Result<(), StateError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => StateError::Truncated,
        _ => StateError::Io(e),
    })
}

/// A `Write` that only hashes.
struct HashWriter(Xxh3Default);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A `Read` that hashes what passes through it.
struct HashReader<'a, R: Read> {
    inner: &'a mut R,
    hasher: Xxh3Default,
}

impl<R: Read> Read for HashReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}
