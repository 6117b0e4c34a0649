//! The `parameter_risk` block: the two per-trial multipliers and the
//! posterior-predictive tails read from a `stoploss fit` fit.json.

use super::*;
use crate::config::{files, MAX_CONFIG_BYTES};
use crate::dist::Severity;
use crate::fit::FitReport;
use crate::sim::parameter_risk::ParameterRisk;
use crate::sim::posterior::{cholesky, Posterior, TailFamily};

/// The validated block (`None` without one).
pub(super) fn parameter_risk(
    ctx: &Ctx,
    raw: Option<&RawParameterRisk>,
    population: &Population,
    projected: bool,
) -> Result<Option<ParameterRisk>, ConfigError> {
    let Some(p) = raw else {
        return Ok(None);
    };
    let cv = |name: &str, v: Option<f64>| match v {
        None => Ok(0.0),
        Some(v) if v.is_finite() && (0.0..=2.0).contains(&v) => Ok(v),
        Some(v) => Err(ctx.err(
            format!("parameter_risk.{name}"),
            format!("must be a coefficient of variation between 0 and 2, got {v}"),
        )),
    };
    let posterior = p
        .posterior
        .as_ref()
        .map(|raw| posterior(ctx, raw, population, projected))
        .transpose()?;
    Ok(Some(ParameterRisk {
        frequency_cv: cv("frequency_cv", p.frequency_cv)?,
        severity_cv: cv("severity_cv", p.severity_cv)?,
        posterior,
    }))
}

fn posterior(
    ctx: &Ctx,
    raw: &RawPosterior,
    population: &Population,
    projected: bool,
) -> Result<Posterior, ConfigError> {
    let at = "parameter_risk.posterior";
    if projected {
        return Err(ctx.err(
            at,
            "posterior-predictive tails are not yet drawn in a multi-year projection; remove the projection block or the posterior",
        ));
    }
    let path = ctx.data_path(&format!("{at}.fit"), &raw.fit)?;
    let shown = path.display().to_string();
    let bad = |msg: String| ctx.err(format!("{at}.fit"), format!("{shown}: {msg}"));
    let bytes = files::read_limited(&path, MAX_CONFIG_BYTES, "fit files")
        .map_err(|e| bad(e.message.clone()))?;
    let text = files::utf8(bytes, &shown, ErrorKind::Syntax).map_err(|e| bad(e.message.clone()))?;
    let fit: FitReport = serde_json::from_str(&text)
        .map_err(|e| bad(format!("is not a fit.json of `stoploss fit` ({e})")))?;
    let (family_at, family) = match &raw.family {
        Some(f) => (format!("{at}.family"), f.clone()),
        None => (
            format!("{at}.fit"),
            fit.component_family.clone().ok_or_else(|| {
                bad("names no family for its component (no Pareto or GPD fit with a finite mean); give parameter_risk.posterior.family".into())
            })?,
        ),
    };
    let tail_family = match family.as_str() {
        "pareto" => TailFamily::Pareto,
        "gpd" => TailFamily::Gpd,
        other => {
            return Err(ctx.err(
                family_at,
                format!("must be \"pareto\" or \"gpd\" (the simulator's spliced tail is a Pareto), got {other:?}"),
            ))
        }
    };
    let model = fit
        .models
        .iter()
        .find(|m| m.family == family)
        .ok_or_else(|| ctx.err(family_at.clone(), format!("{shown} holds no {family} fit")))?;
    let names = tail_family.parameter_names();
    let mean = names
        .iter()
        .map(|n| model.parameters.get(*n).copied())
        .collect::<Option<Vec<f64>>>()
        .ok_or_else(|| bad(format!("its {family} fit lacks the parameters {names:?}")))?;
    let covariance = model.covariance.as_ref().ok_or_else(|| {
        bad(format!(
            "its {family} fit has no covariance (the fit is on a bound or its information is not positive definite), so its parameters cannot be drawn"
        ))
    })?;
    let chol = (covariance.len() == names.len())
        .then(|| cholesky(covariance))
        .flatten()
        .ok_or_else(|| {
            bad(format!(
                "its {family} covariance is not a positive definite {n}x{n} matrix",
                n = names.len()
            ))
        })?;
    let se = (0..names.len()).map(|i| covariance[i][i].sqrt()).collect();
    let targets = components(ctx, raw, population)?;
    let min_alpha = match raw.min_alpha {
        None => 1.0,
        Some(a) if a.is_finite() && (1.0..=100.0).contains(&a) => a,
        Some(a) => {
            return Err(ctx.err(
                format!("{at}.min_alpha"),
                format!("must be a tail index between 1 and 100 (draws at or below it are redrawn), got {a}"),
            ))
        }
    };
    let post = Posterior {
        source: format!("{} ({family})", raw.fit),
        family: tail_family,
        mean,
        se,
        cholesky: chol,
        components: targets,
        min_alpha,
    };
    let estimate = post.estimate().ok_or_else(|| {
        bad(format!(
            "its {family} estimates {:?} give a tail index at or below {} (an infinite mean, or below min_alpha), which cannot be drawn around",
            post.mean, post.min_alpha
        ))
    })?;
    let outside = post.redrawn_share();
    let mut warnings = ctx.warnings.borrow_mut();
    if outside > 0.01 {
        warnings.push(format!(
            "{at}: {:.1}% of the {family} fit's normal parameter draws have a tail index at or below {} and are redrawn: the listing cannot rule out a tail that heavy. The expected excess over a deductible grows as 1/(alpha - 1), so the drawn years near that bound dominate the specific layer's mean; min_alpha sets the bound",
            100.0 * outside, post.min_alpha
        ));
    }
    for c in population
        .classes
        .iter()
        .flat_map(|k| &k.components)
        .filter(|c| post.components.contains(&c.name))
    {
        if let Severity::Spliced {
            threshold, tail, ..
        } = &c.severity
        {
            let theta = estimate.theta.unwrap_or(*threshold);
            let off = |a: f64, b: f64| (a - b).abs() > 1e-6 * b.abs();
            if off(tail.alpha, estimate.alpha) || off(tail.theta, theta) {
                let w = format!(
                    "{at}: component {:?} has tail_alpha {} (tail_theta {}) but the {family} fit's estimates give {} ({}); the draws are centred on the fit's",
                    c.name, tail.alpha, tail.theta, estimate.alpha, theta
                );
                // A component shared by several classes is said once.
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
        }
    }
    Ok(post)
}

/// The names of the components whose tails are drawn: those given (each a
/// spliced component), else every spliced component in the specific.
fn components(
    ctx: &Ctx,
    raw: &RawPosterior,
    population: &Population,
) -> Result<Vec<String>, ConfigError> {
    let all: Vec<&ClaimComponent> = population
        .classes
        .iter()
        .flat_map(|k| &k.components)
        .collect();
    let spliced = |c: &&ClaimComponent| matches!(c.severity, Severity::Spliced { .. });
    let mut names: Vec<String> = Vec::new();
    match &raw.components {
        Some(given) => {
            if given.is_empty() {
                return Err(ctx.err(
                    "parameter_risk.posterior.components",
                    "must name at least one spliced component (or be left out: every spliced component in the specific)",
                ));
            }
            for (i, name) in given.iter().enumerate() {
                let at = format!("parameter_risk.posterior.components[{i}]");
                let found: Vec<&&ClaimComponent> = all.iter().filter(|c| &c.name == name).collect();
                if found.is_empty() {
                    return Err(ctx.err(at, format!("no claim component is named {name:?}")));
                }
                if !found.iter().all(|c| spliced(c) && c.specific) {
                    return Err(ctx.err(
                        at,
                        format!("component {name:?} must have a spliced severity and count toward the specific: the drawn parameters are its tail's"),
                    ));
                }
                names.push(name.clone());
            }
        }
        None => {
            for c in all.iter().filter(|c| spliced(c) && c.specific) {
                if !names.contains(&c.name) {
                    names.push(c.name.clone());
                }
            }
            if names.is_empty() {
                return Err(ctx.err(
                    "parameter_risk.posterior",
                    "the config has no spliced claim component in the specific whose tail could be drawn",
                ));
            }
        }
    }
    Ok(names)
}
