//! Merging shards: find them, check they are one complete run, and read
//! their trials in block order into one set of columns.

use super::ShardError;
use super::{shard_blocks, Manifest, ShardSpec, MANIFEST_FILE, SHARD_FILE};
use crate::error::ErrorKind;
use crate::sim::{ColumnLayout, TrialColumns};
use crate::state::{self, StateHeader};
use std::path::{Path, PathBuf};

/// Largest `shard.json` read (bytes); one is about 500 bytes.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// One shard found on disk: its folder, state header and manifest.
#[derive(Debug, Clone)]
pub struct ShardFile {
    /// The shard's folder (holding [`SHARD_FILE`] and [`MANIFEST_FILE`]).
    pub dir: PathBuf,
    /// Its state header (checked: checksum, length).
    pub header: StateHeader,
    /// Its manifest.
    pub manifest: Manifest,
}

impl ShardFile {
    /// Reads the shard in `dir`.
    pub fn read(dir: &Path) -> Result<Self, ShardError> {
        let (header, _) = state::open(&dir.join(SHARD_FILE)).map_err(|e| e.to_string())?;
        let path = dir.join(MANIFEST_FILE);
        let text = crate::config::read_limited(&path, MAX_MANIFEST_BYTES, "shard manifests")
            .and_then(|b| crate::config::utf8(b, &path.display().to_string(), ErrorKind::Syntax))
            .map_err(|e| e.to_string())?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a shard manifest: {e}", path.display()))?;
        Ok(ShardFile {
            dir: dir.to_path_buf(),
            header,
            manifest,
        })
    }
}

/// The shard folders among `parts`: each part is a shard folder, a shard's
/// `shard.bin`, or a folder whose subfolders are shards.
pub fn find_shards(parts: &[PathBuf]) -> Result<Vec<PathBuf>, ShardError> {
    let mut dirs = Vec::new();
    for p in parts {
        if p.is_file() && p.file_name().is_some_and(|n| n == SHARD_FILE) {
            dirs.push(p.parent().unwrap_or(Path::new(".")).to_path_buf());
        } else if p.join(SHARD_FILE).is_file() {
            dirs.push(p.clone());
        } else if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|d| d.join(SHARD_FILE).is_file())
                .collect();
            if found.is_empty() {
                return Err(ShardError::from(format!(
                    "{}: no shard in it (a shard is a folder holding {SHARD_FILE} and {MANIFEST_FILE}, written by `stoploss run --shard`)",
                    p.display()
                )));
            }
            found.sort();
            dirs.extend(found);
        } else {
            return Err(ShardError::from(format!(
                "{}: no such shard, shard file or folder",
                p.display()
            )));
        }
    }
    Ok(dirs)
}

/// Shards checked to be one complete run, in block order.
#[derive(Debug, Clone)]
pub struct MergePlan {
    /// The shards, by first block.
    pub shards: Vec<ShardFile>,
}

impl MergePlan {
    /// The manifest they share.
    pub fn manifest(&self) -> &Manifest {
        &self.shards[0].manifest
    }

    /// The header fields they share (of the first shard).
    pub fn header(&self) -> &StateHeader {
        &self.shards[0].header
    }
}

/// Checks that `shards` are the shards of one run of this build, none
/// missing and none twice, and orders them by block.
pub fn plan_merge(mut shards: Vec<ShardFile>) -> Result<MergePlan, ShardError> {
    if shards.is_empty() {
        return Err(ShardError::from("no shards to merge"));
    }
    let version = env!("CARGO_PKG_VERSION");
    for s in &shards {
        if s.header.tool_version != version || s.manifest.version != version {
            return Err(ShardError::from(format!(
                "{}: written by stoploss {}, this is {version}: merge with the version that ran the shards",
                s.dir.display(),
                s.header.tool_version
            )));
        }
    }
    let first = shards[0].clone();
    for s in &shards[1..] {
        let differs = |what: &str, a: String, b: String| {
            format!(
                "{} is a shard of another run than {}: {what} {b} there, {a} here; merge the shards of one run only",
                s.dir.display(),
                first.dir.display()
            )
        };
        let (h, f) = (&s.header, &first.header);
        let (m, fm) = (&s.manifest, &first.manifest);
        if m.name != fm.name {
            return Err(ShardError::from(differs(
                "study",
                m.name.clone(),
                fm.name.clone(),
            )));
        }
        if h.config_hash != f.config_hash {
            return Err(ShardError::from(differs(
                "config hash",
                format!("{:016x}", h.config_hash),
                format!("{:016x}", f.config_hash),
            )));
        }
        if h.seed != f.seed {
            return Err(ShardError::from(differs(
                "seed",
                h.seed.to_string(),
                f.seed.to_string(),
            )));
        }
        if h.run_trials != f.run_trials {
            return Err(ShardError::from(differs(
                "trials",
                h.run_trials.to_string(),
                f.run_trials.to_string(),
            )));
        }
        if m.shards != fm.shards {
            return Err(ShardError::from(differs(
                "shard count",
                m.shards.to_string(),
                fm.shards.to_string(),
            )));
        }
        if m.baseline != fm.baseline {
            return Err(ShardError::from(differs(
                "baseline",
                m.baseline.clone(),
                fm.baseline.clone(),
            )));
        }
        if h.block_trials != f.block_trials || h.specific_options != f.specific_options {
            return Err(ShardError::from(differs(
                "layout",
                format!("{}x{}", h.block_trials, h.specific_options),
                format!("{}x{}", f.block_trials, f.specific_options),
            )));
        }
    }
    shards.sort_by_key(|s| (s.header.blocks.start, s.header.blocks.end));
    let run_blocks = first.header.run_blocks();
    let mut next = 0;
    let mut previous: Option<&ShardFile> = None;
    // Every gap, so that one message names every shard to rerun.
    let mut gaps = Vec::new();
    for s in &shards {
        let b = &s.header.blocks;
        if b.start > next {
            gaps.push(next..b.start);
        }
        if b.start < next {
            let other = previous.map_or_else(String::new, |p| p.dir.display().to_string());
            return Err(ShardError::from(format!(
                "{} and {other} both hold blocks {}..{}: a shard is given twice",
                s.dir.display(),
                b.start,
                next.min(b.end)
            )));
        }
        next = b.end;
        previous = Some(s);
    }
    if next < run_blocks {
        gaps.push(next..run_blocks);
    }
    if !gaps.is_empty() {
        let out = first.dir.parent().map(Path::to_path_buf);
        return Err(ShardError::from(missing(
            &first.manifest,
            &gaps,
            out.as_deref(),
        )));
    }
    Ok(MergePlan { shards })
}

/// The message for blocks in `gaps` that no shard holds, naming every
/// shard to rerun and the command that reruns one into `out` (the folder
/// the other shards are in).
fn missing(m: &Manifest, gaps: &[std::ops::Range<u64>], out: Option<&Path>) -> String {
    let lost: Vec<String> = (0..m.shards)
        .filter_map(|index| {
            let spec = ShardSpec {
                index,
                count: m.shards,
            };
            let blocks = shard_blocks(spec, m.trials).ok()?;
            gaps.iter()
                .any(|gap| blocks.start < gap.end && gap.start < blocks.end)
                .then(|| spec.to_string())
        })
        .collect();
    let ranges: Vec<String> = gaps
        .iter()
        .map(|g| format!("{}..{}", g.start, g.end))
        .collect();
    let out = out
        .filter(|p| !p.as_os_str().is_empty())
        .map_or(".".to_string(), |p| p.display().to_string());
    format!(
        "blocks {} of {} are in no shard given: shard(s) {} missing; rerun each alone with `stoploss run {} --shard I/N --seed {} --trials {} --out {out}`",
        ranges.join(", "),
        m.name,
        lost.join(", "),
        m.config,
        m.seed,
        m.trials,
    )
}

/// Reads the shards' trials, in block order, into columns for the whole run
/// (one shard at a time, streamed: memory is the final columns).
/// `layout` is the study's ([`ColumnLayout::of`]).
pub fn load_columns(plan: &MergePlan, layout: &ColumnLayout) -> Result<TrialColumns, ShardError> {
    let header = plan.header();
    let mut columns = TrialColumns::with_capacity(header.run_trials as usize, layout);
    for s in &plan.shards {
        let path = s.dir.join(SHARD_FILE);
        let (header, mut reader) = state::open(&path).map_err(|e| e.to_string())?;
        let from = columns.trials();
        state::read_payload(&mut reader, &header, &mut columns)
            .and_then(|()| state::check_amounts(&columns, from))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(columns)
}
