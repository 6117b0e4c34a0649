//! The `decision` block: the risk appetite of the recommendation.

use super::*;
use crate::error::ConfigError;

/// The `decision` block: the risk appetite of the recommendation.
pub(super) fn decision(
    raw: Option<&RawDecision>,
    ctx: &Ctx,
    budget: Option<f64>,
) -> Result<RiskAppetite, ConfigError> {
    let mut out = RiskAppetite::default();
    let Some(raw) = raw else {
        return Ok(out);
    };
    let measure =
        |field: &str, text: &Option<String>| -> Result<Option<RiskMeasure>, ConfigError> {
            text.as_deref()
                .map(|t| {
                    t.parse::<RiskMeasure>()
                        .map_err(|e| ctx.err(format!("decision.{field}"), e.message))
                })
                .transpose()
        };
    // Each measure defaults to the other, so that the frontier is drawn in
    // the measure the rule judges by unless both are given.
    let frontier = measure("frontier_measure", &raw.frontier_measure)?;
    let risk = measure("risk_measure", &raw.risk_measure)?;
    out.frontier_measure = frontier.or(risk).unwrap_or(out.frontier_measure);
    out.risk_measure = risk.unwrap_or(out.frontier_measure);
    out.cap = match (raw.max_risk, raw.max_risk_budget_factor) {
        (Some(_), Some(_)) => {
            return Err(ctx.err(
                "decision.max_risk_budget_factor",
                "give either max_risk or max_risk_budget_factor, not both",
            ))
        }
        (Some(v), None) => Some(RiskCap::Value(v)),
        (None, Some(f)) => Some(RiskCap::BudgetFactor(f)),
        (None, None) => None,
    };
    out.lambda = raw.lambda.unwrap_or(out.lambda);
    out.confidence = raw.confidence.unwrap_or(out.confidence);
    out.check(budget)
        .map_err(|e| ctx.err(format!("decision.{}", e.field), e.message))?;
    Ok(out)
}
