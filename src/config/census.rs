//! The census CSV: one row per covered member.
//!
//! Columns (by header name, any order): `member_id`, `employee_id`, `class`
//! (required); `risk_factor` (multiplies severity, default 1), `months`
//! (months of exposure in the plan year, 1 to 12, default 12), `tier`
//! (the employee's coverage tier; default the class's tier), `first_month`
//! and `last_month` (the months of enrollment, 1 to 12, default 1 and 12;
//! `months` then defaults to the months between them). A UTF-8 byte
//! order mark and CRLF line ends are accepted.

use super::files::read_limited;
use crate::error::{did_you_mean, snippet, ConfigError, ErrorKind};
use std::collections::HashMap;
use std::path::Path;

/// One census row, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CensusRow {
    /// Member id (unique).
    pub member_id: String,
    /// Employee id (the subscriber the member belongs to).
    pub employee_id: String,
    /// Index of the member's class in the config's classes.
    pub class: usize,
    /// Severity multiplier.
    pub risk_factor: f64,
    /// Months of exposure.
    pub months: f64,
    /// Coverage tier, if the census gives one.
    pub tier: Option<String>,
    /// First month of enrollment (1 to 12).
    pub first_month: u8,
    /// Last month of enrollment (1 to 12).
    pub last_month: u8,
    /// 1-based line number, for messages.
    pub line: u64,
}

const REQUIRED: [&str; 3] = ["member_id", "employee_id", "class"];
const OPTIONAL: [&str; 5] = ["risk_factor", "months", "tier", "first_month", "last_month"];

/// Largest census file read (bytes): larger files are refused before they
/// are read.
pub const MAX_CENSUS_BYTES: u64 = 512 * 1024 * 1024;

/// Reads and checks a census file against the config's class names.
pub fn read_census(path: &Path, class_names: &[String]) -> Result<Vec<CensusRow>, ConfigError> {
    let file = path.display().to_string();
    let err = |loc: String, msg: String| ConfigError::new(ErrorKind::Census, &file, loc, msg);
    let bytes = read_limited(path, MAX_CENSUS_BYTES, "census files")?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            let (column, message) = csv_problem(&e);
            let at = column.map_or("line 1".into(), |c| format!("line 1, column {c}"));
            err(at, format!("cannot read the header: {message}"))
        })?
        .clone();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(err(
            String::new(),
            format!(
                "the file is empty; it needs a header with {}",
                REQUIRED.join(", ")
            ),
        ));
    }
    let mut col: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let known = REQUIRED.iter().chain(OPTIONAL.iter()).find(|k| **k == h);
        match known {
            Some(k) => {
                if col.insert(k, i).is_some() {
                    return Err(err(
                        format!("line 1, column {}", i + 1),
                        format!("column `{}` appears twice", snippet(h)),
                    ));
                }
            }
            None => {
                let hint = did_you_mean(h, REQUIRED.iter().chain(OPTIONAL.iter()).copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(err(
                    format!("line 1, column {}", i + 1),
                    format!(
                        "unknown column `{}`{hint}; allowed: {}, {}",
                        snippet(h),
                        REQUIRED.join(", "),
                        OPTIONAL.join(", ")
                    ),
                ));
            }
        }
    }
    for r in REQUIRED {
        if !col.contains_key(r) {
            return Err(err(
                "line 1".into(),
                format!(
                    "missing required column `{r}` (required: {})",
                    REQUIRED.join(", ")
                ),
            ));
        }
    }
    let class_index: HashMap<&str, usize> = class_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(bytes);
    while let Some(line) = next_record(&mut reader, &mut record, &mut lines, rows.len())
        .map_err(|(at, m)| err(at, m))?
    {
        let field = |name: &str| col.get(name).and_then(|&i| record.get(i)).unwrap_or("");
        let at = |name: &str| format!("line {line}, column {} ({name})", col[name] + 1);
        let member_id = field("member_id").to_string();
        if member_id.is_empty() {
            return Err(err(at("member_id"), "member_id is empty".into()));
        }
        if let Some(first) = seen.insert(member_id.clone(), line) {
            return Err(err(
                at("member_id"),
                format!(
                    "member_id `{}` already appears on line {first}; ids must be unique",
                    snippet(&member_id)
                ),
            ));
        }
        let employee_id = field("employee_id").to_string();
        if employee_id.is_empty() {
            return Err(err(at("employee_id"), "employee_id is empty".into()));
        }
        let class_name = field("class");
        let class = *class_index.get(class_name).ok_or_else(|| {
            let hint = did_you_mean(class_name, class_names.iter().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            err(
                at("class"),
                format!(
                    "unknown class `{}`{hint}; the config defines: {}",
                    snippet(class_name),
                    class_names.join(", ")
                ),
            )
        })?;
        let number = |name: &str, default: f64, lo: f64, hi: f64| -> Result<f64, ConfigError> {
            if !col.contains_key(name) || field(name).is_empty() {
                return Ok(default);
            }
            let raw = field(name);
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v > lo && v <= hi => Ok(v),
                _ => Err(err(
                    at(name),
                    format!("`{}` is not allowed: {name} must be a number greater than {lo} and at most {hi}", snippet(raw)),
                )),
            }
        };
        let risk_factor = number("risk_factor", 1.0, 0.0, 1000.0)?;
        let month = |name: &str, default: u8| -> Result<u8, ConfigError> {
            if !col.contains_key(name) || field(name).is_empty() {
                return Ok(default);
            }
            let raw = field(name);
            match raw.parse::<u8>() {
                Ok(m) if (1..=12).contains(&m) => Ok(m),
                _ => Err(err(
                    at(name),
                    format!(
                        "`{}` is not allowed: {name} must be a whole month from 1 to 12",
                        snippet(raw)
                    ),
                )),
            }
        };
        let first_month = month("first_month", 1)?;
        let last_month = month("last_month", 12)?;
        if first_month > last_month {
            return Err(err(
                at("last_month"),
                format!("last_month {last_month} is before first_month {first_month}"),
            ));
        }
        let span = f64::from(last_month - first_month + 1);
        let months = number("months", span, 0.0, 12.0)?;
        if months > span {
            return Err(err(
                at("months"),
                format!("{months} months of exposure do not fit between first_month {first_month} and last_month {last_month}"),
            ));
        }
        let tier = col
            .contains_key("tier")
            .then(|| field("tier").to_string())
            .filter(|t| !t.is_empty());
        rows.push(CensusRow {
            member_id,
            employee_id,
            class,
            risk_factor,
            months,
            tier,
            first_month,
            last_month,
            line,
        });
    }
    if rows.is_empty() {
        return Err(err(String::new(), "the census lists no members".into()));
    }
    Ok(rows)
}

/// Reads the next row of a CSV file into `record` and returns its 1-based
/// line (`None` after the last row); a malformed row gives its location
/// (`line N` or `line N, column C`; a row the reader cannot place is taken
/// to follow the `read` rows before it) and what is wrong. Shared by the
/// census and the claimant listing.
pub(crate) fn next_record(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::StringRecord,
    lines: &mut LineCounter<'_>,
    read: usize,
) -> Result<Option<u64>, (String, String)> {
    match reader.read_record(record) {
        Ok(false) => Ok(None),
        Ok(true) => Ok(Some(
            record.position().map(|p| lines.line(p.byte())).unwrap_or(0),
        )),
        Err(e) => {
            let line = e
                .position()
                .map_or(read as u64 + 2, |p| lines.line(p.byte()));
            let (column, message) = csv_problem(&e);
            let at = match column {
                Some(c) => format!("line {line}, column {c}"),
                None => format!("line {line}"),
            };
            Err((at, message))
        }
    }
}

/// What the csv reader found wrong, in the census's terms: the 1-based
/// column when it is known, and the message.
pub(crate) fn csv_problem(e: &csv::Error) -> (Option<u64>, String) {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => (
            None,
            format!("the row has {len} field(s) but the header has {expected_len}: check for a missing or extra comma, or a comma inside an unquoted value"),
        ),
        csv::ErrorKind::Utf8 { err, .. } => (
            Some(err.field() as u64 + 1),
            "the file is not UTF-8 text: save it as UTF-8".into(),
        ),
        _ => (None, e.to_string()),
    }
}

/// 1-based line numbers of records, counted from byte offsets. The csv
/// crate's own line counter drifts with CRLF line ends and blank lines, so
/// count newlines before the first byte of each record instead; records come
/// in file order, so counting resumes where the last one ended.
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    newlines: u64,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            counted_to: 0,
            newlines: 0,
        }
    }

    /// The line of the record starting at byte `pos`.
    pub(crate) fn line(&mut self, pos: u64) -> u64 {
        let bytes = self.bytes;
        let mut i = (pos as usize).min(bytes.len());
        while i < bytes.len() && matches!(bytes[i], b'\r' | b'\n') {
            i += 1;
        }
        if i < self.counted_to {
            self.counted_to = 0;
            self.newlines = 0;
        }
        self.newlines += bytes[self.counted_to..i]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.counted_to = i;
        1 + self.newlines
    }
}
