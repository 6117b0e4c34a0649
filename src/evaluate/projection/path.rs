//! One candidate bought over the projection's years in one trial: each
//! year's contract applied to that year's claims, then the renewal
//! ([`crate::contract::renewal`]) priced on the trial's own experience.

use super::manual::Manual;
use super::year_terms;
use crate::contract::renewal::{capped_premium, experience_excess, indicated_premium, Rider};
use crate::contract::{aggregate_reimbursement, apply_specific, LargeClaimant, Laser, TrialClaims};
use crate::model::Study;
use crate::sim::projection::ProjectedTrial;

/// A candidate's fixed inputs to every trial's path.
#[derive(Debug, Clone)]
pub struct PathTerms<'a> {
    /// The study.
    pub study: &'a Study,
    /// Index of the specific option.
    pub specific: usize,
    /// Aggregate option index with year 1's attachment and premium.
    pub aggregate: Option<(usize, f64, f64)>,
    /// Year 1's annual specific premium.
    pub premium: f64,
    /// Annual fees.
    pub fees: f64,
    /// Target loss ratio of the renewals (none: no specific premium to renew).
    pub target_loss_ratio: Option<f64>,
    /// The manual rates.
    pub manual: &'a Manual,
    /// The rider, when this path buys it.
    pub rider: Option<&'a Rider>,
}

/// One year of a path.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PathYear {
    /// The employer's cost.
    pub cost: f64,
    /// Specific reimbursement.
    pub specific: f64,
    /// Claims kept after the specific and aggregate covers.
    pub retained: f64,
    /// Specific premium paid, rider surcharge included.
    pub premium: f64,
}

/// A path over all years.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathOutcome {
    /// Per year.
    pub years: Vec<PathYear>,
    /// Increase of the specific premium at each renewal (NaN with no
    /// premium to renew).
    pub increases: Vec<f64>,
    /// Lasers set at renewals.
    pub lasers: u32,
    /// Specific reimbursement the renewal lasers took away, over all years.
    pub laser_amount: f64,
    /// Whether the rider lapsed.
    pub lapsed: bool,
}

/// Per-worker scratch space.
#[derive(Debug, Default)]
pub struct PathScratch {
    view: TrialClaims,
    lasers: Vec<(u32, Laser)>,
}

/// The member's laser: the contract's and the renewal's, whichever is
/// higher.
fn combined(config: Option<Laser>, renewal: Option<Laser>) -> Option<Laser> {
    match (config, renewal) {
        (Some(Laser::Excluded), _) | (_, Some(Laser::Excluded)) => Some(Laser::Excluded),
        (Some(Laser::Deductible(a)), Some(Laser::Deductible(b))) => {
            Some(Laser::Deductible(a.max(b)))
        }
        (a, b) => a.or(b),
    }
}

fn renewal_laser(lasers: &[(u32, Laser)], member: u32) -> Option<Laser> {
    lasers
        .binary_search_by_key(&member, |(m, _)| *m)
        .ok()
        .map(|i| lasers[i].1)
}

/// Runs the candidate of `terms` through `trial`'s years; `unlasered[y]`
/// is the option's year-`y` specific reimbursement without renewal lasers.
pub fn run_path(
    terms: &PathTerms,
    trial: &ProjectedTrial,
    unlasered: &[f64],
    scratch: &mut PathScratch,
    out: &mut PathOutcome,
) {
    let study = terms.study;
    let projection = study.projection.as_ref().expect("a projected study");
    let rule = &projection.renewal;
    let s = terms.specific;
    let years = trial.years.len();
    out.years.clear();
    out.increases.clear();
    out.lasers = 0;
    out.laser_amount = 0.0;
    out.lapsed = false;
    scratch.lasers.clear();
    let mut premium = terms.premium;
    let mut rider = terms.rider;
    for (y, claims) in trial.years.iter().enumerate() {
        let specific_terms = year_terms(study, s, y);
        let view = &mut scratch.view;
        view.gross = claims.gross;
        view.aggregate_eligible = claims.aggregate_eligible;
        view.large.clear();
        view.large
            .extend(claims.large.iter().map(|c| LargeClaimant {
                laser: combined(c.laser, renewal_laser(&scratch.lasers, c.member)),
                ..*c
            }));
        let outcome = apply_specific(&specific_terms, view, study.contract.counting);
        let (aggregate, aggregate_premium) = match terms.aggregate {
            None => (0.0, 0.0),
            Some((a, attachment, agg_premium)) => {
                // The aggregate is re-rated on the year's expected claims.
                let m = &terms.manual.aggregate_retained[s];
                let growth = if m[0] > 0.0 { m[y] / m[0] } else { 1.0 };
                let attach = attachment * growth;
                let max = study.contract.aggregate[a].max_over(attach);
                (
                    aggregate_reimbursement(outcome.aggregate_retained, attach, max),
                    agg_premium * growth,
                )
            }
        };
        let paid_premium = premium * (1.0 + rider.map_or(0.0, |r| r.surcharge));
        let retained = claims.gross - outcome.reimbursed - aggregate;
        out.years.push(PathYear {
            cost: terms.fees + paid_premium + aggregate_premium + retained,
            specific: outcome.reimbursed,
            retained,
            premium: paid_premium,
        });
        out.laser_amount += unlasered[y] - outcome.reimbursed;
        if y + 1 == years {
            break;
        }
        // The renewal to year y + 2 (1-based), on this year's experience.
        let Some(tlr) = terms.target_loss_ratio.filter(|_| premium > 0.0) else {
            out.increases.push(f64::NAN);
            continue;
        };
        let d = specific_terms.deductible;
        let next_terms = year_terms(study, s, y + 1);
        let no_new_lasers = rider.is_some_and(|r| r.no_new_lasers);
        scratch.lasers.clear();
        if let (Some(laser), false) = (rule.laser, no_new_lasers) {
            scratch.lasers.extend(
                claims
                    .large
                    .iter()
                    .filter_map(|c| laser.laser_for(c.specific, d).map(|l| (c.member, l))),
            );
            out.lasers += scratch.lasers.len() as u32;
        }
        let lasers = &scratch.lasers;
        let experience =
            experience_excess(&claims.large, projection.trend[y], rule.pool_cap, |c| {
                next_terms.member_deductible(combined(c.laser, renewal_laser(lasers, c.member)))
            });
        let manual = terms.manual.reimbursement[s][y + 1];
        let z = rule.credibility.z(terms.manual.claimants[s][y]);
        let indicated = indicated_premium(rule, z, experience, manual, tlr);
        let next = capped_premium(indicated, premium, rider.map_or(f64::INFINITY, |r| r.cap));
        out.increases.push(next / premium - 1.0);
        premium = next;
        if let Some(r) = rider {
            if r.lapses(trial.largest[y], trial.lapse[y]) {
                rider = None;
                out.lapsed = true;
            }
        }
    }
}
