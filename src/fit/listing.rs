//! The large-claimant listing (CSV) and its preparation for fitting.
//!
//! Columns by header name, any order: `claimant_id`, `amount` (required);
//! `year` (experience year), `status` (`open` or `closed`), `censored_at`
//! (a cap such as a specific or plan maximum: an amount at or above it is
//! right-censored there). A UTF-8 byte order mark and CRLF line ends are
//! accepted. Errors name the line and column, as for the census.
//!
//! Preparation ([`prepare`]): each amount, its cap and the threshold are
//! trended by `(1 + trend)^dt`, `dt = (to_year - year) + months/12`, so the
//! truncation point moves with the trend (each claimant keeps its own
//! truncation point `u_i`, which the likelihood uses). Open claims are
//! developed by the open-claim factor. Rows below the threshold are left
//! out (and counted): a listing at a lower threshold can be refitted higher.

use crate::config::{csv_problem, next_record, read_limited, LineCounter};
use crate::error::{did_you_mean, snippet, ConfigError, ErrorKind};
use std::collections::HashMap;
use std::path::Path;

/// Largest listing read (bytes).
pub const MAX_LISTING_BYTES: u64 = 64 * 1024 * 1024;

const REQUIRED: [&str; 2] = ["claimant_id", "amount"];
const OPTIONAL: [&str; 3] = ["year", "status", "censored_at"];

/// One row of the listing, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingRow {
    /// The claimant's id.
    pub claimant_id: String,
    /// The amount as listed.
    pub amount: f64,
    /// Experience year, if given.
    pub year: Option<i32>,
    /// Whether the claim is still open.
    pub open: bool,
    /// The cap the amount was subject to, if any.
    pub censored_at: Option<f64>,
    /// 1-based line, for messages.
    pub line: u64,
}

/// A claimant ready for the likelihood.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Trended (and developed) amount; for a censored claim, the cap.
    pub amount: f64,
    /// Whether the amount is a censoring point (the true amount is at
    /// least this).
    pub censored: bool,
    /// The trended threshold: the claimant is in the listing only because
    /// its amount exceeded this.
    pub truncation: f64,
}

/// How amounts are brought to the projection period.
#[derive(Debug, Clone, PartialEq)]
pub struct Preparation {
    /// The listing's threshold (in each experience year's dollars).
    pub threshold: f64,
    /// Annual trend rate.
    pub trend: f64,
    /// Projection year (with `year` on every row).
    pub to_year: Option<i32>,
    /// Further months of trend for every row.
    pub months: f64,
    /// Development factor for open claims.
    pub open_factor: f64,
    /// A cap in projection dollars: trended amounts at or above it are
    /// censored there.
    pub limit: Option<f64>,
    /// The listing holds every claimant, not only those above the
    /// threshold: the rows below it are the body's sample and must be
    /// exact (not censored).
    pub full_listing: bool,
}

/// The prepared sample.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The claimants above the threshold.
    pub observations: Vec<Observation>,
    /// Rows left out of the tail because their amount is below the
    /// threshold.
    pub below_threshold: usize,
    /// Those rows, trended and developed, each truncated from above at its
    /// trended threshold (`truncation`): the body of a full listing
    /// ([`super::body`]). An open claim that develops past the threshold
    /// stays at it.
    pub body: Vec<Observation>,
    /// The number of distinct experience years (1 without a year column).
    pub years: usize,
}

/// Reads and checks a listing file.
pub fn read_listing(path: &Path) -> Result<Vec<ListingRow>, ConfigError> {
    let file = path.display().to_string();
    let bytes = read_limited(path, MAX_LISTING_BYTES, "claimant listings")?;
    parse_listing(&bytes, &file)
}

/// Parses listing text (`file` names it in messages).
pub fn parse_listing(bytes: &[u8], file: &str) -> Result<Vec<ListingRow>, ConfigError> {
    let err = |loc: String, msg: String| ConfigError::new(ErrorKind::Listing, file, loc, msg);
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
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
        let all = REQUIRED.iter().chain(OPTIONAL.iter());
        match all.clone().find(|k| **k == h) {
            Some(k) => {
                if col.insert(k, i).is_some() {
                    return Err(err(
                        format!("line 1, column {}", i + 1),
                        format!("column `{}` appears twice", snippet(h)),
                    ));
                }
            }
            None => {
                let hint = did_you_mean(h, all.copied())
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
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, Option<i32>), u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(bytes);
    while let Some(line) = next_record(&mut reader, &mut record, &mut lines, rows.len())
        .map_err(|(at, m)| err(at, m))?
    {
        let field = |name: &str| col.get(name).and_then(|&i| record.get(i)).unwrap_or("");
        let at = |name: &str| format!("line {line}, column {} ({name})", col[name] + 1);
        let claimant_id = field("claimant_id").to_string();
        if claimant_id.is_empty() {
            return Err(err(at("claimant_id"), "claimant_id is empty".into()));
        }
        let amount = positive(field("amount"))
            .ok_or_else(|| err(at("amount"), not_amount("amount", field("amount"))))?;
        let year = match field("year") {
            "" => None,
            raw => Some(
                raw.parse::<i32>()
                    .ok()
                    .filter(|y| (1900..=2200).contains(y))
                    .ok_or_else(|| {
                        err(
                            at("year"),
                            format!(
                                "`{}` is not allowed: year must be a whole year between 1900 and 2200",
                                snippet(raw)
                            ),
                        )
                    })?,
            ),
        };
        let open = match field("status").to_ascii_lowercase().as_str() {
            "" | "closed" => false,
            "open" => true,
            _ => {
                return Err(err(
                    at("status"),
                    format!(
                        "`{}` is not allowed: status must be open or closed (or empty: closed)",
                        snippet(field("status"))
                    ),
                ))
            }
        };
        let censored_at = match field("censored_at") {
            "" => None,
            raw => Some(
                positive(raw)
                    .ok_or_else(|| err(at("censored_at"), not_amount("censored_at", raw)))?,
            ),
        };
        if let Some(c) = censored_at {
            if amount > c {
                return Err(err(
                    at("amount"),
                    format!("amount {amount} is above the claim's cap censored_at {c}: a capped amount cannot exceed its cap"),
                ));
            }
        }
        if let Some(first) = seen.insert((claimant_id.clone(), year), line) {
            return Err(err(
                at("claimant_id"),
                format!(
                    "claimant `{}` already appears on line {first}{}; list each claimant once per year",
                    snippet(&claimant_id),
                    year.map(|y| format!(" for {y}")).unwrap_or_default()
                ),
            ));
        }
        rows.push(ListingRow {
            claimant_id,
            amount,
            year,
            open,
            censored_at,
            line,
        });
    }
    if rows.is_empty() {
        return Err(err(String::new(), "the listing has no claimants".into()));
    }
    Ok(rows)
}

fn positive(raw: &str) -> Option<f64> {
    raw.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0 && *v < 1e12)
}

fn not_amount(name: &str, raw: &str) -> String {
    format!(
        "`{}` is not allowed: {name} must be a dollar amount greater than 0 and below 1e12 (no $ or thousands separators)",
        snippet(raw)
    )
}

/// Trends, develops, truncates and censors the listing (`file` names it in
/// messages).
pub fn prepare(rows: &[ListingRow], p: &Preparation, file: &str) -> Result<Prepared, ConfigError> {
    let err = |loc: String, msg: String| ConfigError::new(ErrorKind::Listing, file, loc, msg);
    let mut observations = Vec::new();
    let mut body = Vec::new();
    let mut below = 0;
    let mut years: Vec<Option<i32>> = Vec::new();
    for r in rows {
        let dt_years = match (p.to_year, r.year) {
            (Some(to), Some(y)) => f64::from(to - y),
            (Some(_), None) => {
                return Err(err(
                    format!("line {}", r.line),
                    "this row has no year, but --to-year trends every row from its year: give the year of every row, or use --trend-months".into(),
                ))
            }
            (None, _) => 0.0,
        };
        let factor = (1.0 + p.trend).powf(dt_years + p.months / 12.0);
        if r.amount < p.threshold {
            below += 1;
            if p.full_listing && r.censored_at.is_some_and(|c| c <= r.amount) {
                return Err(err(
                    format!("line {}, column censored_at", r.line),
                    "a claim below the threshold is censored at its cap: the body's fit needs exact amounts below the threshold; leave censored_at empty or at least the amount".into(),
                ));
            }
            let truncation = p.threshold * factor;
            let developed = r.amount * factor * if r.open { p.open_factor } else { 1.0 };
            body.push(Observation {
                amount: developed.min(truncation),
                censored: false,
                truncation,
            });
            continue;
        }
        if !years.contains(&r.year) {
            years.push(r.year);
        }
        let truncation = p.threshold * factor;
        let developed = r.amount * factor * if r.open { p.open_factor } else { 1.0 };
        let mut cap = r.censored_at.map(|c| c * factor);
        if let Some(l) = p.limit {
            cap = Some(cap.map_or(l, |c| c.min(l)));
        }
        let (amount, censored) = match cap {
            Some(c) if developed >= c => (c, true),
            _ => (developed, false),
        };
        if amount <= truncation {
            return Err(err(
                format!("line {}", r.line),
                format!("the claim's cap {amount:.2} (trended) is at or below the threshold {truncation:.2}: nothing above the threshold can be learnt from it"),
            ));
        }
        observations.push(Observation {
            amount,
            censored,
            truncation,
        });
    }
    if observations.iter().filter(|o| !o.censored).count() < 2 {
        return Err(err(
            String::new(),
            format!(
                "at least 2 uncensored claimants above the threshold {} are needed to fit, the listing has {}",
                p.threshold,
                observations.iter().filter(|o| !o.censored).count()
            ),
        ));
    }
    Ok(Prepared {
        observations,
        below_threshold: below,
        body,
        years: years.len().max(1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prep(threshold: f64) -> Preparation {
        Preparation {
            threshold,
            trend: 0.0,
            to_year: None,
            months: 0.0,
            open_factor: 1.0,
            limit: None,
            full_listing: false,
        }
    }

    #[test]
    fn a_full_listing_refuses_a_censored_body_row() {
        let rows = parse_listing(
            b"claimant_id,amount,censored_at\na,200,\nb,300,\nc,50,50\n",
            "l.csv",
        )
        .unwrap();
        assert!(prepare(&rows, &prep(100.0), "l.csv").is_ok());
        let full = Preparation {
            full_listing: true,
            ..prep(100.0)
        };
        let e = prepare(&rows, &full, "l.csv").unwrap_err();
        assert_eq!(e.location, "line 4, column censored_at");
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let e = parse_listing(b"claimant_id,amount\na,100\nb,12x\n", "l.csv").unwrap_err();
        assert_eq!(e.location, "line 3, column 2 (amount)");
        let e = parse_listing(b"claimant_id,amount,status\na,100,maybe\n", "l.csv").unwrap_err();
        assert_eq!(e.location, "line 2, column 3 (status)");
        let e = parse_listing(b"claimant,amount\n", "l.csv").unwrap_err();
        assert!(e.message.contains("did you mean `claimant_id`"), "{e}");
        let e = parse_listing(b"claimant_id,amount\na,1\na,2\n", "l.csv").unwrap_err();
        assert!(e.message.contains("already appears on line 2"), "{e}");
    }

    #[test]
    fn trend_moves_the_truncation_point() {
        let rows = parse_listing(
            b"claimant_id,amount,year,status,censored_at\na,200,2024,,\nb,300,2025,open,\nc,90,2025,,\nd,400,2025,,400\n",
            "l.csv",
        )
        .unwrap();
        let p = Preparation {
            trend: 0.1,
            to_year: Some(2026),
            open_factor: 1.5,
            ..prep(100.0)
        };
        let s = prepare(&rows, &p, "l.csv").unwrap();
        assert_eq!(s.below_threshold, 1);
        // The row below the threshold is the body's: 90 x 1.1, truncated
        // above at the threshold trended the same way.
        assert_eq!(s.body.len(), 1);
        assert!(
            (s.body[0].amount - 99.0).abs() < 1e-9 && (s.body[0].truncation - 110.0).abs() < 1e-9
        );
        assert_eq!(s.years, 2);
        let o = &s.observations;
        assert!((o[0].amount - 242.0).abs() < 1e-9 && (o[0].truncation - 121.0).abs() < 1e-9);
        assert!((o[1].amount - 495.0).abs() < 1e-9 && !o[1].censored);
        assert!(o[2].censored && (o[2].amount - 440.0).abs() < 1e-9);
    }
}
