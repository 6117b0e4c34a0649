//! The lattice step: aligned with the contract's amounts and the discrete
//! severities' atoms where they have a common divisor, sized to the model.

use crate::contract::{Attachment, MinAttachment};
use crate::dist::Severity;
use crate::model::Study;

/// Amounts a lattice of step `g` puts exactly on lattice points: whole
/// multiples of a cent whose greatest common divisor is `g`.
fn common_divisor(amounts: &[f64]) -> Option<f64> {
    let mut g: u64 = 0;
    for &a in amounts {
        let cents = a * 100.0;
        if !(0.0..9.0e15).contains(&cents) {
            return None;
        }
        let q = cents.round();
        if (cents - q).abs() > 1e-6 * q.max(1.0) {
            return None;
        }
        g = gcd(g, q as u64);
    }
    (g > 0).then_some(g as f64 / 100.0)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The amounts that should be lattice points under specific option `s`:
/// its deductible, lasers and maximum, the dollar aggregate attachments,
/// minimums and maxima, and every atom of an empirical severity (scaled per
/// member). Factor attachments come from expectations and cannot be
/// aligned; they are left out.
pub fn alignment_amounts(study: &Study, s: usize) -> (Vec<f64>, bool) {
    let terms = study.contract.specific[s].terms;
    let mut v = Vec::new();
    let mut continuous = false;
    let d = terms.deductible;
    if d.is_finite() {
        v.push(d);
        for (_, l) in &study.contract.lasers {
            let e = l.effective_deductible(d);
            if e.is_finite() {
                v.push(e);
            }
        }
        if terms.max_reimbursement.is_finite() && terms.reimbursement_pct == 1.0 {
            v.push(terms.max_reimbursement);
        }
    }
    for a in &study.contract.aggregate {
        match &a.attachment {
            Attachment::Amount(x) => v.push(*x),
            Attachment::Monthly(rate) => v.push(rate.annual_total(&study.population.enrollment)),
            Attachment::Factor(_) => {}
        }
        if let Some(MinAttachment::Amount(m)) = a.min_attachment {
            v.push(m);
        }
        if a.max_reimbursement.is_finite() {
            v.push(a.max_reimbursement);
        }
    }
    let mut scales: Vec<(u32, f64)> = study
        .population
        .members
        .iter()
        .map(|m| (m.profile, m.severity_scale))
        .collect();
    scales.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    scales.dedup();
    for (profile, scale) in scales {
        for c in &study.population.profiles[profile as usize].components {
            if c.frequency.mean() <= 0.0 {
                continue;
            }
            match &c.severity {
                Severity::Empirical { values } => v.extend(values.iter().map(|x| x * scale)),
                _ => continuous = true,
            }
        }
    }
    v.retain(|x| *x > 0.0);
    (v, continuous)
}

/// The starting (coarsest) lattice step for specific option `s`, and
/// whether it is aligned with every amount of [`alignment_amounts`].
///
/// With continuous severities the step starts at about 1/4096 of the
/// expected gross claims (and at most 1/16 of the smallest deductible), and
/// is then a power-of-two fraction of the common divisor, so that it stays
/// aligned as it is halved. With discrete severities only, the common
/// divisor itself makes every figure exact.
pub fn initial_step(study: &Study, s: usize, max_points: usize) -> (f64, bool) {
    let gross = study.population.expected_gross_claims().max(1e-6);
    let (amounts, continuous) = alignment_amounts(study, s);
    let mut target = gross / 4096.0;
    let d = study.contract.specific[s].terms.deductible;
    if d.is_finite() && d > 0.0 {
        target = target.min(d / 16.0);
    }
    let g = common_divisor(&amounts);
    // Points a group lattice of step h needs, roughly.
    let points = |h: f64| 8.0 * gross / h;
    match g {
        Some(g) if !continuous && points(g) <= max_points as f64 / 4.0 => (g, true),
        Some(g) if g >= target => {
            let halvings = (g / target).log2().ceil().max(0.0);
            (g / 2f64.powf(halvings), true)
        }
        Some(g) if points(g) <= max_points as f64 / 8.0 => (g, true),
        _ => (target.max(1e-9), amounts.is_empty()),
    }
}
