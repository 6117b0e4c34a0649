//! Bounds and floors of a candidate: the employer's maximum liability and
//! the NAIC model act's regulatory floors.

use super::terms::{Contract, Laser};
use crate::format::dollars;

/// NAIC model act floor for the specific deductible.
pub const NAIC_SPECIFIC_FLOOR: f64 = 20_000.0;

/// NAIC model act floor for the aggregate attachment, as a multiple of
/// expected claims: 110% for groups of more than 50 employees, else 120%.
pub fn naic_aggregate_floor(employees: f64) -> f64 {
    if employees > 50.0 {
        1.10
    } else {
        1.20
    }
}

/// The employer's largest possible annual cost under specific option
/// `specific` with an aggregate `attachment` and maximum `aggregate_max`:
/// the attachment plus `fixed` costs plus whatever retained claims the
/// aggregate does not count, when all of that is bounded (`None` when it is
/// not: no aggregate, a finite aggregate maximum, claims outside the
/// aggregate, or an excluded member whose gap is kept out of it).
pub fn max_liability(
    contract: &Contract,
    specific: usize,
    attachment: Option<f64>,
    aggregate_max: f64,
    fixed: f64,
    claims_outside_aggregate: bool,
) -> Option<f64> {
    let attachment = attachment?;
    if aggregate_max.is_finite() || claims_outside_aggregate {
        return None;
    }
    let specific = &contract.specific[specific].terms;
    let mut bound = attachment + fixed;
    if !contract.counting.asd && specific.deductible.is_finite() {
        bound += specific.aggregating_deductible;
    }
    if !contract.counting.laser_gap && specific.deductible.is_finite() {
        for (_, laser) in &contract.lasers {
            match laser {
                Laser::Deductible(l) => bound += (l - specific.deductible).max(0.0),
                Laser::Excluded => return None,
            }
        }
    }
    Some(bound)
}

/// Warnings where a candidate's terms sit below the NAIC model act floors:
/// a specific deductible under $20,000, an aggregate attachment under
/// [`naic_aggregate_floor`] of `expected` claims for a group of `employees`.
pub fn floor_warnings(
    deductible: Option<f64>,
    attachment: Option<f64>,
    expected: f64,
    employees: f64,
) -> Vec<String> {
    let mut w = Vec::new();
    if let Some(d) = deductible {
        if d < NAIC_SPECIFIC_FLOOR {
            w.push(format!(
                "specific deductible ${} is below the NAIC model act floor of $20,000",
                dollars(d)
            ));
        }
    }
    if let Some(a) = attachment {
        let floor = naic_aggregate_floor(employees);
        if expected > 0.0 && a < floor * expected {
            w.push(format!(
                "aggregate attachment ${} is {:.1}% of expected claims, below the NAIC model act floor of {:.0}% for a group of {:.0} employees",
                dollars(a),
                100.0 * a / expected,
                100.0 * floor,
                employees
            ));
        }
    }
    w
}
