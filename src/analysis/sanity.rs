//! Sanity checks of the inputs against what the run expects: the loss
//! ratios that quoted premiums imply, aggregate premiums that ignore the
//! specific option they sit on, and a fully insured premium far from the
//! expected self-funded cost. Each warning names the config field and, for
//! a unit slip (an annual rate typed as PEPM, a monthly premium typed as
//! annual), the number that was probably meant. `validate` runs them on a
//! short pilot simulation, `run` on its own results.

use crate::contract::Premium;
use crate::format::{dollars, percent};
use crate::model::Study;
use crate::results::Results;

/// Loss ratios carriers price stop-loss at: below, the premium is several
/// times the expected reimbursement; above, the carrier would lose money.
pub const LOSS_RATIO_RANGE: (f64, f64) = (0.50, 0.95);

/// Where a fully insured premium sits against the expected self-funded cost
/// (it carries the insurer's margin, risk charge and taxes).
pub const FULLY_INSURED_RANGE: (f64, f64) = (0.9, 1.4);

/// Trials of the pilot simulation `validate` checks a config with, at most:
/// enough for loss ratios that are off by a factor, not for figures.
pub const PILOT_TRIALS: u64 = 2_000;

/// Most member-years the pilot simulates (a second or so).
const PILOT_MEMBER_YEARS: f64 = 2e7;

/// Fewest trials a pilot is worth running with.
const PILOT_MIN_TRIALS: u64 = 256;

/// Trials of the pilot for `study`: [`PILOT_TRIALS`], fewer for a large
/// population, never more than the study's own trials; `None` when even a
/// short pilot would take more than a few seconds (`run` checks then).
pub fn pilot_trials(study: &Study) -> Option<u64> {
    let members = study.population.member_count().max(1) as f64;
    let by_size = (PILOT_MEMBER_YEARS / members).floor() as u64;
    (by_size >= PILOT_MIN_TRIALS).then(|| by_size.min(PILOT_TRIALS).min(study.trials))
}

fn in_range(x: f64, (lo, hi): (f64, f64)) -> bool {
    (lo..=hi).contains(&x)
}

/// Below this PEPM a rate is not an annual one typed as monthly.
const ANNUAL_LOOKING_PEPM: f64 = 100.0;

/// Fewest trials with an aggregate reimbursement for a pilot's loss ratio
/// of the aggregate to mean anything.
const PILOT_MIN_EVENTS: f64 = 10.0;

/// The loss-ratio warning of a quoted premium at `field` with annual
/// `premium` (`pepm` per employee per month) and expected annual
/// `reimbursement`.
fn loss_ratio(field: &str, premium: f64, pepm: f64, reimbursement: f64) -> Option<String> {
    if premium <= 0.0 || !reimbursement.is_finite() {
        return None;
    }
    let lr = reimbursement / premium;
    if in_range(lr, LOSS_RATIO_RANGE) {
        return None;
    }
    let hint = if pepm >= ANNUAL_LOOKING_PEPM && in_range(lr * 12.0, LOSS_RATIO_RANGE) {
        format!(
            "; an annual rate typed as PEPM? divided by 12 the loss ratio would be {}",
            percent(lr * 12.0)
        )
    } else if lr < LOSS_RATIO_RANGE.0 {
        " (the premium is high for the expected reimbursement; target_loss_ratio prices it from the claim model)".into()
    } else {
        " (the premium is low for the expected reimbursement)".into()
    };
    Some(format!(
        "{field}: implied loss ratio {} (expected reimbursement ${} a year against a premium of ${}), outside the {:.0}%-{:.0}% carriers price at{hint}",
        percent(lr),
        dollars(reimbursement),
        dollars(premium),
        100.0 * LOSS_RATIO_RANGE.0,
        100.0 * LOSS_RATIO_RANGE.1,
    ))
}

/// The warnings about `study`'s inputs that `results` (of the study, or of
/// a `pilot` of it) reveal. A pilot says nothing about an aggregate that
/// paid in fewer than [`PILOT_MIN_EVENTS`] of its trials.
pub fn warnings(study: &Study, results: &Results, pilot: bool) -> Vec<String> {
    let mut out = Vec::new();
    let months = results.population.employee_months().max(1.0);
    let contract = &study.contract;
    // The "no specific" option, when asked for, comes before the listed ones.
    let offset = usize::from(
        contract
            .specific
            .first()
            .is_some_and(|o| o.deductible().is_none()),
    );
    for (i, (option, summary)) in contract
        .specific
        .iter()
        .zip(&results.specific_options)
        .enumerate()
    {
        if let Premium::Quoted(_) = option.premium {
            let field = format!("stop_loss.specific[{}].premium_pepm", i - offset.min(i));
            out.extend(loss_ratio(
                &field,
                summary.annual_premium,
                summary.annual_premium / months,
                summary.expected_specific_reimbursement.mean,
            ));
        }
    }
    for (a, option) in contract.aggregate.iter().enumerate() {
        // Quotes tied to specific options (`by_specific`) are not one
        // premium across them.
        if !matches!(option.premium, Premium::Quoted(_)) || !option.by_specific.is_empty() {
            continue;
        }
        let field = format!("stop_loss.aggregate[{a}].premium_pepm");
        // Its candidates, one per specific option it is offered with.
        let with: Vec<_> = contract
            .candidates
            .iter()
            .zip(&results.candidates)
            .filter(|(c, _)| c.aggregate == Some(a))
            .map(|(_, r)| r)
            .collect();
        let Some(first) = with.first() else { continue };
        let events = with
            .iter()
            .map(|r| r.prob_aggregate_attaches.map_or(0.0, |p| p.mean))
            .fold(f64::INFINITY, f64::min)
            * results.meta.trials as f64;
        if pilot && events < PILOT_MIN_EVENTS {
            continue;
        }
        let premium = first.aggregate_premium.mean;
        let (lo, hi) = with.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), r| {
            let x = r.aggregate_reimbursement.mean;
            (lo.min(x), hi.max(x))
        });
        let mean = with
            .iter()
            .map(|r| r.aggregate_reimbursement.mean)
            .sum::<f64>()
            / with.len() as f64;
        if let Some(w) = loss_ratio(&field, premium, premium / months, mean) {
            out.push(w.replacen(
                "expected reimbursement",
                "expected reimbursement, averaged over its specific options,",
                1,
            ));
        }
        let spread = with.len() > 1 && hi > 0.0 && (lo == 0.0 || hi > 2.0 * lo);
        if spread {
            let name = |x: f64| {
                with.iter()
                    .find(|r| r.aggregate_reimbursement.mean == x)
                    .map_or(String::new(), |r| r.specific_label.clone())
            };
            out.push(format!(
                "{field}: the same premium (${} a year) with every specific option, though the expected aggregate reimbursement ranges from ${} ({}) to ${} ({}): a carrier prices the aggregate per specific option; give a target_loss_ratio to price it from the claim model",
                dollars(premium),
                dollars(lo),
                name(lo),
                dollars(hi),
                name(hi)
            ));
        }
    }
    if let Some(fi) = study.fully_insured_premium {
        let cheapest = results
            .candidates
            .iter()
            .map(|c| c.employer_cost.mean)
            .fold(f64::INFINITY, f64::min);
        if cheapest.is_finite() && cheapest > 0.0 {
            let ratio = fi / cheapest;
            if !in_range(ratio, FULLY_INSURED_RANGE) {
                let hint = if in_range(12.0 * ratio, FULLY_INSURED_RANGE) {
                    format!(
                        "; a monthly premium? the field is annual: did you mean ${}?",
                        dollars(12.0 * fi)
                    )
                } else if in_range(ratio / 12.0, FULLY_INSURED_RANGE) {
                    format!(
                        "; a PEPM rate times 12 twice? did you mean ${}?",
                        dollars(fi / 12.0)
                    )
                } else {
                    String::new()
                };
                out.push(format!(
                    "fully_insured_premium: ${} is {:.2} times the lowest expected self-funded cost (${}); fully insured premiums run {}-{} times it{hint}",
                    dollars(fi),
                    ratio,
                    dollars(cheapest),
                    FULLY_INSURED_RANGE.0,
                    FULLY_INSURED_RANGE.1
                ));
            }
        }
    }
    out
}
