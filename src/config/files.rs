//! Reading input files under a size limit. The size on disk is checked
//! before anything is read, so a 2 GB export is refused at once; the read
//! itself stops one byte past the limit, so a file that claims no size but
//! never ends (a pipe, `/dev/zero`) is refused too instead of filling memory.

use crate::error::{ConfigError, ErrorKind};
use std::io::Read;
use std::path::Path;

/// The contents of `path`, at most `limit` bytes. `what` names the kind of
/// file in messages ("configs", "census files").
pub fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, ConfigError> {
    let file = path.display().to_string();
    let io = |e: std::io::Error| ConfigError::new(ErrorKind::Io, &file, "", e.to_string());
    let too_large = |size: String| {
        ConfigError::new(
            ErrorKind::TooLarge,
            &file,
            "",
            format!(
                "the file has {size}; {what} are limited to {} ({limit} bytes)",
                human_bytes(limit)
            ),
        )
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(ConfigError::new(
            ErrorKind::Io,
            &file,
            "",
            "is a folder, not a file",
        ));
    }
    // Opening a FIFO waits for a writer, and a device may never end: only
    // regular files are read.
    if !meta.is_file() {
        return Err(ConfigError::new(
            ErrorKind::Io,
            &file,
            "",
            "is not a regular file (a FIFO, socket or device); give a file",
        ));
    }
    if meta.len() > limit {
        return Err(too_large(format!(
            "{} bytes ({})",
            meta.len(),
            human_bytes(meta.len())
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .map_err(io)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(format!("more than {}", human_bytes(limit))));
    }
    Ok(bytes)
}

/// `bytes` as UTF-8 text; invalid bytes are reported with their line and
/// column (1-based, counted in characters).
pub fn utf8(bytes: Vec<u8>, file: &str, kind: ErrorKind) -> Result<String, ConfigError> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let line = 1 + valid.matches('\n').count();
        let column = 1 + valid
            .rsplit_once('\n')
            .map_or(valid, |(_, last)| last)
            .chars()
            .count();
        ConfigError::new(
            kind,
            file,
            format!("line {line}, column {column}"),
            "the file is not UTF-8 text: save it as UTF-8",
        )
    })
}

/// "64 MiB", "2.0 GiB".
fn human_bytes(n: u64) -> String {
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    if n >= GIB {
        format!("{:.1} GiB", n as f64 / GIB as f64)
    } else if n >= MIB && n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let e = utf8(b"ab\ncd\xffe".to_vec(), "f", ErrorKind::Syntax).unwrap_err();
        assert_eq!(e.location, "line 2, column 3");
        assert_eq!(e.kind, ErrorKind::Syntax);
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_bytes(64 << 20), "64 MiB");
        assert_eq!(human_bytes(2 << 30), "2.0 GiB");
        assert_eq!(human_bytes(100), "100 bytes");
    }
}
