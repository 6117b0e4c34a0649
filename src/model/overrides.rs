//! Changes to a validated study from outside its config: command-line
//! flags, a merge's shard headers, a sweep. They go through one validated
//! function, [`Study::with_overrides`], which returns a new study and never
//! writes into an existing one.

use super::{RiskCap, RiskMeasure, Study};
use crate::config::check_trial_count;
use thiserror::Error;

/// Changes to the risk appetite (the config's `decision` block).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AppetiteOverrides {
    /// `risk_measure`; a frontier that followed the rule's measure keeps
    /// following it unless `frontier_measure` is given too.
    pub risk_measure: Option<RiskMeasure>,
    /// `frontier_measure`.
    pub frontier_measure: Option<RiskMeasure>,
    /// `max_risk`: a cap on the risk measure.
    pub max_risk: Option<f64>,
    /// `max_risk_budget_factor`: a cap as a multiple of the budget.
    pub max_risk_budget_factor: Option<f64>,
    /// Drop any cap.
    pub no_risk_cap: bool,
    /// `lambda`: the weight of risk in mean + lambda x risk.
    pub lambda: Option<f64>,
}

impl AppetiteOverrides {
    /// Whether `field` (a `decision` key) is set here.
    fn names(&self, field: &str) -> bool {
        match field {
            "frontier_measure" => self.frontier_measure.is_some(),
            "risk_measure" => self.risk_measure.is_some(),
            "max_risk" => self.max_risk.is_some(),
            "max_risk_budget_factor" => self.max_risk_budget_factor.is_some(),
            "lambda" => self.lambda.is_some(),
            _ => false,
        }
    }
}

/// Everything that can be set on a study after validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// Number of simulated plan years (1 to [`crate::config::MAX_TRIALS`]).
    pub trials: Option<u64>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Label of the baseline candidate.
    pub baseline: Option<String>,
    /// The risk appetite.
    pub appetite: AppetiteOverrides,
}

/// An override that does not fit the study. `field` names the setting at
/// fault (`trials`, `seed`, `baseline` or a `decision` key); `overridden`
/// says whether the override set it (otherwise the config's value clashes
/// with an override of another field).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct OverrideError {
    /// The setting at fault.
    pub field: &'static str,
    /// Whether the override itself set `field`.
    pub overridden: bool,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl Study {
    /// This study with `overrides` applied and checked.
    pub fn with_overrides(&self, overrides: &Overrides) -> Result<Study, OverrideError> {
        let mut study = self.clone();
        if let Some(t) = overrides.trials {
            study.trials = check_trial_count(t).map_err(|message| OverrideError {
                field: "trials",
                overridden: true,
                message,
            })?;
            crate::config::limits::check_workload(&study).map_err(|e| OverrideError {
                field: "trials",
                overridden: true,
                message: format!("{t}: {}", e.message),
            })?;
        }
        if let Some(s) = overrides.seed {
            study.seed = s;
        }
        if let Some(label) = &overrides.baseline {
            study.contract.baseline =
                study
                    .contract
                    .candidate_index(label)
                    .map_err(|e| OverrideError {
                        field: "baseline",
                        overridden: true,
                        message: e.to_string(),
                    })?;
        }
        let o = &overrides.appetite;
        let a = &mut study.decision;
        let tied = a.frontier_measure == a.risk_measure;
        if let Some(m) = o.risk_measure {
            a.risk_measure = m;
            if tied && o.frontier_measure.is_none() {
                a.frontier_measure = m;
            }
        }
        if let Some(m) = o.frontier_measure {
            a.frontier_measure = m;
        }
        if let Some(v) = o.max_risk {
            a.cap = Some(RiskCap::Value(v));
        }
        if let Some(f) = o.max_risk_budget_factor {
            a.cap = Some(RiskCap::BudgetFactor(f));
        }
        if o.no_risk_cap {
            a.cap = None;
        }
        if let Some(l) = o.lambda {
            a.lambda = l;
        }
        a.check(study.budget).map_err(|e| OverrideError {
            field: e.field,
            overridden: o.names(e.field),
            message: e.message,
        })?;
        Ok(study)
    }
}
