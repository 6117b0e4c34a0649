//! The `projection` block: years, trend, persistence, renewal rule,
//! deductible policy, rider.

use super::*;
use crate::contract::renewal::{
    Credibility, DeductiblePolicy, LaserAmount, LaserRule, RenewalRule, Rider,
};
use serde_json::Value;

/// Default trials of the manual-rate pass.
pub const DEFAULT_MANUAL_TRIALS: u64 = 4096;
/// Default band edges of the persistence tiers.
pub const DEFAULT_TIERS: [f64; 4] = [0.5, 0.8, 0.95, 0.99];
/// Tolerance on a transition row's sum and on its stationary distribution.
const MATRIX_TOLERANCE: f64 = 1e-9;

/// The validated projection (`None` for no block or one year).
pub(super) fn projection(
    ctx: &Ctx,
    raw: Option<&RawProjection>,
    trend: Trend,
    population: &Population,
    timed: bool,
) -> Result<Option<Projection>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    if !(1..=MAX_PROJECTION_YEARS).contains(&raw.years) {
        return Err(ctx.err(
            "projection.years",
            format!(
                "must be a whole number of plan years from 1 to {MAX_PROJECTION_YEARS}, got {}",
                raw.years
            ),
        ));
    }
    if raw.years == 1 {
        return Ok(None);
    }
    if timed {
        return Err(ctx.err(
            "projection",
            "a multi-year projection does not yet combine with contract timing (bases, lags, run-in); remove one of them",
        ));
    }
    let renewals = (raw.years - 1) as usize;
    let trend = projection_trend(ctx, raw.trend.as_ref(), trend.annual, renewals)?;
    let persistence = raw
        .persistence
        .as_ref()
        .map(|p| persistence(ctx, p, population))
        .transpose()?;
    let renewal = renewal_rule(ctx, raw.renewal.as_ref(), persistence.as_ref())?;
    let deductible_policy = match raw.deductible_policy.as_deref() {
        None | Some("fixed") => DeductiblePolicy::Fixed,
        Some("indexed") => DeductiblePolicy::Indexed,
        Some("rechosen") => DeductiblePolicy::Rechosen,
        Some(other) => {
            return Err(ctx.err(
                "projection.deductible_policy",
                format!("must be \"fixed\", \"indexed\" or \"rechosen\", got {other:?}"),
            ))
        }
    };
    let rider = raw.rider.as_ref().map(|r| rider(ctx, r)).transpose()?;
    let manual_trials = raw.manual_trials.unwrap_or(DEFAULT_MANUAL_TRIALS);
    if !(256..=10_000_000).contains(&manual_trials) {
        return Err(ctx.err(
            "projection.manual_trials",
            format!("must be between 256 and 10000000, got {manual_trials}"),
        ));
    }
    Ok(Some(Projection {
        years: raw.years,
        trend,
        persistence,
        renewal,
        deductible_policy,
        rider,
        manual_trials,
    }))
}

fn trend_rate(ctx: &Ctx, path: &str, v: &Value) -> Result<f64, ConfigError> {
    match v.as_f64() {
        Some(t) if t.is_finite() && t > -0.5 && t <= 1.0 => Ok(t),
        _ => Err(ctx.err(
            path,
            format!("must be a rate between -0.5 and 1 (0.08 for 8%), got {v}"),
        )),
    }
}

fn projection_trend(
    ctx: &Ctx,
    raw: Option<&Value>,
    annual: f64,
    renewals: usize,
) -> Result<Vec<f64>, ConfigError> {
    match raw {
        None => Ok(vec![annual; renewals]),
        Some(Value::Array(list)) => {
            if list.len() != renewals {
                return Err(ctx.err(
                    "projection.trend",
                    format!(
                        "a list needs one rate per renewal ({renewals} for {} years), got {}",
                        renewals + 1,
                        list.len()
                    ),
                ));
            }
            list.iter()
                .enumerate()
                .map(|(i, v)| trend_rate(ctx, &format!("projection.trend[{i}]"), v))
                .collect()
        }
        Some(v) => Ok(vec![trend_rate(ctx, "projection.trend", v)?; renewals]),
    }
}

fn persistence(
    ctx: &Ctx,
    raw: &RawPersistence,
    population: &Population,
) -> Result<Persistence, ConfigError> {
    let path = "projection.persistence";
    let edges = raw.tiers.clone().unwrap_or_else(|| DEFAULT_TIERS.to_vec());
    if edges.is_empty()
        || edges.len() > 64
        || edges
            .iter()
            .any(|e| !(e.is_finite() && *e > 0.0 && *e < 1.0))
        || edges.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(ctx.err(
            format!("{path}.tiers"),
            "must be 1 to 64 increasing band edges strictly between 0 and 1 (e.g. [0.5, 0.8, 0.95, 0.99]: the top tier is the top 1%)",
        ));
    }
    let mut bounds = vec![0.0];
    bounds.extend(&edges);
    bounds.push(1.0);
    let tiers = bounds.len() - 1;
    let width = |k: usize| bounds[k + 1] - bounds[k];
    let transition = match (&raw.transition, raw.top_stays) {
        (Some(_), Some(_)) => {
            return Err(ctx.err(
                path,
                "give either top_stays or a transition matrix, not both",
            ))
        }
        (None, stays) => {
            let stays = stays.unwrap_or(0.2);
            let top = width(tiers - 1);
            if !(stays.is_finite() && stays >= top && stays <= 1.0) {
                return Err(ctx.err(
                    format!("{path}.top_stays"),
                    format!(
                        "must be between the top tier's share ({}) and 1, got {}",
                        num(top),
                        num(stays)
                    ),
                ));
            }
            // Stay with probability s, else redraw from the stationary mix:
            // P(top -> top) = s + (1 - s) * top.
            let s = (stays - top) / (1.0 - top);
            (0..tiers)
                .map(|i| {
                    (0..tiers)
                        .map(|j| (1.0 - s) * width(j) + if i == j { s } else { 0.0 })
                        .collect()
                })
                .collect()
        }
        (Some(m), None) => {
            check_transition(ctx, path, m, tiers, &width)?;
            m.clone()
        }
    };
    let transition_cdf = transition
        .iter()
        .map(|row: &Vec<f64>| {
            let mut acc = 0.0;
            row.iter()
                .map(|p| {
                    acc += p;
                    acc
                })
                .collect()
        })
        .collect();
    let known: Vec<&str> = population
        .classes
        .iter()
        .flat_map(|c| c.components.iter().map(|k| k.name.as_str()))
        .collect();
    let components = match &raw.components {
        Some(names) => {
            for (i, n) in names.iter().enumerate() {
                if !known.contains(&n.as_str()) {
                    return Err(ctx.err(
                        format!("{path}.components[{i}]"),
                        format!("names no claim component; the components are {known:?}"),
                    ));
                }
            }
            names.clone()
        }
        None => {
            let mut names: Vec<String> = Vec::new();
            for c in population.classes.iter().flat_map(|c| &c.components) {
                if c.specific && !names.contains(&c.name) {
                    names.push(c.name.clone());
                }
            }
            names
        }
    };
    Ok(Persistence {
        bounds,
        transition,
        transition_cdf,
        components,
    })
}

fn check_transition(
    ctx: &Ctx,
    path: &str,
    m: &[Vec<f64>],
    tiers: usize,
    width: &dyn Fn(usize) -> f64,
) -> Result<(), ConfigError> {
    if m.len() != tiers {
        return Err(ctx.err(
            format!("{path}.transition"),
            format!("needs one row per tier ({tiers}), got {}", m.len()),
        ));
    }
    for (i, row) in m.iter().enumerate() {
        let sum: f64 = row.iter().sum();
        if row.len() != tiers
            || row.iter().any(|p| !(p.is_finite() && *p >= 0.0))
            || (sum - 1.0).abs() > MATRIX_TOLERANCE
        {
            return Err(ctx.err(
                format!("{path}.transition[{i}]"),
                format!("must hold {tiers} probabilities summing to 1"),
            ));
        }
    }
    for j in 0..tiers {
        let next: f64 = m.iter().enumerate().map(|(i, row)| width(i) * row[j]).sum();
        if (next - width(j)).abs() > 1e-6 {
            return Err(ctx.err(
                format!("{path}.transition"),
                format!(
                    "must keep the tiers' shares (the band widths) from year to year; tier {j} holds {} and would hold {} next year",
                    num(width(j)),
                    num(next)
                ),
            ));
        }
    }
    Ok(())
}

fn renewal_rule(
    ctx: &Ctx,
    raw: Option<&RawRenewal>,
    persistence: Option<&Persistence>,
) -> Result<RenewalRule, ConfigError> {
    let path = "projection.renewal";
    let mut rule = RenewalRule {
        target_loss_ratio: None,
        credibility: Credibility::LimitedFluctuation {
            full_standard: 1082.0,
        },
        floor_of_manual: 0.0,
        pool_cap: f64::INFINITY,
        laser: None,
    };
    let Some(raw) = raw else { return Ok(rule) };
    if let Some(t) = raw.target_loss_ratio {
        rule.target_loss_ratio = Some(check_loss_ratio(
            ctx,
            &format!("{path}.target_loss_ratio"),
            t,
        )?);
    }
    if let Some(c) = &raw.credibility {
        let p = format!("{path}.credibility");
        rule.credibility = match c {
            Value::Number(n) => match n.as_f64() {
                Some(z) if (0.0..=1.0).contains(&z) => Credibility::Fixed(z),
                _ => return Err(ctx.err(p, format!("a fixed Z must be between 0 and 1, got {n}"))),
            },
            Value::Object(o) if o.len() == 1 && o.contains_key("full_standard_claimants") => {
                match o["full_standard_claimants"].as_f64() {
                    Some(n) if n.is_finite() && n >= 1.0 => {
                        Credibility::LimitedFluctuation { full_standard: n }
                    }
                    _ => {
                        return Err(ctx.err(
                            format!("{p}.full_standard_claimants"),
                            "must be a number of claimants of at least 1 (1082 is the 90%/5% standard)",
                        ))
                    }
                }
            }
            _ => {
                return Err(ctx.err(
                    p,
                    "must be a fixed Z between 0 and 1, or {\"full_standard_claimants\": n} for limited fluctuation",
                ))
            }
        };
    }
    if let Some(f) = raw.floor_of_manual {
        if !(f.is_finite() && (0.0..=2.0).contains(&f)) {
            return Err(ctx.err(
                format!("{path}.floor_of_manual"),
                format!(
                    "must be a share of the manual premium between 0 and 2, got {}",
                    num(f)
                ),
            ));
        }
        rule.floor_of_manual = f;
    }
    if let Some(c) = raw.pool_cap {
        rule.pool_cap = dollar_amount(ctx, &format!("{path}.pool_cap"), c)?;
    }
    if let Some(l) = &raw.laser {
        let p = format!("{path}.laser");
        let trigger = l.trigger.unwrap_or(1.0);
        if !(trigger.is_finite() && (0.0..=100.0).contains(&trigger)) {
            return Err(ctx.err(
                format!("{p}.trigger"),
                format!(
                    "must be a multiple of the deductible between 0 and 100, got {}",
                    num(trigger)
                ),
            ));
        }
        let amount = match &l.amount {
            Value::Number(n) => LaserAmount::Fixed(dollar_amount(
                ctx,
                &format!("{p}.amount"),
                n.as_f64().unwrap_or(f64::NAN),
            )?),
            Value::String(s) if s == "exclude" => LaserAmount::Excluded,
            Value::Object(o) if o.len() == 1 && o.contains_key("multiple_of_paid") => {
                match o["multiple_of_paid"].as_f64() {
                    Some(k) if k.is_finite() && k > 0.0 && k <= 100.0 => {
                        LaserAmount::MultipleOfPaid(k)
                    }
                    _ => {
                        return Err(ctx.err(
                            format!("{p}.amount.multiple_of_paid"),
                            "must be a multiple greater than 0 and at most 100",
                        ))
                    }
                }
            }
            _ => {
                return Err(ctx.err(
                    format!("{p}.amount"),
                    "must be a dollar deductible, {\"multiple_of_paid\": k} or \"exclude\"",
                ))
            }
        };
        let trigger_tier = l
            .trigger_tier
            .map(|t| match persistence {
                Some(chain) if t < chain.tiers() => Ok(t as u8),
                Some(chain) => Err(ctx.err(
                    format!("{p}.trigger_tier"),
                    format!(
                        "must name a persistence tier from 0 (the lowest) to {}, got {t}",
                        chain.tiers() - 1
                    ),
                )),
                None => Err(ctx.err(
                    format!("{p}.trigger_tier"),
                    "needs a projection.persistence block (the tiers it names)",
                )),
            })
            .transpose()?;
        rule.laser = Some(LaserRule {
            trigger,
            trigger_tier,
            amount,
        });
    }
    Ok(rule)
}

fn rider(ctx: &Ctx, raw: &RawRider) -> Result<Rider, ConfigError> {
    let path = "projection.rider";
    let cap = match raw.cap {
        None => f64::INFINITY,
        Some(c) if c.is_finite() && (0.0..=10.0).contains(&c) => c,
        Some(c) => {
            return Err(ctx.err(
                format!("{path}.cap"),
                format!(
                    "must be a most increase between 0 and 10 (0.5 for 50%), got {}",
                    num(c)
                ),
            ))
        }
    };
    if !(raw.surcharge.is_finite() && (0.0..=1.0).contains(&raw.surcharge)) {
        return Err(ctx.err(
            format!("{path}.surcharge"),
            format!(
                "must be a share of the specific premium between 0 and 1 (0.08 for 8%), got {}",
                num(raw.surcharge)
            ),
        ));
    }
    let lapse_over = raw
        .lapse_over
        .map(|x| dollar_amount(ctx, &format!("{path}.lapse_over"), x))
        .transpose()?
        .unwrap_or(f64::INFINITY);
    let lapse_probability = match raw.lapse_probability {
        None => 0.0,
        Some(p) if (0.0..=1.0).contains(&p) => p,
        Some(p) => {
            return Err(ctx.err(
                format!("{path}.lapse_probability"),
                format!("must be a probability between 0 and 1, got {}", num(p)),
            ))
        }
    };
    Ok(Rider {
        cap,
        surcharge: raw.surcharge,
        no_new_lasers: raw.no_new_lasers.unwrap_or(true),
        lapse_over,
        lapse_probability,
    })
}
