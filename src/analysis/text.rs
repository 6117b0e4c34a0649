//! The decision analysis in words, shared by the table, Markdown and HTML
//! outputs.

use crate::format::{dollars, group, percent};
use crate::model::{RiskAppetite, RiskCap, RiskMeasure};
use crate::results::Decision;

/// A value of `measure` for people: dollars, or a percentage.
pub fn measure_value(measure: RiskMeasure, v: f64) -> String {
    if measure.in_dollars() {
        format!("${}", dollars(v))
    } else {
        percent(v)
    }
}

/// A value of `measure` for a table whose dollars go without `$`.
pub fn measure_plain(measure: RiskMeasure, v: f64) -> String {
    if measure.in_dollars() {
        dollars(v)
    } else {
        percent(v)
    }
}

/// The rule in words.
pub fn rule(a: &RiskAppetite, cap: Option<f64>) -> String {
    let m = a.risk_measure.describe();
    let objective = if a.lambda > 0.0 {
        format!("lowest expected cost + {} x {m}", a.lambda)
    } else {
        "lowest expected cost".to_string()
    };
    match (a.cap, cap) {
        (Some(c), Some(x)) => {
            let basis = match c {
                RiskCap::BudgetFactor(f) => format!(" ({f} x budget)"),
                RiskCap::Value(_) => String::new(),
            };
            format!(
                "{objective} among candidates with {m} at most {}{basis}",
                measure_value(a.risk_measure, x)
            )
        }
        _ => format!("{objective}, no cap on risk"),
    }
}

/// The rule in words without resolving a budget factor to dollars (for
/// sweeps, whose budget may move from run to run).
pub fn rule_general(a: &RiskAppetite) -> String {
    match a.cap {
        Some(RiskCap::BudgetFactor(f)) => {
            let objective = rule(&RiskAppetite { cap: None, ..*a }, None);
            let objective = objective.trim_end_matches(", no cap on risk");
            format!(
                "{objective} among candidates with {} at most {f} x budget",
                a.risk_measure.describe()
            )
        }
        _ => rule(a, a.cap_value(None)),
    }
}

/// What the analysis says, sentence by sentence.
pub fn summary(d: &Decision, a: &RiskAppetite) -> Vec<String> {
    let mut out = vec![format!("Rule: {}.", d.rule.text)];
    let point = |label: &str| d.frontier.iter().find(|p| p.label == label);
    let rm = a.risk_measure;
    let conf = format!("{:.0}%", 100.0 * a.confidence);
    if let Some(p) = point(&d.recommended) {
        if d.meets_cap {
            out.push(format!(
                "Recommended: {}: expected cost ${} (se {}), {} {}.",
                p.label,
                dollars(p.mean.mean),
                dollars(p.mean.se),
                rm.describe(),
                measure_value(rm, p.rule_risk.value)
            ));
            if let (Some(cap), Some(se)) = (d.rule.max_risk, p.rule_risk.se) {
                if se > 0.0 && cap - p.rule_risk.value < 2.0 * se {
                    out.push(format!(
                        "Its {} is within two standard errors ({}) of the cap: more trials would settle whether it meets it.",
                        rm.describe(),
                        measure_value(rm, se)
                    ));
                }
            }
        } else {
            out.push(format!(
                "No candidate meets the cap of {}: the least risky, {}, has {} {} (expected cost ${}).",
                d.rule.max_risk.map(|x| measure_value(rm, x)).unwrap_or_default(),
                p.label,
                rm.describe(),
                measure_value(rm, p.rule_risk.value),
                dollars(p.mean.mean)
            ));
        }
    }
    if let Some(c) = &d.comparison {
        let diff = c.mean_difference;
        let how = if diff >= 0.0 { "more" } else { "less" };
        let basis = match c.basis.as_str() {
            "paired" => format!("paired over the same {} simulated years", group(c.trials)),
            "exact" => "exact engine: exact up to its error bound".into(),
            _ => "unpaired: the per-trial costs were not kept, so the interval is wider than a paired one".into(),
        };
        out.push(format!(
            "Runner-up: {} costs ${} {how} on average ({conf} CI ${} to ${}; {basis}).",
            c.runner_up,
            dollars(diff.abs()),
            dollars(c.ci.lo),
            dollars(c.ci.hi)
        ));
        if c.within_noise {
            match (c.basis.as_str(), c.trials_needed) {
                ("exact", _) => out.push(format!(
                    "The difference is within the exact engine's error bound (${}): refine the lattice (--exact-step) to separate them.",
                    dollars(c.se)
                )),
                (_, Some(n)) => out.push(format!(
                    "The {conf} interval includes 0: the choice between them is within Monte Carlo noise; about {} trials in all (now {}) would separate them.",
                    group(n),
                    group(c.trials)
                )),
                _ => out.push(format!(
                    "The {conf} interval includes 0: the choice between them is within Monte Carlo noise."
                )),
            }
        } else if c.basis == "exact" {
            out.push("The difference is exact (no Monte Carlo noise).".into());
        } else {
            out.push(format!(
                "The {conf} interval excludes 0: the order is not Monte Carlo noise."
            ));
        }
    }
    let dominated = d.frontier.iter().filter(|p| !p.efficient).count();
    out.push(format!(
        "Efficient frontier (expected cost against {}): {} of {} candidates; {} dominated.",
        describe_name(&d.rule.frontier_measure),
        d.efficient.len(),
        d.frontier.len(),
        dominated
    ));
    if let Some(fi) = &d.fully_insured {
        if let Some(c) = fi.candidates.iter().find(|c| c.label == d.recommended) {
            let signed = |x: f64| {
                if x >= 0.0 {
                    format!("${} more", dollars(x))
                } else {
                    format!("${} less", dollars(-x))
                }
            };
            out.push(format!(
                "Against the fully insured premium of ${}: {} saves ${} a year on average (se {}); self-funding costs more with probability {} (se {}); the worst 1-in-20 year costs {} than the premium, the worst 1-in-100 year {}.",
                dollars(fi.premium),
                c.label,
                dollars(c.expected_saving.mean),
                dollars(c.expected_saving.se),
                percent(c.prob_self_funding_costs_more.mean),
                percent(c.prob_self_funding_costs_more.se),
                signed(c.worst_1_in_20.over_fully_insured),
                signed(c.worst_1_in_100.over_fully_insured)
            ));
        }
    }
    out
}

fn describe_name(name: &str) -> String {
    name.parse::<RiskMeasure>()
        .map(|m| m.describe())
        .unwrap_or_else(|_| name.to_string())
}
