//! Reading a config: JSON -> raw serde types (`raw`) -> validated
//! [`crate::model::Study`] (`validate`). The rest of the program only sees
//! the validated model.

mod census;
mod files;
mod json_error;
pub mod limits;
pub(crate) mod raw;
mod validate;

pub(crate) use census::{csv_problem, next_record, LineCounter};
pub use census::{read_census, CensusRow, MAX_CENSUS_BYTES};
pub use files::{read_limited, utf8};
pub use validate::MAX_DATA_FILE_BYTES;
pub use validate::{check_trial_count, COMPOSITE_TIER, DEFAULT_SEED, DEFAULT_TRIALS, MAX_TRIALS};
pub use validate::{DEFAULT_MANUAL_TRIALS, DEFAULT_TIERS};

use crate::error::{ConfigError, ErrorKind};
use crate::model::Study;
use std::path::Path;

/// Largest config file read (bytes).
pub const MAX_CONFIG_BYTES: u64 = 64 * 1024 * 1024;

/// Reads, parses and validates a config file. Files over
/// [`MAX_CONFIG_BYTES`] are refused before they are read.
pub fn load(path: &Path) -> Result<Study, ConfigError> {
    load_with(path, &LoadOptions::default())
}

/// How a config is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// `--confine`: the census and data files must lie under the config's
    /// folder (no absolute path, no `..`, no link leading out of it), for
    /// services that run configs written by others.
    pub confine: bool,
}

/// [`load`] with `options`.
pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Study, ConfigError> {
    let file = path.display().to_string();
    let bytes = files::read_limited(path, MAX_CONFIG_BYTES, "configs")?;
    let text = files::utf8(bytes, &file, ErrorKind::Syntax)?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    parse_with(&text, &file, dir, options)
}

/// Parses and validates config text. `file` names it in messages and `dir`
/// resolves relative paths inside it.
pub fn parse(text: &str, file: &str, dir: &Path) -> Result<Study, ConfigError> {
    parse_with(text, file, dir, &LoadOptions::default())
}

/// Reads and validates a manual-rate file (`stoploss fit --manual`): JSON
/// with errors naming their path; a `members_csv` is read relative to the
/// file's folder.
pub fn load_manual(path: &Path) -> Result<crate::model::manual::ManualRate, ConfigError> {
    let file = path.display().to_string();
    let bytes = files::read_limited(path, MAX_CONFIG_BYTES, "manual-rate files")?;
    let text = files::utf8(bytes, &file, ErrorKind::Syntax)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut de = serde_json::Deserializer::from_str(text);
    let raw: raw::RawManualRate = match serde_path_to_error::deserialize(&mut de) {
        Ok(raw) => raw,
        Err(e) => return Err(json_error::from_serde(e, text, &file)),
    };
    if let Err(e) = de.end() {
        return Err(ConfigError::new(
            ErrorKind::Syntax,
            &file,
            format!("line {}, column {}", e.line(), e.column()),
            "unexpected characters after the end of the manual-rate object",
        ));
    }
    let ctx = validate::Ctx {
        file: &file,
        dir: path.parent().unwrap_or(Path::new(".")),
        confine: false,
        warnings: Default::default(),
    };
    validate::manual_rate(&raw, &ctx)
}

/// [`parse`] with `options`.
pub fn parse_with(
    text: &str,
    file: &str,
    dir: &Path,
    options: &LoadOptions,
) -> Result<Study, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = text.trim_start();
    if body.chars().next().is_some_and(|first| first != '{') {
        let line = 1 + text[..text.len() - body.len()].matches('\n').count();
        return Err(ConfigError::new(
            ErrorKind::Schema,
            file,
            format!("line {line}"),
            "a config must be one JSON object ({...})",
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let raw: raw::RawConfig = match serde_path_to_error::deserialize(&mut de) {
        Ok(raw) => raw,
        Err(e) => return Err(json_error::from_serde(e, text, file)),
    };
    if let Err(e) = de.end() {
        return Err(ConfigError::new(
            ErrorKind::Syntax,
            file,
            format!("line {}, column {}", e.line(), e.column()),
            "unexpected characters after the end of the config object",
        ));
    }
    json_error::check_lists(text, file)?;
    let ctx = validate::Ctx {
        file,
        dir,
        confine: options.confine,
        warnings: Default::default(),
    };
    validate::validate(raw, &ctx)
}
