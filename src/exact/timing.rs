//! Contract timing in the exact engine, where it reduces to thinning.
//!
//! When every option counts claims by one basis, the prior year was fully
//! insured (no run-in), every member is enrolled all year, and payment lags
//! do not depend on claim size, each claim is counted independently with
//! the probability `q` that its incurral and paid months fall in the basis:
//! `q = sum_i w_i [i in incurred window] (F(P1 - i) - F(P0 - 1 - i))` over
//! policy months `i`, with `w` the seasonality and `F` the lag cdf. A
//! Poisson(lambda) component then splits into two independent Poisson
//! components: counted claims, Poisson(lambda q) with the same amounts and
//! covers, and uncounted ones, Poisson(lambda (1 - q)) outside both covers
//! (the employer pays them: the run-out). The untimed engine computes that
//! study exactly. Other frequencies are thinned only when `q` is 1.

use crate::contract::Basis;
use crate::dist::{Frequency, LagModel};
use crate::model::{ClaimComponent, PriorYear, Study, Timing};

/// The share of a component's claims that `basis` counts.
pub fn counted_share(timing: &Timing, lag: &LagModel, basis: &Basis) -> f64 {
    let f = |k: i64| lag.base.cdf(k);
    (1..=12)
        .filter(|&i| basis.incurred.contains(i))
        .map(|i| {
            let (p0, p1) = (i64::from(basis.paid.first), i64::from(basis.paid.last));
            let upper = f(p1.saturating_sub(i64::from(i)));
            let lower = f(p0.saturating_sub(1 + i64::from(i)));
            timing.seasonality[i as usize - 1] * (upper - lower)
        })
        .sum()
}

/// The untimed study the exact engine computes in place of `study` (a clone
/// when `study` has no timing), or why timing is not thinning here.
pub fn untimed_equivalent(study: &Study) -> Result<Study, String> {
    let Some(timing) = &study.timing else {
        return Ok(study.clone());
    };
    let not = |why: &str| Err(format!("with contract timing the exact engine needs {why}"));
    if timing.prior_year == PriorYear::SelfFunded {
        return not("a fully insured prior year (a self-funded one adds run-in claims)");
    }
    if timing.episodes.is_some() {
        return not("claims without episodes (an episode's pieces are not independent)");
    }
    if !timing.known_claims.is_empty() {
        return not("no known claims");
    }
    if study
        .population
        .members
        .iter()
        .any(|m| (m.first_month, m.last_month) != (1, 12))
    {
        return not("every member enrolled all year (first_month 1, last_month 12)");
    }
    let contract = &study.contract;
    let mut bases = contract
        .specific
        .iter()
        .filter(|o| o.terms.deductible.is_finite())
        .map(|o| &o.timing.basis)
        .chain(contract.aggregate.iter().map(|o| &o.timing.basis));
    let basis = bases.next().cloned().unwrap_or(Basis::INCURRED);
    if bases.any(|b| *b != basis) {
        return not("every specific and aggregate option on one basis");
    }
    let split = |components: &[ClaimComponent]| -> Result<Vec<ClaimComponent>, String> {
        let mut out = Vec::new();
        for c in components {
            let lag = c.lag.as_ref().unwrap_or(&timing.lag);
            if !lag.above.is_empty() {
                return Err(format!(
                    "with contract timing the exact engine needs lags that do not depend on claim size (component `{}`)",
                    c.name
                ));
            }
            let q = counted_share(timing, lag, &basis);
            if q >= 1.0 {
                out.push(ClaimComponent {
                    lag: None,
                    ..c.clone()
                });
                continue;
            }
            let Frequency::Poisson(_) = c.frequency else {
                return Err(format!(
                    "with contract timing the exact engine needs Poisson claim counts where the basis counts only part of the claims (component `{}` counts {:.4} of them)",
                    c.name, q
                ));
            };
            let mean = c.frequency.mean();
            let poisson = |m: f64| Frequency::poisson(m).map_err(|e| e.to_string());
            out.push(ClaimComponent {
                frequency: poisson(mean * q)?,
                lag: None,
                ..c.clone()
            });
            out.push(ClaimComponent {
                name: format!("{} (not counted by the basis)", c.name),
                frequency: poisson(mean * (1.0 - q))?,
                specific: false,
                aggregate: false,
                lag: None,
                ..c.clone()
            });
        }
        Ok(out)
    };
    let mut equivalent = study.clone();
    equivalent.timing = None;
    for class in &mut equivalent.population.classes {
        class.components = split(&class.components)?;
    }
    for profile in &mut equivalent.population.profiles {
        profile.components = split(&profile.components)?;
    }
    Ok(equivalent)
}
