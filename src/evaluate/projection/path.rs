//! One candidate bought over the projection's years in one trial: each
//! year's contract applied to that year's claims, then the renewal
//! ([`crate::contract::renewal`]) priced on the trial's own experience.

use super::manual::Manual;
use super::YearTerms;
use crate::contract::renewal::{capped_premium, experience_excess, indicated_premium, Rider};
use crate::contract::{
    aggregate_reimbursement, apply_specific, laser_of, LargeClaimant, Laser, TrialClaims,
};
use crate::model::Study;
use crate::sim::projection::ProjectedTrial;

/// One specific option as a path can hold it, with the candidate's
/// aggregate choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionTerms {
    /// Year 1's annual specific premium.
    pub premium: f64,
    /// Target loss ratio of its renewals (none: no specific premium to renew).
    pub target_loss_ratio: Option<f64>,
    /// Aggregate option index with year 1's attachment and premium under
    /// this specific option.
    pub aggregate: Option<(usize, f64, f64)>,
}

/// A candidate's fixed inputs to every trial's path.
#[derive(Debug, Clone)]
pub struct PathTerms<'a> {
    /// The study.
    pub study: &'a Study,
    /// Index of the specific option of year 1.
    pub specific: usize,
    /// Every specific option, by index (the path holds `specific` unless
    /// the deductible is re-chosen at renewals).
    pub options: Vec<OptionTerms>,
    /// Re-choose the specific option at each renewal
    /// ([`crate::contract::renewal::DeductiblePolicy::Rechosen`]).
    pub rechoose: bool,
    /// Annual fees.
    pub fees: f64,
    /// The manual rates.
    pub manual: &'a Manual,
    /// Every option's terms by year.
    pub year_terms: &'a YearTerms,
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
    /// The specific option held each year.
    pub options: Vec<usize>,
}

/// Per-worker scratch space.
#[derive(Debug, Default)]
pub struct PathScratch {
    view: TrialClaims,
    lasers: Vec<(u32, Laser)>,
}

/// The renewal offer of option `s` for the year after `y` (0-based) on the
/// year's claims `large`, with next year's renewal lasers `lasers`, at the
/// target loss ratio `tlr`.
fn offer(
    terms: &PathTerms,
    s: usize,
    y: usize,
    large: &[LargeClaimant],
    lasers: &[(u32, Laser)],
    tlr: f64,
) -> f64 {
    let projection = terms.study.projection.as_ref().expect("a projected study");
    let rule = &projection.renewal;
    let next_terms = &terms.year_terms[s][y + 1];
    let experience = experience_excess(large, projection.trend[y], rule.pool_cap, |c| {
        next_terms.member_deductible(Laser::stricter(c.laser, laser_of(lasers, c.member)))
    });
    let manual = terms.manual.reimbursement[s][y + 1];
    let z = rule.credibility.z(terms.manual.claimants[s][y]);
    indicated_premium(rule, z, experience, manual, tlr)
}

/// Runs the candidate of `terms` through `trial`'s years;
/// `unlasered[s][y]` is option `s`'s year-`y` specific reimbursement
/// without renewal lasers.
pub fn run_path(
    terms: &PathTerms,
    trial: &ProjectedTrial,
    unlasered: &[Vec<f64>],
    scratch: &mut PathScratch,
    out: &mut PathOutcome,
) {
    let study = terms.study;
    let projection = study.projection.as_ref().expect("a projected study");
    let rule = &projection.renewal;
    let years = trial.years.len();
    out.years.clear();
    out.increases.clear();
    out.options.clear();
    out.lasers = 0;
    out.laser_amount = 0.0;
    out.lapsed = false;
    scratch.lasers.clear();
    let mut s = terms.specific;
    let mut premium = terms.options[s].premium;
    let mut rider = terms.rider;
    for (y, claims) in trial.years.iter().enumerate() {
        out.options.push(s);
        let option = &terms.options[s];
        let specific_terms = &terms.year_terms[s][y];
        let view = &mut scratch.view;
        view.gross = claims.gross;
        view.aggregate_eligible = claims.aggregate_eligible;
        view.large.clear();
        view.large
            .extend(claims.large.iter().map(|c| LargeClaimant {
                laser: Laser::stricter(c.laser, laser_of(&scratch.lasers, c.member)),
                ..*c
            }));
        let outcome = apply_specific(specific_terms, view, study.contract.counting);
        let (aggregate, aggregate_premium) = match option.aggregate {
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
        out.laser_amount += unlasered[s][y] - outcome.reimbursed;
        if y + 1 == years {
            break;
        }
        // The renewal to year y + 2 (1-based), on this year's experience.
        let Some(tlr) = option.target_loss_ratio.filter(|_| premium > 0.0) else {
            out.increases.push(f64::NAN);
            continue;
        };
        let d = specific_terms.deductible;
        let no_new_lasers = rider.is_some_and(|r| r.no_new_lasers);
        scratch.lasers.clear();
        if let (Some(laser), false) = (rule.laser, no_new_lasers) {
            scratch.lasers.extend(
                claims
                    .large
                    .iter()
                    .filter_map(|c| laser.laser_for(c.specific, d).map(|l| (c.member, l))),
            );
            // Members flagged by their tier, kept in member order, once.
            for &(m, paid) in &trial.flagged[y] {
                if let Err(i) = scratch.lasers.binary_search_by_key(&m, |(k, _)| *k) {
                    scratch.lasers.insert(i, (m, laser.laser(paid)));
                }
            }
            out.lasers += scratch.lasers.len() as u32;
        }
        let indicated = offer(terms, s, y, &claims.large, &scratch.lasers, tlr);
        let mut next = capped_premium(indicated, premium, rider.map_or(f64::INFINITY, |r| r.cap));
        out.increases.push(next / premium - 1.0);
        if terms.rechoose {
            // The employer takes the offer with the lowest expected cost of
            // next year, premium less the manual's expected reimbursement
            // (gross claims are the same under every option); another
            // option is a contract change, outside the rate cap.
            let cost = |s: usize, p: f64| p - terms.manual.reimbursement[s][y + 1];
            let mut best = (cost(s, next), s, next);
            for (k, o) in terms.options.iter().enumerate() {
                let Some(t) = o.target_loss_ratio.filter(|_| k != s && o.premium > 0.0) else {
                    continue;
                };
                let p = offer(terms, k, y, &claims.large, &scratch.lasers, t);
                if cost(k, p) < best.0 {
                    best = (cost(k, p), k, p);
                }
            }
            (s, next) = (best.1, best.2);
        }
        premium = next;
        if let Some(r) = rider {
            if r.lapses(trial.largest[y], trial.lapse[y]) {
                rider = None;
                out.lapsed = true;
            }
        }
    }
}
