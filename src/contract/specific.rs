//! The specific layer of one trial: each member's excess over their own
//! deductible, the aggregating specific deductible (ASD), and what of the
//! specific-eligible claims still counts toward the aggregate.
//!
//! For member `m` with specific-eligible claims `X` and deductible `d_m`
//! (the group deductible, the member's laser if higher, or infinite if
//! excluded: [`SpecificTerms::member_deductible`]), the reimbursable amount is
//! `min(pct * (X - d_m)+, max)` ([`SpecificTerms::member_reimbursement`]). The
//! ASD keeps the first `asd` dollars of the reimbursable amounts summed over
//! members. Reimbursements are attributed to the aggregate in proportion to
//! the share of each member's specific-eligible claims that also counts
//! toward the aggregate. When the specific and aggregate bases count
//! different claims, the aggregate is relieved by the specific reimbursement
//! of the claims both count ([`LargeClaimant::both`]): with the specific's
//! window containing the aggregate's, a member's counted aggregate claims
//! are `min(X_agg, d_m)` at 100% reimbursement.

use super::terms::{AggregateCounting, Laser, SpecificTerms};

/// A member whose specific-eligible claims exceed the smallest deductible on
/// offer: the only members the specific options need to look at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LargeClaimant {
    /// Index of the member.
    pub member: u32,
    /// The member's claims that count toward the specific stop-loss.
    pub specific: f64,
    /// The part of `specific` that the aggregate's basis counts too: all of
    /// it without contract timing. The specific reimbursement of these
    /// dollars is what relieves the aggregate.
    pub both: f64,
    /// Share of `both` that also counts toward the aggregate.
    pub aggregate_share: f64,
    /// The member's laser, if any.
    pub laser: Option<Laser>,
}

/// One member's claims of a year, summed by what each component counts
/// toward: what a kernel adds up per member before the contract sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemberClaims {
    /// All of the member's claims.
    pub total: f64,
    /// Claims that count toward the specific stop-loss.
    pub specific: f64,
    /// Claims that count toward both covers.
    pub both: f64,
    /// Claims that count toward the aggregate only.
    pub aggregate_only: f64,
}

impl MemberClaims {
    /// Adds `amount` of a component counting toward the specific and/or
    /// the aggregate.
    #[inline]
    pub fn add(&mut self, amount: f64, specific: bool, aggregate: bool) {
        self.total += amount;
        match (specific, aggregate) {
            (true, true) => {
                self.specific += amount;
                self.both += amount;
            }
            (true, false) => self.specific += amount,
            (false, true) => self.aggregate_only += amount,
            (false, false) => {}
        }
    }

    /// Claims that count toward the aggregate.
    #[inline]
    pub fn aggregate_eligible(&self) -> f64 {
        self.both + self.aggregate_only
    }

    /// The member as a large claimant (index `member`, laser `laser`).
    #[inline]
    pub fn large_claimant(&self, member: u32, laser: Option<Laser>) -> LargeClaimant {
        LargeClaimant {
            member,
            specific: self.specific,
            both: self.specific,
            aggregate_share: self.both / self.specific,
            laser,
        }
    }
}

/// The claims of one trial, summarised for the contract arithmetic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrialClaims {
    /// All claims of all members (every component).
    pub gross: f64,
    /// Claims of components that count toward the aggregate, before any
    /// specific reimbursement.
    pub aggregate_eligible: f64,
    /// Members above the smallest specific deductible.
    pub large: Vec<LargeClaimant>,
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

impl SpecificTerms {
    /// The deductible of a member with `laser` (none: the group deductible).
    #[inline]
    pub fn member_deductible(&self, laser: Option<Laser>) -> f64 {
        laser.map_or(self.deductible, |l| l.effective_deductible(self.deductible))
    }

    /// What the specific carrier owes on one member's specific-eligible
    /// claims `x` against the member's deductible `d`, before the ASD:
    /// `min(pct * (x - d)+, max)`.
    #[inline]
    pub fn member_reimbursement(&self, x: f64, d: f64) -> f64 {
        (self.reimbursement_pct * (x - d).max(0.0)).min(self.max_reimbursement)
    }

    /// Whether a member's retained claims are at most their deductible `d`:
    /// the whole excess is reimbursed (100%, no maximum).
    pub fn retention_is_capped_at(&self, d: f64) -> bool {
        d.is_finite() && self.reimbursement_pct == 1.0 && self.max_reimbursement == f64::INFINITY
    }
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
            let own = terms.member_deductible(c.laser);
            if c.specific > own {
                claimants += 1;
                let r = terms.member_reimbursement(c.specific, own);
                reimbursable += r;
                let relief = if c.both == c.specific {
                    r
                } else {
                    terms.member_reimbursement(c.both, own)
                };
                reimbursable_aggregate_share += c.aggregate_share * relief;
            }
            if own > d {
                let gap = c.both.min(own) - c.both.min(d);
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
