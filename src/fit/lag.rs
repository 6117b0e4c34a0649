//! `stoploss fit-lag`: completion factors, the lag pmf and IBNR from a paid
//! triangle by the chain ladder (volume-weighted development factors).
//!
//! The triangle CSV has a header; its first column names the incurral month
//! (any label), the others are lags 0, 1, ..., K with the *incremental*
//! paid amount; cells not yet observed are empty and only trailing cells may
//! be. With cumulative `C_{i,k}` and `R_k` the rows observed at lag k+1:
//!
//! ```text
//! f_k  = sum_{i in R_k} C_{i,k+1} / sum_{i in R_k} C_{i,k}
//! CF_K = 1 / tail;   CF_k = CF_{k+1} / f_k
//! pmf  p_0 = CF_0,   p_k = CF_k - CF_{k-1}   (and 1 - CF_K at lag K+1 when tail > 1)
//! ultimate_i = C_{i,k_i} / CF_{k_i},   IBNR_i = ultimate_i - C_{i,k_i}
//! ```

use crate::config::{csv_problem, read_limited, LineCounter};
use crate::error::{snippet, ConfigError, ErrorKind};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Largest triangle read (bytes).
pub const MAX_TRIANGLE_BYTES: u64 = 16 * 1024 * 1024;

/// One incurral month of the triangle.
#[derive(Debug, Clone, PartialEq)]
pub struct TriangleRow {
    /// The month's label.
    pub month: String,
    /// Incremental paid by lag, as far as observed.
    pub paid: Vec<f64>,
}

/// The chain-ladder fit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LagFit {
    /// Volume-weighted development factors `f_k`, lag k to k+1.
    pub development_factors: Vec<f64>,
    /// Completion factors `CF_k` (share of ultimate paid by lag k).
    pub completion_factors: Vec<f64>,
    /// The lag pmf (sums to 1).
    pub pmf: Vec<f64>,
    /// The tail factor used (ultimate over paid at the last lag).
    pub tail_factor: f64,
    /// Per incurral month: paid to date, ultimate and IBNR.
    pub months: Vec<MonthIbnr>,
    /// Sum of the months' IBNR.
    pub total_ibnr: f64,
}

/// One month's reserve.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MonthIbnr {
    /// Its label.
    pub month: String,
    /// The latest lag observed.
    pub latest_lag: usize,
    /// Paid to date.
    pub paid: f64,
    /// Estimated ultimate.
    pub ultimate: f64,
    /// `ultimate - paid`.
    pub ibnr: f64,
}

/// Reads and checks a triangle file.
pub fn read_triangle(path: &Path) -> Result<Vec<TriangleRow>, ConfigError> {
    let file = path.display().to_string();
    let bytes = read_limited(path, MAX_TRIANGLE_BYTES, "lag triangles")?;
    parse_triangle(&bytes, &file)
}

/// Parses triangle text (`file` names it in messages).
pub fn parse_triangle(bytes: &[u8], file: &str) -> Result<Vec<TriangleRow>, ConfigError> {
    let err = |loc: String, msg: String| ConfigError::new(ErrorKind::Listing, file, loc, msg);
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            err(
                "line 1".into(),
                format!("cannot read the header: {}", csv_problem(&e).1),
            )
        })?
        .clone();
    let lags = headers.len().saturating_sub(1);
    if lags < 2 {
        return Err(err(
            "line 1".into(),
            "the header needs an incurral-month column and at least two lag columns (month,0,1,...)".into(),
        ));
    }
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(bytes);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e
                    .position()
                    .map_or(rows.len() as u64 + 2, |p| lines.line(p.byte()));
                return Err(err(format!("line {line}"), csv_problem(&e).1));
            }
        }
        let line = record.position().map(|p| lines.line(p.byte())).unwrap_or(0);
        let month = record.get(0).unwrap_or("").to_string();
        if month.is_empty() {
            return Err(err(
                format!("line {line}, column 1"),
                "the incurral month is empty".into(),
            ));
        }
        let mut paid = Vec::new();
        let mut ended = false;
        for c in 1..=lags {
            let raw = record.get(c).unwrap_or("");
            let at = format!("line {line}, column {}", c + 1);
            if raw.is_empty() {
                ended = true;
                continue;
            }
            if ended {
                return Err(err(at, "a paid amount after an empty cell: only the latest lags of a month may be missing".into()));
            }
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v.abs() < 1e13 => paid.push(v),
                _ => {
                    return Err(err(
                        at,
                        format!("`{}` is not allowed: an incremental paid amount must be a number (no $ or separators)", snippet(raw)),
                    ))
                }
            }
        }
        if paid.is_empty() {
            return Err(err(
                format!("line {line}, column 2"),
                "the month has no paid amount at lag 0".into(),
            ));
        }
        rows.push(TriangleRow { month, paid });
    }
    if rows.is_empty() {
        return Err(err(
            String::new(),
            "the triangle has no incurral months".into(),
        ));
    }
    Ok(rows)
}

/// Fits completion factors and the pmf (`file` names the triangle in
/// messages).
pub fn fit_lag(rows: &[TriangleRow], tail_factor: f64, file: &str) -> Result<LagFit, ConfigError> {
    let err = |msg: String| ConfigError::new(ErrorKind::Listing, file, String::new(), msg);
    let lags = rows.iter().map(|r| r.paid.len()).max().unwrap_or(0);
    let cum: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| {
            r.paid
                .iter()
                .scan(0.0, |s, v| {
                    *s += v;
                    Some(*s)
                })
                .collect()
        })
        .collect();
    let mut f = Vec::new();
    for k in 0..lags - 1 {
        let obs: Vec<&Vec<f64>> = cum.iter().filter(|c| c.len() > k + 1).collect();
        let top: f64 = obs.iter().map(|c| c[k + 1]).sum();
        let bottom: f64 = obs.iter().map(|c| c[k]).sum();
        if obs.is_empty() || bottom <= 0.0 {
            return Err(err(format!(
                "no development factor from lag {k} to {}: the months observed there have no positive cumulative paid at lag {k}",
                k + 1
            )));
        }
        if top < bottom {
            return Err(err(format!(
                "the development factor from lag {k} to {} is {:.6} < 1 (net recoveries): completion factors would decrease and the lag pmf would be negative",
                k + 1,
                top / bottom
            )));
        }
        f.push(top / bottom);
    }
    let mut cf = vec![0.0; lags];
    cf[lags - 1] = 1.0 / tail_factor;
    for k in (0..lags - 1).rev() {
        cf[k] = cf[k + 1] / f[k];
    }
    let mut pmf: Vec<f64> = (0..lags)
        .map(|k| if k == 0 { cf[0] } else { cf[k] - cf[k - 1] })
        .collect();
    if tail_factor > 1.0 {
        pmf.push(1.0 - cf[lags - 1]);
    }
    let months: Vec<MonthIbnr> = rows
        .iter()
        .zip(&cum)
        .map(|(r, c)| {
            let k = c.len() - 1;
            let paid = c[k];
            let ultimate = paid / cf[k];
            MonthIbnr {
                month: r.month.clone(),
                latest_lag: k,
                paid,
                ultimate,
                ibnr: ultimate - paid,
            }
        })
        .collect();
    Ok(LagFit {
        development_factors: f,
        completion_factors: cf,
        pmf,
        tail_factor,
        total_ibnr: months.iter().map(|m| m.ibnr).sum(),
        months,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ladder_by_hand() {
        let t = b"month,0,1,2\n2025-01,60,30,10\n2025-02,70,35,\n2025-03,80,,\n";
        let rows = parse_triangle(t, "t.csv").unwrap();
        let fit = fit_lag(&rows, 1.0, "t.csv").unwrap();
        // f_0 = (90 + 105) / (60 + 70) = 1.5, f_1 = 100 / 90.
        assert!((fit.development_factors[0] - 1.5).abs() < 1e-12);
        assert!((fit.development_factors[1] - 100.0 / 90.0).abs() < 1e-12);
        assert!((fit.completion_factors[0] - 0.6).abs() < 1e-12);
        assert!((fit.pmf.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((fit.pmf[1] - 0.3).abs() < 1e-12);
        // March: 80 / 0.6 = 133.33, IBNR 53.33.
        assert!((fit.months[2].ibnr - 80.0 / 0.6 + 80.0).abs() < 1e-9);
    }

    #[test]
    fn gaps_are_refused_with_line_and_column() {
        let e = parse_triangle(b"month,0,1,2\na,1,,3\n", "t.csv").unwrap_err();
        assert_eq!(e.location, "line 2, column 4");
        let e = parse_triangle(b"month,0,1\na,1,x\n", "t.csv").unwrap_err();
        assert_eq!(e.location, "line 2, column 3");
    }
}
