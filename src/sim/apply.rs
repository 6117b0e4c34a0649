//! The contract arithmetic of one trial: specific options, then aggregate.
//!
//! For member `m` with specific-eligible claims `X` and deductible `d_m`
//! (the group deductible, the member's laser if higher, or infinite if
//! excluded), the reimbursable amount is `min(pct * (X - d_m)+, max)`. The
//! aggregating specific deductible (ASD) keeps the first `asd` dollars of the
//! reimbursable amounts summed over members. Reimbursements are attributed to
//! the aggregate in proportion to the share of each member's specific-eligible
//! claims that also counts toward the aggregate.

use super::kernel::TrialClaims;
use crate::model::SpecificTerms;

/// Whether carrier-dependent dollars count toward the aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregateCounting {
    /// Dollars kept under the ASD count toward the aggregate.
    pub asd: bool,
    /// Claims between the group deductible and a member's laser count toward the aggregate.
    pub laser_gap: bool,
}

/// The specific stop-loss applied to one trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpecificOutcome {
    /// Paid by the specific carrier.
    pub reimbursed: f64,
    /// Retained claims that count toward the aggregate.
    pub aggregate_retained: f64,
    /// Members whose specific-eligible claims exceed their own deductible.
    pub claimants: u32,
}

/// Applies one specific option to a trial's claims.
pub fn apply_specific(
    terms: &SpecificTerms,
    claims: &TrialClaims,
    counting: AggregateCounting,
) -> SpecificOutcome {
    let d = terms.deductible;
    let mut reimbursable = 0.0;
    let mut reimbursable_aggregate_share = 0.0;
    let mut laser_gap_aggregate = 0.0;
    let mut claimants = 0u32;
    if d.is_finite() {
        for c in &claims.large {
            let own = c.laser.map_or(d, |l| l.effective_deductible(d));
            if c.specific > own {
                claimants += 1;
                let r = (terms.reimbursement_pct * (c.specific - own)).min(terms.max_reimbursement);
                reimbursable += r;
                reimbursable_aggregate_share += c.aggregate_share * r;
            }
            if own > d {
                let gap = c.specific.min(own) - c.specific.min(d);
                laser_gap_aggregate += c.aggregate_share * gap;
            }
        }
    }
    let kept_under_asd = reimbursable.min(terms.aggregating_deductible);
    let reimbursed = reimbursable - kept_under_asd;
    let asd_aggregate_share = if reimbursable > 0.0 {
        kept_under_asd * (reimbursable_aggregate_share / reimbursable)
    } else {
        0.0
    };
    // Aggregate-eligible claims, less the aggregate share of what the
    // specific carrier actually paid, less the dollars this carrier's
    // practice keeps out of the aggregate.
    let mut aggregate_retained =
        claims.aggregate_eligible - (reimbursable_aggregate_share - asd_aggregate_share);
    if !counting.asd {
        aggregate_retained -= asd_aggregate_share;
    }
    if !counting.laser_gap {
        aggregate_retained -= laser_gap_aggregate;
    }
    SpecificOutcome {
        reimbursed,
        aggregate_retained: aggregate_retained.max(0.0),
        claimants,
    }
}

/// Aggregate reimbursement: `min((retained - attachment)+, max)`.
#[inline]
pub fn aggregate_reimbursement(aggregate_retained: f64, attachment: f64, max: f64) -> f64 {
    (aggregate_retained - attachment).max(0.0).min(max)
}
