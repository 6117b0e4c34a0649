//! The risk appetite a recommendation is made under: which tail measure the
//! efficient frontier uses, and the rule that picks a candidate.

use crate::results::{permille_percent, permille_suffix, PERCENTILE_LEVELS, TVAR_LEVELS};
use std::fmt;
use std::str::FromStr;

/// A measure of how bad a bad year is, read off a candidate's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskMeasure {
    /// Value at risk (a percentile of the annual cost), at one of the
    /// reported levels, in tenths of a percent (950 = 95%).
    Var(u16),
    /// TVaR (expected shortfall) at one of the reported levels, in tenths of a percent.
    Tvar(u16),
    /// Standard deviation of the annual cost.
    Sd,
    /// Probability that the annual cost exceeds the budget.
    ProbOverBudget,
}

/// The names accepted for a [`RiskMeasure`], as listed in messages: a
/// `tvar` and a `var` per reported level ([`TVAR_LEVELS`],
/// [`PERCENTILE_LEVELS`]), then `sd` and `prob_over_budget`.
pub fn risk_measure_names() -> Vec<String> {
    RiskMeasure::all().map(RiskMeasure::name).collect()
}

impl RiskMeasure {
    /// Every measure, in the order of [`risk_measure_names`].
    pub fn all() -> impl Iterator<Item = RiskMeasure> {
        let tvar = TVAR_LEVELS.iter().map(|l| RiskMeasure::Tvar(l.permille));
        let var = PERCENTILE_LEVELS
            .iter()
            .map(|l| RiskMeasure::Var(l.permille));
        tvar.chain(var)
            .chain([RiskMeasure::Sd, RiskMeasure::ProbOverBudget])
    }

    /// TVaR 99%, the frontier's default.
    pub const TVAR99: RiskMeasure = RiskMeasure::Tvar(990);

    /// The name used in configs, flags and outputs (`tvar99`, `var95`, `sd`, ...).
    pub fn name(self) -> String {
        match self {
            RiskMeasure::Var(l) => format!("var{}", permille_suffix(l)),
            RiskMeasure::Tvar(l) => format!("tvar{}", permille_suffix(l)),
            RiskMeasure::Sd => "sd".into(),
            RiskMeasure::ProbOverBudget => "prob_over_budget".into(),
        }
    }

    /// A phrase for people: "TVaR 99%", "VaR 99.5%", "standard deviation".
    pub fn describe(self) -> String {
        match self {
            RiskMeasure::Var(l) => format!("VaR {}", permille_percent(l)),
            RiskMeasure::Tvar(l) => format!("TVaR {}", permille_percent(l)),
            RiskMeasure::Sd => "standard deviation".into(),
            RiskMeasure::ProbOverBudget => "P(cost > budget)".into(),
        }
    }

    /// Whether the measure is in dollars (every measure but the probability).
    pub fn in_dollars(self) -> bool {
        self != RiskMeasure::ProbOverBudget
    }
}

impl fmt::Display for RiskMeasure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// A risk measure name that is not one of [`risk_measure_names`]; the
/// message suggests the closest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UnknownMeasure {
    /// What is wrong and what is allowed.
    pub message: String,
}

impl FromStr for RiskMeasure {
    type Err = UnknownMeasure;

    fn from_str(s: &str) -> Result<Self, UnknownMeasure> {
        let s = s.trim();
        if let Some(m) = RiskMeasure::all().find(|m| m.name() == s) {
            return Ok(m);
        }
        let names = risk_measure_names();
        let hint = crate::error::did_you_mean(s, names.iter().map(String::as_str))
            .map(|h| format!(" (did you mean `{h}`?)"))
            .unwrap_or_default();
        Err(UnknownMeasure {
            message: format!(
                "unknown risk measure `{s}`{hint}; allowed: {}",
                names.join(", ")
            ),
        })
    }
}

/// A cap on the risk measure of the candidates a recommendation may choose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RiskCap {
    /// An absolute cap: dollars, or a probability for `prob_over_budget`.
    Value(f64),
    /// This factor times the budget (dollar measures only).
    BudgetFactor(f64),
}

/// The rule that picks the recommended candidate: the lowest
/// `mean + lambda x risk`, among the candidates whose `risk` is at most the
/// cap (all candidates without a cap). `lambda = 0` and no cap is the
/// risk-neutral rule: the lowest expected cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskAppetite {
    /// The tail measure of the efficient frontier (default TVaR 99%).
    pub frontier_measure: RiskMeasure,
    /// The measure the cap and the penalty apply to (default: the frontier's).
    pub risk_measure: RiskMeasure,
    /// The cap on `risk_measure`, if any.
    pub cap: Option<RiskCap>,
    /// Weight of `risk_measure` in the objective (0: none).
    pub lambda: f64,
    /// Confidence level of the intervals on differences (default 0.95).
    pub confidence: f64,
}

impl Default for RiskAppetite {
    fn default() -> Self {
        RiskAppetite {
            frontier_measure: RiskMeasure::TVAR99,
            risk_measure: RiskMeasure::TVAR99,
            cap: None,
            lambda: 0.0,
            confidence: 0.95,
        }
    }
}

/// A risk appetite that does not hold together: `field` is the config key
/// under `decision` (and the flag's name) at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppetiteError {
    /// `frontier_measure`, `risk_measure`, `max_risk`, `max_risk_budget_factor`,
    /// `lambda` or `confidence`.
    pub field: &'static str,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl RiskAppetite {
    /// Checks ranges and that the pieces fit each other and the study's
    /// budget (a budget factor or `prob_over_budget` needs one; a budget
    /// factor caps dollar measures only).
    pub fn check(&self, budget: Option<f64>) -> Result<(), AppetiteError> {
        let err = |field, message: String| Err(AppetiteError { field, message });
        for (field, m) in [
            ("frontier_measure", self.frontier_measure),
            ("risk_measure", self.risk_measure),
        ] {
            if m == RiskMeasure::ProbOverBudget && budget.is_none() {
                return err(
                    field,
                    "prob_over_budget needs a `budget` in the config".into(),
                );
            }
        }
        match self.cap {
            Some(RiskCap::Value(v)) if self.risk_measure.in_dollars() => {
                let dollars = v.is_finite() && v > 0.0 && v <= 1e13;
                if !dollars {
                    return err(
                        "max_risk",
                        format!(
                            "must be a dollar amount greater than 0 (a cap on {}), got {v}",
                            self.risk_measure.describe()
                        ),
                    );
                }
            }
            Some(RiskCap::Value(v)) => {
                let probability = v.is_finite() && (0.0..=1.0).contains(&v);
                if !probability {
                    return err(
                        "max_risk",
                        format!("must be a probability from 0 to 1 (a cap on prob_over_budget), got {v}"),
                    );
                }
            }
            Some(RiskCap::BudgetFactor(f)) => {
                if !self.risk_measure.in_dollars() {
                    return err(
                        "max_risk_budget_factor",
                        "applies to dollar measures only; cap prob_over_budget with max_risk (a probability)".into(),
                    );
                }
                if budget.is_none() {
                    return err(
                        "max_risk_budget_factor",
                        "needs a `budget` in the config (the cap is this factor times the budget)"
                            .into(),
                    );
                }
                if !(f.is_finite() && f > 0.0 && f <= 100.0) {
                    return err(
                        "max_risk_budget_factor",
                        format!("must be a factor greater than 0 and at most 100 (1.1 for 110% of the budget), got {f}"),
                    );
                }
            }
            None => {}
        }
        if !(self.lambda.is_finite() && (0.0..=1e6).contains(&self.lambda)) {
            return err(
                "lambda",
                format!(
                    "must be a number from 0 to 1,000,000 (the weight of the risk measure), got {}",
                    self.lambda
                ),
            );
        }
        if !(self.confidence.is_finite() && (0.5..=0.9999).contains(&self.confidence)) {
            return err(
                "confidence",
                format!(
                    "must be between 0.5 and 0.9999 (0.95 for 95% intervals), got {}",
                    self.confidence
                ),
            );
        }
        Ok(())
    }

    /// The cap in the measure's own units, given the study's budget (`None`
    /// without a cap, or for a budget factor without a budget, which
    /// validation refuses).
    pub fn cap_value(&self, budget: Option<f64>) -> Option<f64> {
        match self.cap? {
            RiskCap::Value(v) => Some(v),
            // To the cent: 1.1 x 1,550,000 is 1705000.0000000002 in binary.
            RiskCap::BudgetFactor(f) => budget.map(|b| (f * b * 100.0).round() / 100.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in risk_measure_names() {
            let m: RiskMeasure = name.parse().unwrap();
            assert_eq!(m.name(), name);
        }
        assert_eq!(RiskMeasure::Var(995).describe(), "VaR 99.5%");
        let e = "tvar98".parse::<RiskMeasure>().unwrap_err().message;
        assert!(
            e.contains("did you mean `tvar95`")
                || e.contains("did you mean `tvar90`")
                || e.contains("did you mean `tvar99`"),
            "{e}"
        );
    }
}
