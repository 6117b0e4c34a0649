//! The `stop_loss` section: specific and aggregate options, premiums,
//! lasers, and the candidates built from them.

use super::*;
use crate::config::limits::{text_problem, MAX_LABEL_CHARS};
use crate::error::ConfigError;
use crate::format::{short_dollars, trim_number};
use std::collections::{HashMap, HashSet};

pub(super) fn premium(
    ctx: &Ctx,
    path: &str,
    quoted: &Option<RawRate>,
    loss_ratio: Option<f64>,
    default_loss_ratio: Option<f64>,
    enrollment: &Enrollment,
) -> Result<Premium, ConfigError> {
    match (quoted, loss_ratio) {
        (Some(_), Some(_)) => Err(ctx.err(
            format!("{path}.target_loss_ratio"),
            "give either premium_pepm (a quote) or target_loss_ratio (priced by the tool), not both",
        )),
        (Some(r), None) => Ok(Premium::Quoted(rate(ctx, &format!("{path}.premium_pepm"), r, enrollment)?)),
        (None, Some(lr)) => Ok(Premium::Priced {
            loss_ratio: check_loss_ratio(ctx, &format!("{path}.target_loss_ratio"), lr)?,
        }),
        (None, None) => match default_loss_ratio {
            Some(lr) => Ok(Premium::Priced { loss_ratio: lr }),
            None => Err(ctx.err(
                format!("{path}.premium_pepm"),
                "is required: give the quoted premium per employee per month, or a target_loss_ratio (here or in stop_loss) to have the tool price it",
            )),
        },
    }
}

pub(super) fn contract(
    raw: &RawStopLoss,
    ctx: &Ctx,
    population: &Population,
    terminating: bool,
) -> Result<Contract, ConfigError> {
    let enrollment = &population.enrollment;
    let default_basis = match &raw.basis {
        None => Basis::INCURRED,
        Some(b) => basis(ctx, "stop_loss.basis", b)?,
    };
    let mut specific_defaulted = Vec::new();
    let mut aggregate_defaulted = Vec::new();
    let default_lr = raw
        .target_loss_ratio
        .map(|lr| check_loss_ratio(ctx, "stop_loss.target_loss_ratio", lr))
        .transpose()?;
    let mut specific = Vec::new();
    let none_specific = SpecificOption {
        label: "no specific".into(),
        terms: SpecificTerms::NONE,
        premium: Premium::None,
        timing: SpecificTiming {
            basis: default_basis.clone(),
            ..SpecificTiming::default()
        },
    };
    let include_no_specific = raw.include_no_specific.unwrap_or(false);
    if include_no_specific && raw.candidates.is_none() {
        specific.push(none_specific.clone());
    }
    for (i, o) in raw.specific.iter().enumerate() {
        let path = format!("stop_loss.specific[{i}]");
        let d = dollar_amount(ctx, &format!("{path}.deductible"), o.deductible)?;
        let max = match o.max_reimbursement {
            None => f64::INFINITY,
            Some(m) => dollar_amount(ctx, &format!("{path}.max_reimbursement"), m)?,
        };
        let pct = match o.reimbursement_pct {
            None => 1.0,
            Some(p) => fraction(
                ctx,
                &format!("{path}.reimbursement_pct"),
                p,
                "a reimbursement percentage (1 for 100%)",
            )?,
        };
        let asd = match o.aggregating_deductible {
            None => 0.0,
            Some(a) => {
                let path = format!("{path}.aggregating_deductible");
                at_most_max_dollars(ctx, &path, non_negative(ctx, &path, a)?)?
            }
        };
        let premium = premium(
            ctx,
            &path,
            &o.premium_pepm,
            o.target_loss_ratio,
            default_lr,
            enrollment,
        )?;
        let (option_basis, run_in) =
            basis_and_run_in(ctx, &path, &o.basis, &o.run_in_limit, &default_basis)?;
        let reimbursement_lag = match (o.reimbursement_lag_months, o.advance_funding) {
            (Some(l), Some(true)) if l != 0 => {
                return Err(ctx.err(
                    format!("{path}.advance_funding"),
                    "advance funding pays in the month the reimbursement is earned (lag 0): give it or reimbursement_lag_months, not both",
                ))
            }
            (_, Some(true)) => 0,
            (Some(l), _) if (0..=12).contains(&l) => l as u32,
            (Some(l), _) => {
                return Err(ctx.err(
                    format!("{path}.reimbursement_lag_months"),
                    format!("must be a whole number of months from 0 to 12, got {l}"),
                ))
            }
            (None, _) => 1,
        };
        specific_defaulted.push(o.label.is_none());
        let label = o.label.clone().unwrap_or_else(|| {
            let mut l = format!("spec {}", short_dollars(d));
            if asd > 0.0 {
                l.push_str(&format!(" + ASD {}", short_dollars(asd)));
            }
            l
        });
        specific.push(SpecificOption {
            label,
            terms: SpecificTerms {
                deductible: d,
                max_reimbursement: max,
                reimbursement_pct: pct,
                aggregating_deductible: asd,
            },
            premium,
            timing: SpecificTiming {
                basis: option_basis,
                run_in_limit: run_in,
                reimbursement_lag,
            },
        });
    }
    let mut aggregate = Vec::new();
    for (i, o) in raw.aggregate.iter().enumerate() {
        let path = format!("stop_loss.aggregate[{i}]");
        let given = [
            o.attachment_factor.is_some(),
            o.attachment_amount.is_some(),
            o.attachment_monthly.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(ctx.err(
                &path,
                "give exactly one of attachment_factor, attachment_amount or attachment_monthly",
            ));
        }
        let (attachment, default_label) = if let Some(f) = o.attachment_factor {
            let f = positive(ctx, &format!("{path}.attachment_factor"), f)?;
            if f > 10.0 {
                return Err(ctx.err(
                    format!("{path}.attachment_factor"),
                    format!("must be at most 10 (1.25 for 125% of expected claims), got {f}"),
                ));
            }
            (
                Attachment::Factor(f),
                format!("agg {}%", trim_number(100.0 * f)),
            )
        } else if let Some(a) = o.attachment_amount {
            let a = dollar_amount(ctx, &format!("{path}.attachment_amount"), a)?;
            (Attachment::Amount(a), format!("agg {}", short_dollars(a)))
        } else {
            let r = rate(
                ctx,
                &format!("{path}.attachment_monthly"),
                o.attachment_monthly.as_ref().expect("checked"),
                enrollment,
            )?;
            (Attachment::Monthly(r), "agg monthly".to_string())
        };
        let min_attachment = match (o.min_attachment, o.min_attachment_pct) {
            (Some(_), Some(_)) => {
                return Err(ctx.err(
                    format!("{path}.min_attachment_pct"),
                    "give either min_attachment (dollars) or min_attachment_pct, not both",
                ))
            }
            (Some(m), None) => Some(MinAttachment::Amount(dollar_amount(
                ctx,
                &format!("{path}.min_attachment"),
                m,
            )?)),
            (None, Some(p)) => Some(MinAttachment::Fraction(fraction(
                ctx,
                &format!("{path}.min_attachment_pct"),
                p,
                "a fraction of the attachment (0.95 for 95%)",
            )?)),
            (None, None) => None,
        };
        let max_reimbursement = match o.max_reimbursement {
            None => f64::INFINITY,
            Some(m) => dollar_amount(ctx, &format!("{path}.max_reimbursement"), m)?,
        };
        let premium = premium(
            ctx,
            &path,
            &o.premium_pepm,
            o.target_loss_ratio,
            default_lr,
            enrollment,
        )?;
        let min_attachment_first_month = o
            .min_attachment_first_month_pct
            .map(|p| {
                fraction(
                    ctx,
                    &format!("{path}.min_attachment_first_month_pct"),
                    p,
                    "a fraction of twelve times the first month's attachment (0.95 for 95%)",
                )
            })
            .transpose()?;
        let layer_top = o
            .max_layer_top
            .map(|m| dollar_amount(ctx, &format!("{path}.max_layer_top"), m))
            .transpose()?;
        if layer_top.is_some() && o.max_reimbursement.is_some() {
            return Err(ctx.err(
                format!("{path}.max_layer_top"),
                "give the aggregate maximum as max_reimbursement (an amount above the attachment) or max_layer_top (the top of the layer), not both",
            ));
        }
        let timing = aggregate_timing(ctx, &path, o, &default_basis, terminating)?;
        aggregate_defaulted.push(o.label.is_none());
        aggregate.push(AggregateOption {
            label: o.label.clone().unwrap_or(default_label),
            attachment,
            min_attachment,
            min_attachment_first_month,
            max_reimbursement,
            layer_top,
            premium,
            by_specific: Vec::new(),
            timing,
        });
    }
    label_bases(
        specific[listed_before(include_no_specific, raw)..]
            .iter_mut()
            .map(|o| (&mut o.label, o.timing.basis.clone())),
        &specific_defaulted,
    );
    label_bases(
        aggregate
            .iter_mut()
            .map(|o| (&mut o.label, o.timing.basis.clone())),
        &aggregate_defaulted,
    );
    // The "no specific" option added by include_no_specific comes first
    // and is not an entry of stop_loss.specific.
    let listed = usize::from(include_no_specific && raw.candidates.is_none());
    check_labels(
        ctx,
        "stop_loss.specific",
        specific[listed..].iter().map(|o| o.label.as_str()),
    )?;
    check_labels(
        ctx,
        "stop_loss.aggregate",
        aggregate.iter().map(|o| o.label.as_str()),
    )?;

    let lasers = lasers(raw, ctx, population, &specific)?;
    let include_no_aggregate = raw.include_no_aggregate.unwrap_or(true);
    let candidates = match &raw.candidates {
        None => {
            if specific.is_empty() {
                return Err(ctx.err("stop_loss.specific", "lists no specific option: give at least one, or set include_no_specific to true"));
            }
            if aggregate.is_empty() && !include_no_aggregate {
                return Err(ctx.err("stop_loss.aggregate", "lists no aggregate option and include_no_aggregate is false: no candidate is left"));
            }
            let mut out = Vec::new();
            for s in 0..specific.len() {
                if include_no_aggregate {
                    out.push(Candidate {
                        specific: s,
                        aggregate: None,
                    });
                }
                out.extend((0..aggregate.len()).map(|a| Candidate {
                    specific: s,
                    aggregate: Some(a),
                }));
            }
            out
        }
        Some(list) => explicit_candidates(ctx, list, &mut specific, none_specific, &aggregate)?,
    };
    let mut contract = Contract {
        specific,
        aggregate,
        lasers,
        counting: AggregateCounting {
            asd: raw.asd_counts_toward_aggregate.unwrap_or(true),
            laser_gap: raw.laser_gap_counts_toward_aggregate.unwrap_or(true),
        },
        candidates,
        baseline: 0,
        aggregate_bases: vec![Basis::INCURRED],
        aggregate_run_in_limits: vec![None],
        aggregate_basis_of: Vec::new(),
    };
    by_specific(ctx, raw, &mut contract, enrollment, default_lr)?;
    group_aggregate_bases(&mut contract);
    check_candidate_labels(ctx, raw, &contract, listed)?;
    if let Some(label) = &raw.baseline {
        contract.baseline = contract
            .candidate_index(label)
            .map_err(|e| ctx.err("stop_loss.baseline", e.to_string()))?;
    }
    Ok(contract)
}

pub(super) fn check_labels<'a>(
    ctx: &Ctx,
    path: &str,
    labels: impl Iterator<Item = &'a str>,
) -> Result<(), ConfigError> {
    let mut seen = HashMap::new();
    for (i, l) in labels.enumerate() {
        if let Some(problem) = text_problem(l, MAX_LABEL_CHARS, false) {
            return Err(ctx.err(format!("{path}[{i}].label"), problem));
        }
        if let Some(first) = seen.insert(l, i) {
            return Err(ctx.err(
                format!("{path}[{i}]"),
                format!("repeats the option labelled `{l}` (entry {first}): remove the duplicate, or give each a distinct label"),
            ));
        }
    }
    Ok(())
}

/// Candidate labels (`<specific> / <aggregate>`) must be unique once
/// composed: an aggregate labelled `no aggregate`, a specific labelled
/// `no specific`, or labels holding ` / ` can give two candidates one label,
/// and then the recommendation cannot say which it means. The error points
/// at the label of an option of the later candidate that the config gave.
pub(super) fn check_candidate_labels(
    ctx: &Ctx,
    raw: &RawStopLoss,
    contract: &Contract,
    listed: usize,
) -> Result<(), ConfigError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, c) in contract.candidates.iter().enumerate() {
        let label = contract.candidate_label(c);
        let Some(&first) = seen.get(&label) else {
            seen.insert(label, k);
            continue;
        };
        let earlier = &contract.candidates[first];
        let aggregate_place = |a: Option<usize>| {
            a.filter(|&a| raw.aggregate[a].label.is_some())
                .map(|a| format!("stop_loss.aggregate[{a}].label"))
        };
        let specific_place = |s: usize| {
            s.checked_sub(listed)
                .filter(|&i| i < raw.specific.len() && raw.specific[i].label.is_some())
                .map(|i| format!("stop_loss.specific[{i}].label"))
        };
        let place = aggregate_place(c.aggregate)
            .or_else(|| aggregate_place(earlier.aggregate))
            .or_else(|| specific_place(c.specific))
            .or_else(|| specific_place(earlier.specific))
            .unwrap_or_else(|| "stop_loss".into());
        return Err(ctx.err(
            place,
            format!(
                "gives two candidates the label `{label}` (candidates {first} and {k}): candidate labels must be unique; `no specific` and `no aggregate` are reserved, and ` / ` separates the two parts"
            ),
        ));
    }
    Ok(())
}

pub(super) fn explicit_candidates(
    ctx: &Ctx,
    list: &[RawCandidate],
    specific: &mut Vec<SpecificOption>,
    none_specific: SpecificOption,
    aggregate: &[AggregateOption],
) -> Result<Vec<Candidate>, ConfigError> {
    if list.is_empty() {
        return Err(ctx.err(
            "stop_loss.candidates",
            "is empty: list at least one candidate, or leave it out to use every combination",
        ));
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, c) in list.iter().enumerate() {
        let path = format!("stop_loss.candidates[{i}]");
        let s = match &c.specific {
            None => match specific.iter().position(|o| o.terms == SpecificTerms::NONE) {
                Some(s) => s,
                None => {
                    specific.push(none_specific.clone());
                    specific.len() - 1
                }
            },
            Some(label) => specific.iter().position(|o| &o.label == label).ok_or_else(|| {
                let labels: Vec<_> = specific.iter().map(|o| format!("`{}`", o.label)).collect();
                ctx.err(format!("{path}.specific"), format!("no specific option is labelled `{label}`; labels are {} (or null for no specific)", labels.join(", ")))
            })?,
        };
        let a = match &c.aggregate {
            None => None,
            Some(label) => Some(aggregate.iter().position(|o| &o.label == label).ok_or_else(|| {
                let labels: Vec<_> = aggregate.iter().map(|o| format!("`{}`", o.label)).collect();
                ctx.err(format!("{path}.aggregate"), format!("no aggregate option is labelled `{label}`; labels are {} (or null for no aggregate)", labels.join(", ")))
            })?),
        };
        if !seen.insert((s, a)) {
            return Err(ctx.err(&path, "repeats an earlier candidate"));
        }
        out.push(Candidate {
            specific: s,
            aggregate: a,
        });
    }
    Ok(out)
}

pub(super) fn lasers(
    raw: &RawStopLoss,
    ctx: &Ctx,
    population: &Population,
    specific: &[SpecificOption],
) -> Result<Vec<(u32, Laser)>, ConfigError> {
    if raw.lasers.is_empty() {
        return Ok(Vec::new());
    }
    if population.member_ids.is_empty() {
        return Err(ctx.err(
            "stop_loss.lasers",
            "needs a census (population.census): lasers name members by member_id",
        ));
    }
    let index: HashMap<&str, u32> = population
        .member_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as u32))
        .collect();
    let smallest = specific
        .iter()
        .filter_map(|o| o.deductible())
        .fold(f64::INFINITY, f64::min);
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, l) in raw.lasers.iter().enumerate() {
        let path = format!("stop_loss.lasers[{i}]");
        let m = *index.get(l.member_id.as_str()).ok_or_else(|| {
            ctx.err(
                format!("{path}.member_id"),
                format!("member `{}` is not in the census", l.member_id),
            )
        })?;
        if !seen.insert(m) {
            return Err(ctx.err(
                format!("{path}.member_id"),
                format!("member `{}` is lasered twice", l.member_id),
            ));
        }
        let laser = match (l.deductible, l.excluded) {
            (Some(d), None | Some(false)) => {
                let d = dollar_amount(ctx, &format!("{path}.deductible"), d)?;
                if d <= smallest {
                    return Err(ctx.err(
                        format!("{path}.deductible"),
                        format!("{d} is not above the smallest specific deductible ({smallest}): a laser raises a member's deductible"),
                    ));
                }
                Laser::Deductible(d)
            }
            (None, Some(true)) => Laser::Excluded,
            _ => return Err(ctx.err(&path, "give either deductible (the member's own specific deductible) or \"excluded\": true")),
        };
        out.push((m, laser));
    }
    out.sort_by_key(|(m, _)| *m);
    Ok(out)
}

/// Entries of `specific` before the config's own options: the "no
/// specific" option added by `include_no_specific`.
fn listed_before(include_no_specific: bool, raw: &RawStopLoss) -> usize {
    usize::from(include_no_specific && raw.candidates.is_none())
}

/// Appends the basis to default labels when the options differ by basis
/// (`spec $150k 12/15`).
fn label_bases<'a>(options: impl Iterator<Item = (&'a mut String, Basis)>, defaulted: &[bool]) {
    let options: Vec<_> = options.collect();
    let first = options.first().map(|(_, b)| b.clone());
    if options.iter().all(|(_, b)| Some(b) == first.as_ref()) {
        return;
    }
    for ((label, basis), &default) in options.into_iter().zip(defaulted) {
        if default {
            label.push_str(&format!(" {basis}"));
        }
    }
}

fn aggregate_timing(
    ctx: &Ctx,
    path: &str,
    o: &RawAggregate,
    default_basis: &Basis,
    terminating: bool,
) -> Result<AggregateTiming, ConfigError> {
    let (mut option_basis, run_in) =
        basis_and_run_in(ctx, path, &o.basis, &o.run_in_limit, default_basis)?;
    let terminal_liability = match &o.terminal_liability {
        None => None,
        Some(t) => {
            let tpath = format!("{path}.terminal_liability");
            if option_basis.paid.is_open_ended() {
                return Err(ctx.err(
                    &tpath,
                    format!("needs a basis with a paid window that ends (this option's basis `{option_basis}` pays claims whenever paid, so there is no run-out to extend): use e.g. \"12/12\""),
                ));
            }
            if !(1..=12).contains(&t.months) {
                return Err(ctx.err(
                    format!("{tpath}.months"),
                    format!(
                        "must be a whole number of months from 1 to 12, got {}",
                        t.months
                    ),
                ));
            }
            let surcharge_pct = match t.surcharge_pct {
                None => 0.0,
                Some(x) if x.is_finite() && (0.0..=1.0).contains(&x) => x,
                Some(x) => {
                    return Err(ctx.err(
                        format!("{tpath}.surcharge_pct"),
                        format!(
                            "must be a fraction from 0 to 1 (0.1 for 10%), got {}",
                            num(x)
                        ),
                    ))
                }
            };
            Some(TerminalLiability {
                months: t.months as u32,
                surcharge_pct,
            })
        }
    };
    if terminating {
        if let Some(t) = terminal_liability {
            option_basis = option_basis.extended_by(t.months as i32);
        }
    }
    Ok(AggregateTiming {
        basis: option_basis,
        run_in_limit: run_in,
        terminal_liability,
        terminating,
        accommodation: o.accommodation.unwrap_or(false),
    })
}

/// `by_specific` quotes: keyed by specific option labels.
fn by_specific(
    ctx: &Ctx,
    raw: &RawStopLoss,
    contract: &mut Contract,
    enrollment: &Enrollment,
    default_lr: Option<f64>,
) -> Result<(), ConfigError> {
    for (a, o) in raw.aggregate.iter().enumerate() {
        let Some(quotes) = &o.by_specific else {
            continue;
        };
        let path = format!("stop_loss.aggregate[{a}].by_specific");
        let mut out = Vec::new();
        for (label, q) in quotes {
            let qpath = format!("{path}.{label}");
            let s = contract
                .specific
                .iter()
                .position(|o| &o.label == label)
                .ok_or_else(|| {
                    let labels: Vec<String> = contract
                        .specific
                        .iter()
                        .map(|o| format!("`{}`", o.label))
                        .collect();
                    ctx.err(
                        &qpath,
                        format!(
                            "`{}` is not a specific option's label; the specific options are {}",
                            crate::error::snippet(label),
                            labels.join(", ")
                        ),
                    )
                })?;
            let given = [
                q.attachment_factor.is_some(),
                q.attachment_amount.is_some(),
                q.attachment_monthly.is_some(),
            ];
            if given.iter().filter(|g| **g).count() > 1 {
                return Err(ctx.err(
                    &qpath,
                    "give at most one of attachment_factor, attachment_amount or attachment_monthly",
                ));
            }
            let attachment = if let Some(f) = q.attachment_factor {
                Some(Attachment::Factor(positive(
                    ctx,
                    &format!("{qpath}.attachment_factor"),
                    f,
                )?))
            } else if let Some(x) = q.attachment_amount {
                Some(Attachment::Amount(dollar_amount(
                    ctx,
                    &format!("{qpath}.attachment_amount"),
                    x,
                )?))
            } else if let Some(r) = &q.attachment_monthly {
                Some(Attachment::Monthly(rate(
                    ctx,
                    &format!("{qpath}.attachment_monthly"),
                    r,
                    enrollment,
                )?))
            } else {
                None
            };
            let premium = if q.premium_pepm.is_some() || q.target_loss_ratio.is_some() {
                Some(premium(
                    ctx,
                    &qpath,
                    &q.premium_pepm,
                    q.target_loss_ratio,
                    default_lr,
                    enrollment,
                )?)
            } else {
                None
            };
            out.push((
                s,
                BySpecific {
                    attachment,
                    premium,
                },
            ));
        }
        contract.aggregate[a].by_specific = out;
    }
    Ok(())
}

/// The distinct aggregate bases, in order of first use.
fn group_aggregate_bases(contract: &mut Contract) {
    let mut bases: Vec<(Basis, Option<f64>)> = Vec::new();
    let mut of = Vec::new();
    for o in &contract.aggregate {
        let key = (o.timing.basis.clone(), o.timing.run_in_limit);
        let g = match bases.iter().position(|b| *b == key) {
            Some(g) => g,
            None => {
                bases.push(key);
                bases.len() - 1
            }
        };
        of.push(g);
    }
    if bases.is_empty() {
        bases.push((Basis::INCURRED, None));
    }
    contract.aggregate_run_in_limits = bases.iter().map(|(_, l)| *l).collect();
    contract.aggregate_bases = bases.into_iter().map(|(b, _)| b).collect();
    contract.aggregate_basis_of = of;
}
