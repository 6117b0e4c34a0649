//! The renewal of a specific contract from one plan year to the next: the
//! experience-rated premium, the rate cap, lasers at renewal and the rider's
//! lapse. Every rule is an input ([`RenewalRule`], [`Rider`]); the
//! projection ([`crate::evaluate::projection`]) applies them trial by trial
//! to each trial's own simulated experience.
//!
//! At the renewal from year `y` to `y + 1`, in this order:
//! 1. **Lasers** (unless a no-new-laser rider is in force): a member whose
//!    year-`y` specific-eligible claims `S_m` exceed `trigger x d_y`, or
//!    (with `trigger_tier`) whose persistence tier ends year `y` at or above
//!    it, gets the laser of [`LaserAmount`] for year `y + 1`.
//! 2. **Experience** `E = sum_m min(((1 + tau) S_m - d_m)+, pool_cap)`, with
//!    `tau` the trend to `y + 1` and `d_m` each member's year-`y + 1`
//!    deductible (a new laser counts).
//! 3. **Manual** `M`: the expected specific reimbursement of year `y + 1` at
//!    its deductible, without renewal lasers (the manual-rate pass).
//! 4. `P = max((Z E + (1 - Z) M) / TLR, floor x M / TLR)`, `Z` the
//!    credibility ([`Credibility`]), then with a rate cap in force
//!    `P = min(P, P_y (1 + cap))`.
//! 5. **Rider**: in force for year `y + 1` unless it lapses: a member's
//!    year-`y` claims over `lapse_over`, or a uniform draw under
//!    `lapse_probability`. Its surcharge is paid in each year it is in force.

use super::terms::Laser;
use super::LargeClaimant;

/// Credibility of the group's own specific experience.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Credibility {
    /// A fixed weight `Z` in `[0, 1]`.
    Fixed(f64),
    /// Limited fluctuation: `Z = min(1, sqrt(n / full_standard))` with `n`
    /// the expected number of specific claimants in the experience year.
    LimitedFluctuation {
        /// Claimants for full credibility.
        full_standard: f64,
    },
}

impl Credibility {
    /// `Z` for an experience year with `expected_claimants` claimants.
    pub fn z(&self, expected_claimants: f64) -> f64 {
        match *self {
            Credibility::Fixed(z) => z,
            Credibility::LimitedFluctuation { full_standard } => (expected_claimants.max(0.0)
                / full_standard)
                .sqrt()
                .min(1.0),
        }
    }
}

/// The laser a renewal sets on a member over the trigger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LaserAmount {
    /// A member deductible of this many dollars.
    Fixed(f64),
    /// A member deductible of this multiple of the member's year-`y`
    /// specific-eligible claims.
    MultipleOfPaid(f64),
    /// No specific cover for the member.
    Excluded,
}

/// Lasers at renewal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaserRule {
    /// A member is lasered when their year's specific-eligible claims
    /// exceed this multiple of the year's deductible.
    pub trigger: f64,
    /// A member whose persistence tier (0 the lowest) ends the year at or
    /// above this one is lasered too, whatever the year's claims (the
    /// carrier knows of the ongoing condition).
    pub trigger_tier: Option<u8>,
    /// The laser set.
    pub amount: LaserAmount,
}

impl LaserRule {
    /// The laser for a member with year-`y` claims `paid` under deductible
    /// `d`, if the trigger is met.
    pub fn laser_for(&self, paid: f64, d: f64) -> Option<Laser> {
        if paid <= self.trigger * d {
            return None;
        }
        Some(self.laser(paid))
    }

    /// The laser of a member with year-`y` claims `paid` who meets a trigger.
    pub fn laser(&self, paid: f64) -> Laser {
        match self.amount {
            LaserAmount::Fixed(a) => Laser::Deductible(a),
            LaserAmount::MultipleOfPaid(k) => Laser::Deductible(k * paid),
            LaserAmount::Excluded => Laser::Excluded,
        }
    }
}

/// How each renewal's specific premium is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenewalRule {
    /// Target loss ratio; `None`: each specific option's year-1 ratio of
    /// manual pure premium to quoted premium (the carrier keeps its margin).
    pub target_loss_ratio: Option<f64>,
    /// Weight of the group's own experience.
    pub credibility: Credibility,
    /// Minimum premium as a share of the manual premium (0: none).
    pub floor_of_manual: f64,
    /// Most experience excess counted per claimant.
    pub pool_cap: f64,
    /// Lasers at renewal (none: no new lasers are ever set).
    pub laser: Option<LaserRule>,
}

/// A rate-cap / no-new-laser rider bought with the first year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rider {
    /// Most increase of the specific premium at a renewal it covers
    /// (`f64::INFINITY`: no cap).
    pub cap: f64,
    /// Surcharge on the specific premium in each year it is in force.
    pub surcharge: f64,
    /// No new lasers at a renewal it covers.
    pub no_new_lasers: bool,
    /// The rider lapses after a year in which a member's specific-eligible
    /// claims exceed this amount.
    pub lapse_over: f64,
    /// Probability that the rider lapses at each renewal regardless.
    pub lapse_probability: f64,
}

impl Rider {
    /// Whether the rider lapses after a year whose largest member claims
    /// are `largest`, with the renewal's uniform draw `u`.
    pub fn lapses(&self, largest: f64, u: f64) -> bool {
        largest > self.lapse_over || u < self.lapse_probability
    }
}

/// How a candidate's specific deductible moves from year to year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeductiblePolicy {
    /// The same dollar amount every year (this is what leverages trend).
    Fixed,
    /// Indexed by the severity trend: `d_y = d (1 + tau)^(y - 1)`.
    Indexed,
    /// Re-chosen at each renewal among the specific options (each at its
    /// own fixed deductible): the offer with the lowest expected cost of
    /// the next year, the offered premium less the manual's expected
    /// reimbursement, using only what is known then (no look-ahead).
    Rechosen,
}

impl DeductiblePolicy {
    /// Its name in configs and outputs.
    pub fn name(&self) -> &'static str {
        match self {
            DeductiblePolicy::Fixed => "fixed",
            DeductiblePolicy::Indexed => "indexed",
            DeductiblePolicy::Rechosen => "rechosen",
        }
    }

    /// The year's deductible, given year 1's and the year's trend factor
    /// over year 1.
    pub fn deductible(&self, first: f64, trend_factor: f64) -> f64 {
        match self {
            DeductiblePolicy::Fixed | DeductiblePolicy::Rechosen => first,
            DeductiblePolicy::Indexed => first * trend_factor,
        }
    }
}

/// The experience excess `E` of the renewal rule: each member's year-`y`
/// claims trended by `1 + tau`, over the member's next-year deductible
/// (`deductible_of`), capped per claimant at `pool_cap`.
pub fn experience_excess(
    large: &[LargeClaimant],
    tau: f64,
    pool_cap: f64,
    deductible_of: impl Fn(&LargeClaimant) -> f64,
) -> f64 {
    large
        .iter()
        .map(|c| ((1.0 + tau) * c.specific - deductible_of(c)).clamp(0.0, pool_cap))
        .sum()
}

/// The renewal premium before any rate cap: the credibility blend of
/// experience and manual, at the target loss ratio, floored.
pub fn indicated_premium(
    rule: &RenewalRule,
    z: f64,
    experience: f64,
    manual: f64,
    tlr: f64,
) -> f64 {
    let blend = (z * experience + (1.0 - z) * manual) / tlr;
    blend.max(rule.floor_of_manual * manual / tlr)
}

/// The renewal premium under a rate cap (`cap = INFINITY`: none).
pub fn capped_premium(indicated: f64, previous: f64, cap: f64) -> f64 {
    if cap.is_finite() {
        indicated.min(previous * (1.0 + cap))
    } else {
        indicated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimant(member: u32, specific: f64) -> LargeClaimant {
        LargeClaimant {
            member,
            specific,
            both: specific,
            aggregate_share: 1.0,
            laser: None,
        }
    }

    #[test]
    fn experience_is_trended_over_next_deductible_and_pooled() {
        let large = [claimant(0, 200_000.0), claimant(1, 1_000_000.0)];
        let e = experience_excess(&large, 0.1, 500_000.0, |_| 150_000.0);
        // 220k - 150k = 70k; 1.1M - 150k = 950k, pooled at 500k.
        assert!((e - 570_000.0).abs() < 1e-6);
    }

    #[test]
    fn premium_blends_floors_and_caps() {
        let rule = RenewalRule {
            target_loss_ratio: None,
            credibility: Credibility::Fixed(0.5),
            floor_of_manual: 0.9,
            pool_cap: f64::INFINITY,
            laser: None,
        };
        // (0.5 * 0 + 0.5 * 100) / 0.8 = 62.5, floored at 0.9 * 100 / 0.8.
        let p = indicated_premium(&rule, 0.5, 0.0, 100.0, 0.8);
        assert!((p - 112.5).abs() < 1e-12);
        assert_eq!(capped_premium(300.0, 100.0, 0.5), 150.0);
        assert_eq!(capped_premium(300.0, 100.0, f64::INFINITY), 300.0);
    }

    #[test]
    fn limited_fluctuation_z() {
        let c = Credibility::LimitedFluctuation {
            full_standard: 1082.0,
        };
        assert!((c.z(270.5) - 0.5).abs() < 1e-12);
        assert_eq!(c.z(5000.0), 1.0);
    }

    #[test]
    fn laser_trigger_and_amounts() {
        let fixed = LaserRule {
            trigger: 1.0,
            trigger_tier: None,
            amount: LaserAmount::Fixed(500_000.0),
        };
        assert_eq!(fixed.laser_for(150_000.0, 150_000.0), None);
        assert_eq!(
            fixed.laser_for(300_000.0, 150_000.0),
            Some(Laser::Deductible(500_000.0))
        );
        let paid = LaserRule {
            trigger: 0.5,
            trigger_tier: None,
            amount: LaserAmount::MultipleOfPaid(1.5),
        };
        assert_eq!(
            paid.laser_for(100_000.0, 150_000.0),
            Some(Laser::Deductible(150_000.0))
        );
    }
}
