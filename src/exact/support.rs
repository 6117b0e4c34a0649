//! Which models the exact engine can represent, and why not otherwise.

use crate::model::Study;

use crate::contract::Laser;

/// Why the exact engine cannot represent specific option `s` of `study`
/// (and so every candidate built on it), or `None` when it can.
///
/// The engine needs each member's retained, aggregate-eligible claims to be a
/// function of independent per-member amounts, so that the group total is a
/// sum of independent variables and the employer's cost a monotone function
/// of it plus an independent part.
pub fn unsupported_reason(study: &Study, s: usize) -> Option<String> {
    if study.timing.is_some() {
        return Some(
            "contract timing is represented by the exact engine only where it thins each claim independently (see exact::untimed_equivalent)"
                .into(),
        );
    }
    let terms = &study.contract.specific[s].terms;
    if study.parameter_risk.is_some() {
        return Some(
            "parameter_risk draws a per-trial frequency or severity factor, or tail, common to every member, which makes members dependent"
                .into(),
        );
    }
    if terms.deductible.is_finite() && terms.aggregating_deductible > 0.0 {
        return Some(
            "an aggregating specific deductible couples members (the employer keeps the first dollars of everyone's excess together)"
                .into(),
        );
    }
    for class in &study.population.classes {
        for c in &class.components {
            if c.specific && !c.aggregate && c.frequency.mean() > 0.0 {
                return Some(format!(
                    "component `{}` of class `{}` counts toward the specific but not the aggregate stop-loss, which splits each member's retained claims between the covers",
                    c.name, class.name
                ));
            }
        }
    }
    if terms.deductible.is_finite() && !study.contract.counting.laser_gap {
        let gap = study.contract.lasers.iter().any(|(_, l)| match l {
            Laser::Deductible(x) => *x > terms.deductible,
            Laser::Excluded => true,
        });
        if gap {
            return Some(
                "claims between the group deductible and a laser are kept out of the aggregate (laser_gap_counts_toward_aggregate: false), which ties two totals of the same member"
                    .into(),
            );
        }
    }
    None
}
