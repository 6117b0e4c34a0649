//! component.json: the fitted tail as a claim component in the config's
//! own spelling, spliced onto a body. The simulator's spliced severity has a
//! Pareto tail (single-parameter, or Lomax with `tail_theta`), so only two
//! fits can be carried exactly: the Pareto (`tail_alpha = alpha`, threshold
//! at the reference threshold) and a GPD with 0 < xi < 1 (a GPD above `u`
//! is `u` + Lomax(alpha = 1/xi, theta = sigma/xi)). The component takes the
//! best-AIC of those two (with a finite mean); fit.json names it.

use super::FittedModel;
use serde_json::{json, Value};

/// The fit component.json carries: the best-AIC Pareto or GPD with a
/// finite-mean tail the config can express.
pub fn choose(models: &[FittedModel]) -> Option<&FittedModel> {
    models.iter().find(|m| tail(m).is_some())
}

/// `(tail_alpha, tail_theta)` of a fit, when the config can express it.
pub fn tail(m: &FittedModel) -> Option<(f64, Option<f64>)> {
    crate::dist::spliced_tail_of(&m.family, |k| m.parameters.get(k).copied())
}

/// What the body of the component is and how often the tail is reached.
#[derive(Debug, Clone)]
pub struct Body {
    /// Component name.
    pub name: String,
    /// Frequency in config spelling (`{"bernoulli": {"p": 0.8}}`).
    pub frequency: Value,
    /// Body severity in config spelling.
    pub severity: Value,
    /// `P(X > threshold)` per claim.
    pub tail_probability: f64,
}

impl Default for Body {
    /// The calibrated default member model of the domain notes
    /// (illustrative): 80% of members claim, lognormal(7.43, 1.97) body,
    /// 1% of members above $100k, so 1.25% of claims.
    fn default() -> Self {
        Body {
            name: "medical".into(),
            frequency: json!({"bernoulli": {"p": 0.8}}),
            severity: json!({"lognormal": {"mu": 7.43, "sigma": 1.97}}),
            tail_probability: 0.0125,
        }
    }
}

/// The claim component: `body` below `threshold`, the fit's tail above.
pub fn component(m: &FittedModel, threshold: f64, body: &Body) -> Option<Value> {
    let (alpha, theta) = tail(m)?;
    let mut spliced = json!({
        "body": body.severity,
        "threshold": threshold,
        "tail_probability": body.tail_probability,
        "tail_alpha": alpha,
    });
    if let Some(t) = theta {
        spliced["tail_theta"] = json!(t);
    }
    Some(json!({
        "name": body.name,
        "frequency": body.frequency,
        "severity": {"spliced": spliced},
    }))
}

/// Checks that `component` loads as a claim component: wraps it in a
/// minimal config and validates it.
pub fn check_loads(component: &Value) -> Result<(), String> {
    let config = json!({
        "name": "component-check",
        "population": {"classes": [{"name": "c", "employees": 1, "members": 1,
            "claims": [component]}]},
        "stop_loss": {"specific": [{"deductible": 100000, "premium_pepm": 1}]}
    });
    crate::config::parse(
        &config.to_string(),
        "component.json",
        std::path::Path::new("."),
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}
