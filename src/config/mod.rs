//! Reading a config: JSON -> raw serde types ([`raw`]) -> validated
//! [`crate::model::Study`] ([`validate`]). The rest of the program only sees
//! the validated model.

mod census;
pub mod raw;
mod validate;

pub use census::{read_census, CensusRow, MAX_CENSUS_BYTES};
pub use validate::{short_dollars, COMPOSITE_TIER, DEFAULT_SEED, DEFAULT_TRIALS, MAX_TRIALS};

use crate::error::{did_you_mean, ConfigError, ErrorKind};
use crate::model::Study;
use std::path::Path;

/// Largest config file read (bytes).
pub const MAX_CONFIG_BYTES: u64 = 64 * 1024 * 1024;

/// Reads, parses and validates a config file.
pub fn load(path: &Path) -> Result<Study, ConfigError> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| ConfigError::new(ErrorKind::Io, &file, "", e.to_string()))?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::new(
            ErrorKind::Io,
            &file,
            "",
            format!(
                "the file has {} bytes; configs are limited to {MAX_CONFIG_BYTES} bytes",
                meta.len()
            ),
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(ErrorKind::Io, &file, "", e.to_string()))?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    parse(&text, &file, dir)
}

/// Parses and validates config text. `file` names it in messages and `dir`
/// resolves relative paths inside it.
pub fn parse(text: &str, file: &str, dir: &Path) -> Result<Study, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(first) = text.trim_start().chars().next() {
        if first != '{' {
            return Err(ConfigError::new(
                ErrorKind::Schema,
                file,
                "line 1",
                "a config must be one JSON object ({...})",
            ));
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let raw: raw::RawConfig = match serde_path_to_error::deserialize(&mut de) {
        Ok(raw) => raw,
        Err(e) => return Err(json_error(e, file)),
    };
    if let Err(e) = de.end() {
        return Err(ConfigError::new(
            ErrorKind::Syntax,
            file,
            format!("line {}, column {}", e.line(), e.column()),
            "unexpected characters after the end of the config object",
        ));
    }
    validate::validate(raw, &validate::Ctx { file, dir })
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>, file: &str) -> ConfigError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let kind = match inner.classify() {
        serde_json::error::Category::Data => ErrorKind::Schema,
        serde_json::error::Category::Io => ErrorKind::Io,
        _ => ErrorKind::Syntax,
    };
    let mut message = strip_position(&inner.to_string())
        .replace("expected f64", "expected a number")
        .replace("expected u64", "expected a whole number at least 0");
    if let Some(hint) = suggestion(&message) {
        message.push_str(&format!(" (did you mean `{hint}`?)"));
    }
    let located = path != "." && !path.contains('?');
    let location = if !located {
        format!("line {}, column {}", inner.line(), inner.column())
    } else {
        format!("{path} (line {}, column {})", inner.line(), inner.column())
    };
    ConfigError::new(kind, file, location, message)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (or variant),
/// the closest expected name.
fn suggestion(msg: &str) -> Option<String> {
    let rest = msg
        .strip_prefix("unknown field `")
        .or_else(|| msg.strip_prefix("unknown variant `"))?;
    let (word, expected) = rest.split_once('`')?;
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(word, names.iter().copied()).map(str::to_string)
}
