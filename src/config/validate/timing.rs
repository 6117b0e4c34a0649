//! Contract timing: the `timing` block, lag pmfs, bases and run-in limits,
//! known claims. Every error names its JSON path.

use super::*;
use crate::dist::{LagModel, LagPmf, MAX_LAG_MONTHS};
use crate::error::ConfigError;
use serde_json::Value;

/// Earliest incurral or paid month a window may name: the run-in of a
/// 24/12 basis, and the longest lag before it.
const FIRST_MONTH: i64 = -(MAX_LAG_MONTHS as i64) - 12;
/// Latest paid month a window may name.
const LAST_MONTH: i64 = 12 + MAX_LAG_MONTHS as i64 + 12;

pub(super) fn lag_model(ctx: &Ctx, path: &str, raw: &RawLag) -> Result<LagModel, ConfigError> {
    let pmf = |p: &str, v: &[f64]| LagPmf::new(v.to_vec()).map_err(|e| ctx.param(p, e));
    let base = pmf(path, &raw.pmf)?;
    let mut above: Vec<(f64, LagPmf)> = Vec::new();
    for (i, band) in raw.above.iter().enumerate() {
        let bpath = format!("{path}.above[{i}]");
        let amount = dollar_amount(ctx, &format!("{bpath}.amount"), band.amount)?;
        if let Some((last, _)) = above.last() {
            if amount <= *last {
                return Err(ctx.err(
                    format!("{bpath}.amount"),
                    format!(
                        "must be greater than the band before it ({}): list bands in increasing amount",
                        num(*last)
                    ),
                ));
            }
        }
        above.push((amount, pmf(&bpath, &band.pmf)?));
    }
    Ok(LagModel { base, above })
}

/// A basis: one of [`BASIS_LABELS`] or `{"incurred": [first, last], "paid":
/// [first, last]}` (months from the policy start; `null` for an open end).
pub(super) fn basis(ctx: &Ctx, path: &str, raw: &Value) -> Result<Basis, ConfigError> {
    let allowed = || {
        format!(
            "a basis is one of {} or {{\"incurred\": [first, last], \"paid\": [first, last]}} in months from the policy start (month 1; run-in months are 0, -1, ...)",
            BASIS_LABELS.map(|l| format!("\"{l}\"")).join(", ")
        )
    };
    match raw {
        Value::String(label) => Basis::from_label(label).ok_or_else(|| {
            ctx.err(
                path,
                format!(
                    "`{}` is not a basis: {}",
                    crate::error::snippet(label),
                    allowed()
                ),
            )
        }),
        Value::Object(map) => {
            if let Some(k) = map
                .keys()
                .find(|k| !["incurred", "paid"].contains(&k.as_str()))
            {
                return Err(ctx.err(
                    format!("{path}.{k}"),
                    format!("is not a basis field: {}", allowed()),
                ));
            }
            let window = |key: &str,
                          open_first: i32,
                          open_last: i32|
             -> Result<Window, ConfigError> {
                let wpath = format!("{path}.{key}");
                let Some(v) = map.get(key) else {
                    return Err(ctx.err(&wpath, format!("is required: {}", allowed())));
                };
                let ends = v.as_array().filter(|a| a.len() == 2).ok_or_else(|| {
                    ctx.err(
                        &wpath,
                        "must be [first, last]: two whole months, or null for an open end",
                    )
                })?;
                let end = |i: usize, open: i32| -> Result<i32, ConfigError> {
                    match &ends[i] {
                        Value::Null => Ok(open),
                        v => match v.as_i64() {
                            Some(m) if (FIRST_MONTH..=LAST_MONTH).contains(&m) => Ok(m as i32),
                            _ => Err(ctx.err(
                                format!("{wpath}[{i}]"),
                                format!("must be a whole month from {FIRST_MONTH} to {LAST_MONTH} (or null for an open end), got {v}"),
                            )),
                        },
                    }
                };
                let (first, last) = (end(0, open_first)?, end(1, open_last)?);
                if first > last {
                    return Err(ctx.err(
                        &wpath,
                        format!("the first month ({first}) is after the last ({last})"),
                    ));
                }
                Ok(Window::new(first, last))
            };
            Ok(Basis {
                incurred: window("incurred", i32::MIN, i32::MAX)?,
                paid: window("paid", i32::MIN, i32::MAX)?,
            })
        }
        _ => Err(ctx.err(path, allowed())),
    }
}

/// A run-in limit: a number (dollars), or `{"amount": dollars, "months":
/// months}`; the month form moves the basis's first incurral month to
/// `1 - months`.
pub(super) fn run_in_limit(
    ctx: &Ctx,
    path: &str,
    raw: &Value,
    basis: &mut Basis,
) -> Result<Option<f64>, ConfigError> {
    let what = "a run-in limit is a dollar amount, or {\"amount\": dollars, \"months\": months of run-in counted}";
    let dollars = |p: String, v: &Value| -> Result<f64, ConfigError> {
        let x = v.as_f64().ok_or_else(|| ctx.err(&p, what))?;
        non_negative(ctx, &p, x)?;
        at_most_max_dollars(ctx, &p, x)
    };
    match raw {
        Value::Number(_) => Ok(Some(dollars(path.to_string(), raw)?)),
        Value::Object(map) => {
            if let Some(k) = map
                .keys()
                .find(|k| !["amount", "months"].contains(&k.as_str()))
            {
                return Err(ctx.err(
                    format!("{path}.{k}"),
                    format!("is not a run-in limit field: {what}"),
                ));
            }
            if let Some(m) = map.get("months") {
                let months = m.as_i64().filter(|m| (0..=24).contains(m)).ok_or_else(|| {
                    ctx.err(
                        format!("{path}.months"),
                        format!("must be a whole number of months from 0 to 24, got {m}"),
                    )
                })?;
                basis.incurred.first = basis.incurred.first.max(1 - months as i32);
                if basis.incurred.first > basis.incurred.last {
                    return Err(ctx.err(
                        format!("{path}.months"),
                        "leaves the basis no incurral month",
                    ));
                }
            }
            map.get("amount")
                .map(|v| dollars(format!("{path}.amount"), v))
                .transpose()
        }
        _ => Err(ctx.err(path, what)),
    }
}

/// An option's `basis` (default: `default`) and `run_in_limit` at `path`:
/// the basis with the limit's month form applied, and its dollar form.
pub(super) fn basis_and_run_in(
    ctx: &Ctx,
    path: &str,
    raw_basis: &Option<Value>,
    raw_run_in: &Option<Value>,
    default: &Basis,
) -> Result<(Basis, Option<f64>), ConfigError> {
    let mut b = match raw_basis {
        None => default.clone(),
        Some(v) => basis(ctx, &format!("{path}.basis"), v)?,
    };
    let limit = match raw_run_in {
        None => None,
        Some(r) => run_in_limit(ctx, &format!("{path}.run_in_limit"), r, &mut b)?,
    };
    Ok((b, limit))
}

/// The `timing` block (or the default when only contract terms ask for
/// timing).
pub(super) fn timing(
    ctx: &Ctx,
    raw: Option<&RawTiming>,
    trend: Trend,
) -> Result<Timing, ConfigError> {
    let mut timing = Timing::immediate();
    let Some(raw) = raw else {
        return Ok(timing);
    };
    if let Some(w) = &raw.seasonality {
        if w.len() != 12 {
            return Err(ctx.err(
                "timing.seasonality",
                format!("must give 12 monthly weights (January-relative months 1 to 12 of the policy), got {}", w.len()),
            ));
        }
        for (i, x) in w.iter().enumerate() {
            if !(x.is_finite() && *x > 0.0) {
                return Err(ctx.err(
                    format!("timing.seasonality[{i}]"),
                    format!("must be a positive weight, got {}", num(*x)),
                ));
            }
        }
        let total: f64 = w.iter().sum();
        timing.seasonality = std::array::from_fn(|i| w[i] / total);
    }
    if let Some(lag) = &raw.lag {
        timing.lag = lag_model(ctx, "timing.lag", lag)?;
    }
    timing.prior_year = match raw.prior_year.as_deref() {
        None | Some("fully_insured") => PriorYear::FullyInsured,
        Some("self_funded") => PriorYear::SelfFunded,
        Some(other) => {
            return Err(ctx.err(
                "timing.prior_year",
                format!(
                    "`{}` is not allowed: use \"fully_insured\" (the prior carrier pays its own run-out) or \"self_funded\" (the run-in is the employer's)",
                    crate::error::snippet(other)
                ),
            ))
        }
    };
    timing.prior_year_deflator = 1.0 + trend.annual;
    timing.terminating = raw.terminating.unwrap_or(false);
    if let Some(e) = &raw.episodes {
        let above = dollar_amount(ctx, "timing.episodes.above", e.above)?;
        let p = &e.duration.pmf;
        if p.is_empty() || p.len() > 12 {
            return Err(ctx.err(
                "timing.episodes.duration.pmf",
                "must give the probabilities of 1, 2, ... months, at most 12 entries",
            ));
        }
        if p.iter().any(|x| !(x.is_finite() && *x >= 0.0))
            || (p.iter().sum::<f64>() - 1.0).abs() > 1e-6
        {
            return Err(ctx.err(
                "timing.episodes.duration.pmf",
                "must be probabilities of 0 or more that sum to 1",
            ));
        }
        let mut acc = 0.0;
        let mut cdf: Vec<f64> = p
            .iter()
            .map(|x| {
                acc += x;
                acc
            })
            .collect();
        *cdf.last_mut().expect("not empty") = 1.0;
        timing.episodes = Some(Episodes {
            above,
            months: p.clone(),
            cdf,
        });
    }
    Ok(timing)
}

/// Claims known at renewal (`population.known_claims`): each names a census
/// member, and optionally one of its class's components for eligibility
/// and lag.
pub(super) fn known_claims(
    ctx: &Ctx,
    raw: &RawPopulation,
    population: &Population,
    default_lag: &LagModel,
) -> Result<Vec<KnownClaim>, ConfigError> {
    if raw.known_claims.is_empty() {
        return Ok(Vec::new());
    }
    if population.member_ids.is_empty() {
        return Err(ctx.err(
            "population.known_claims",
            "needs a census (population.census): known claims name members by member_id",
        ));
    }
    let index: std::collections::HashMap<&str, usize> = population
        .member_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut out = Vec::new();
    for (i, k) in raw.known_claims.iter().enumerate() {
        let path = format!("population.known_claims[{i}]");
        let member = *index.get(k.member_id.as_str()).ok_or_else(|| {
            let hint = crate::error::did_you_mean(
                &k.member_id,
                population.member_ids.iter().map(String::as_str),
            )
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
            ctx.err(
                format!("{path}.member_id"),
                format!(
                    "`{}` is not a member of the census{hint}",
                    crate::error::snippet(&k.member_id)
                ),
            )
        })?;
        let amount = dollar_amount(ctx, &format!("{path}.amount"), k.amount)?;
        if !(1..=12).contains(&k.incurred_month) {
            return Err(ctx.err(
                format!("{path}.incurred_month"),
                format!(
                    "must be a month of the policy year, 1 to 12, got {}",
                    k.incurred_month
                ),
            ));
        }
        let lag_months = match k.lag_months {
            None => None,
            Some(l) if (0..=MAX_LAG_MONTHS as i64).contains(&l) => Some(l as u32),
            Some(l) => {
                return Err(ctx.err(
                    format!("{path}.lag_months"),
                    format!("must be a whole number of months from 0 to {MAX_LAG_MONTHS}, got {l}"),
                ))
            }
        };
        let m = population.members[member];
        let class = &population.classes[population.profiles[m.profile as usize].class];
        let (specific, aggregate, lag) = match &k.component {
            None => (true, true, default_lag.clone()),
            Some(name) => {
                let c = class
                    .components
                    .iter()
                    .find(|c| &c.name == name)
                    .ok_or_else(|| {
                        ctx.err(
                            format!("{path}.component"),
                            format!(
                                "class `{}` has no component `{}`; it has: {}",
                                class.name,
                                crate::error::snippet(name),
                                class
                                    .components
                                    .iter()
                                    .map(|c| c.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?;
                (
                    c.specific,
                    c.aggregate,
                    c.lag.clone().unwrap_or_else(|| default_lag.clone()),
                )
            }
        };
        out.push(KnownClaim {
            member: member as u32,
            amount,
            incurred_month: k.incurred_month as i32,
            lag_months,
            lag,
            specific,
            aggregate,
        });
    }
    Ok(out)
}
