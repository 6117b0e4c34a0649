//! Claim components: the frequency and severity of each, and empirical
//! severity files.

use super::*;
use crate::config::files::{read_limited, utf8};
use crate::config::limits::{text_problem, MAX_LABEL_CHARS};
use crate::dist::{Frequency, Severity, TailSpec};
use crate::error::snippet;
use crate::error::{ConfigError, ErrorKind};
use std::path::Path;

pub(super) fn component(
    rc: &RawComponent,
    ctx: &Ctx,
    path: &str,
) -> Result<ClaimComponent, ConfigError> {
    if let Some(problem) = text_problem(&rc.name, MAX_LABEL_CHARS, false) {
        return Err(ctx.err(format!("{path}.name"), problem));
    }
    let fpath = format!("{path}.frequency");
    let frequency = match &rc.frequency {
        RawFrequency::Poisson { mean } => {
            Frequency::poisson(*mean).map_err(|e| ctx.param(&format!("{fpath}.poisson"), e))?
        }
        RawFrequency::NegativeBinomial { mean, variance } => {
            let path = format!("{fpath}.negative_binomial");
            let f =
                Frequency::negative_binomial(*mean, *variance).map_err(|e| ctx.param(&path, e))?;
            if *variance > MAX_DISPERSION * mean {
                return Err(ctx.err(
                    format!("{path}.variance"),
                    format!(
                        "must be at most 1,000,000 times the mean ({mean}), got {}",
                        num(*variance)
                    ),
                ));
            }
            f
        }
        RawFrequency::Bernoulli { p } => {
            Frequency::bernoulli(*p).map_err(|e| ctx.param(&format!("{fpath}.bernoulli"), e))?
        }
    };
    let spath = format!("{path}.severity");
    let severity = severity(&rc.severity, ctx, &spath)?;
    let mean = severity.mean();
    if !(mean.is_finite() && mean <= MAX_MEAN_CLAIM) {
        return Err(ctx.err(
            format!("{spath}.{}", severity_name(&rc.severity)),
            format!(
                "gives a mean claim of {} dollars; at most 1,000,000,000,000 is allowed",
                num(mean)
            ),
        ));
    }
    Ok(ClaimComponent {
        name: rc.name.clone(),
        frequency,
        severity,
        specific: rc.specific.unwrap_or(true),
        aggregate: rc.aggregate.unwrap_or(true),
        lag: rc
            .lag
            .as_ref()
            .map(|l| lag_model(ctx, &format!("{path}.lag"), l))
            .transpose()?,
    })
}

/// The config key of a severity distribution.
pub(super) fn severity_name(raw: &RawSeverity) -> &'static str {
    match raw {
        RawSeverity::Lognormal(_) => "lognormal",
        RawSeverity::Gamma(_) => "gamma",
        RawSeverity::Exponential { .. } => "exponential",
        RawSeverity::Weibull { .. } => "weibull",
        RawSeverity::Pareto { .. } => "pareto",
        RawSeverity::Spliced(_) => "spliced",
        RawSeverity::Empirical(_) => "empirical",
    }
}

pub(super) fn two_way(
    ctx: &Ctx,
    path: &str,
    raw: &RawTwoWay,
    natural: (&str, &str),
) -> Result<(bool, f64, f64), ConfigError> {
    let (a, b) = match natural.0 {
        "mu" => (raw.mu, raw.sigma),
        _ => (raw.shape, raw.scale),
    };
    let other_family = match natural.0 {
        "mu" => raw.shape.is_some() || raw.scale.is_some(),
        _ => raw.mu.is_some() || raw.sigma.is_some(),
    };
    let allowed = format!(
        "give either {} and {}, or mean and cv",
        natural.0, natural.1
    );
    if other_family {
        return Err(ctx.err(
            path,
            format!("has parameters of another distribution: {allowed}"),
        ));
    }
    match (a, b, raw.mean, raw.cv) {
        (Some(a), Some(b), None, None) => Ok((true, a, b)),
        (None, None, Some(m), Some(cv)) => Ok((false, m, cv)),
        _ => Err(ctx.err(path, allowed)),
    }
}

pub(super) fn severity(raw: &RawSeverity, ctx: &Ctx, path: &str) -> Result<Severity, ConfigError> {
    let p = |name: &str| format!("{path}.{name}");
    match raw {
        RawSeverity::Lognormal(t) => {
            let path = p("lognormal");
            let (natural, a, b) = two_way(ctx, &path, t, ("mu", "sigma"))?;
            let r = if natural {
                Severity::lognormal(a, b)
            } else {
                Severity::lognormal_mean_cv(a, b)
            };
            r.map_err(|e| ctx.param(&path, e))
        }
        RawSeverity::Gamma(t) => {
            let path = p("gamma");
            let (natural, a, b) = two_way(ctx, &path, t, ("shape", "scale"))?;
            let r = if natural {
                Severity::gamma(a, b)
            } else {
                Severity::gamma_mean_cv(a, b)
            };
            r.map_err(|e| ctx.param(&path, e))
        }
        RawSeverity::Exponential { mean } => {
            Severity::exponential(*mean).map_err(|e| ctx.param(&p("exponential"), e))
        }
        RawSeverity::Weibull { shape, scale } => {
            Severity::weibull(*shape, *scale).map_err(|e| ctx.param(&p("weibull"), e))
        }
        RawSeverity::Pareto { alpha, theta } => {
            Severity::lomax(*alpha, *theta).map_err(|e| ctx.param(&p("pareto"), e))
        }
        RawSeverity::Spliced(s) => {
            let path = p("spliced");
            let body = severity(&s.body, ctx, &format!("{path}.body"))?;
            let threshold = positive(ctx, &format!("{path}.threshold"), s.threshold)?;
            let tail = TailSpec {
                alpha: s.tail_alpha,
                theta: s.tail_theta.unwrap_or(threshold),
            };
            Severity::spliced(body, threshold, s.tail_probability, tail)
                .map_err(|e| ctx.param(&path, e))
        }
        RawSeverity::Empirical(e) => {
            let path = p("empirical");
            let values = match (&e.values, &e.file) {
                (Some(v), None) => v.clone(),
                (None, Some(f)) => {
                    let (values, header) = read_amounts(&ctx.data_path(&format!("{path}.file"), f)?)?;
                    if let Some(h) = header {
                        ctx.warnings.borrow_mut().push(format!(
                            "{}: line 1 (`{}`) is not a number and was skipped as a header",
                            f,
                            snippet(&h)
                        ));
                    }
                    values
                }
                _ => return Err(ctx.err(&path, "give either values (a list of amounts) or file (a path to one amount per line)")),
            };
            Severity::empirical(values).map_err(|err| ctx.param(&path, err))
        }
    }
}

/// Whether a line reads as an attempt at a number (`5,000,000`, `$5000000`,
/// `-5`, `1e400`, `NaN`): such a first line is an error, not a header.
pub(super) fn number_like(t: &str) -> bool {
    if t.parse::<f64>().is_ok() {
        return true;
    }
    let u = t.trim_start_matches(|c: char| {
        matches!(c, '$' | '+' | '-' | '(' | '"' | '\'' | '€' | '£' | '¥') || c.is_whitespace()
    });
    let mut chars = u.chars();
    match chars.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Reads one amount per line; blank lines and `#` comments are skipped and
/// the first line may be a header, if it does not read as a number: the
/// amounts, and the header when one was skipped.
pub(super) fn read_amounts(path: &Path) -> Result<(Vec<f64>, Option<String>), ConfigError> {
    let file = path.display().to_string();
    let bytes = read_limited(path, MAX_DATA_FILE_BYTES, "data files")?;
    let text = utf8(bytes, &file, ErrorKind::DataFile)?;
    let mut out = Vec::new();
    let mut header = None;
    for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let t = line.trim().trim_end_matches(',');
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => out.push(v),
            _ if i == 0 && !number_like(t) => header = Some(t.to_string()),
            _ => {
                return Err(ConfigError::new(
                    ErrorKind::DataFile,
                    &file,
                    format!("line {}", i + 1),
                    format!("`{}` is not an amount: give one finite number at least 0 per line, in plain digits (no thousands separators or currency signs)", snippet(t)),
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(ConfigError::new(
            ErrorKind::DataFile,
            &file,
            "",
            "lists no amounts",
        ));
    }
    Ok((out, header))
}
