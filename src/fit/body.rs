//! The spliced body-and-tail model from a full claims distribution: when the
//! listing holds every claimant (`stoploss fit --full-listing`), the rows
//! below the threshold fit the body and the rows above fit the tail, as
//! the simulator's spliced severity reads them: the body conditioned below
//! the threshold, the tail above it with probability `tail_probability`.
//!
//! The body's likelihood is right-truncated at each row's trended
//! threshold `u_i` (a row is below it by construction):
//!
//! ```text
//! l(theta) = sum_{i below} ln f(x_i) - sum_{i below} ln F(u_i)
//! ```
//!
//! and its goodness of fit is on the conditional CDF `F(x)/F(u)`. The tail
//! probability is the maximum-likelihood binomial share: claimants above
//! the reference threshold over all claimants. With trend the years'
//! thresholds differ; the body is then fitted below each year's own
//! threshold and spliced at the reference (the largest), a small
//! approximation for the claimants between the two.

use super::families::{self, Family};
use super::listing::Observation;
use super::{by_name, gof, maximize_with, observed_covariance_with, rank_by_aic, FittedModel};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The body families (defined on the whole positive line, unlike the
/// Pareto and the GPD, which live above the threshold).
pub const BODY_FAMILIES: [&str; 3] = ["lognormal", "gamma", "weibull"];

/// The body's fits, as fit.json's `body` reports them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BodyFit {
    /// Claimants below the threshold, fitted.
    pub n: usize,
    /// `P(X > reference threshold)` per claimant: claimants above it over
    /// all claimants in the listing.
    pub tail_probability: f64,
    /// One entry per body family, best AIC first (no expected excess: the
    /// excess layers are the tail's).
    pub models: Vec<FittedModel>,
    /// The best-AIC body not on a bound: the body of component.json.
    pub component_family: Option<String>,
}

/// The right-truncated log-likelihood of the body rows (`-inf` outside the
/// admissible region).
pub fn log_likelihood(family: &dyn Family, p: &[f64], data: &[Observation]) -> f64 {
    if !p.iter().all(|v| v.is_finite()) || !family.admissible(p, data) {
        return f64::NEG_INFINITY;
    }
    let l: f64 = data
        .iter()
        .map(|o| family.ln_pdf(p, o.amount) - family.ln_cdf(p, o.truncation))
        .sum();
    // +inf is F(u) underflowing to 0 beside a finite density: no maximum.
    if l.is_nan() || l == f64::INFINITY {
        f64::NEG_INFINITY
    } else {
        l
    }
}

/// Fits every body family to `body` (rows below the threshold, each with
/// its trended threshold as `truncation`); `above` claimants of the whole
/// listing exceed the reference threshold. `None` with fewer than two
/// body rows.
pub fn fit_body(body: &[Observation], above: usize) -> Option<BodyFit> {
    if body.len() < 2 {
        return None;
    }
    let mut models: Vec<FittedModel> = families::all(0.0)
        .iter()
        .filter(|f| BODY_FAMILIES.contains(&f.name()))
        .filter_map(|f| fit_one(f.as_ref(), body))
        .collect();
    rank_by_aic(&mut models);
    let component_family = models
        .iter()
        .find(|m| m.note.is_none())
        .map(|m| m.family.clone());
    Some(BodyFit {
        n: body.len(),
        tail_probability: above as f64 / (above + body.len()) as f64,
        models,
        component_family,
    })
}

fn fit_one(fam: &dyn Family, data: &[Observation]) -> Option<FittedModel> {
    let raw = maximize_with(fam, data, log_likelihood)?;
    let p = &raw.params;
    let names = fam.parameter_names();
    let note = fam.at_bound(p);
    let cov = note
        .is_none()
        .then(|| observed_covariance_with(fam, p, data, log_likelihood))
        .flatten();
    let mut cdf: Vec<f64> = data
        .iter()
        .map(|o| (fam.ln_cdf(p, o.amount) - fam.ln_cdf(p, o.truncation)).exp())
        .collect();
    cdf.sort_by(f64::total_cmp);
    let ll = raw.log_likelihood;
    Some(FittedModel {
        family: fam.name().into(),
        parameters: by_name(names, p.iter().copied()),
        se: by_name(
            names,
            (0..p.len()).map(|i| cov.as_ref().map(|c| c[i][i].sqrt())),
        ),
        covariance: None,
        se_bootstrap: None,
        log_likelihood: ll,
        aic: gof::aic(p.len(), ll),
        bic: gof::bic(p.len(), data.len(), ll),
        ks: gof::ks(&cdf),
        ad: gof::ad(&cdf),
        delta_aic: 0.0,
        acceptable: false,
        expected_excess: Default::default(),
        note,
    })
}

/// A body fit's severity in config spelling (`{"lognormal": {"mu": ..,
/// "sigma": ..}}`).
pub fn severity(m: &FittedModel) -> Option<Value> {
    let p = |k: &str| m.parameters.get(k).copied();
    Some(match m.family.as_str() {
        "lognormal" => json!({"lognormal": {"mu": p("mu")?, "sigma": p("sigma")?}}),
        "gamma" => json!({"gamma": {"shape": p("shape")?, "scale": p("scale")?}}),
        "weibull" => json!({"weibull": {"shape": p("shape")?, "scale": p("scale")?}}),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, LogNormal};

    /// Lognormal(9, 1.2) claimants kept below $20,000: the fit recovers the
    /// parameters within a few standard errors, and the conditional CDF of
    /// the threshold itself is 1.
    #[test]
    fn right_truncated_lognormal_recovers_its_parameters() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let d = LogNormal::new(9.0, 1.2).unwrap();
        let u = 20_000.0;
        let body: Vec<Observation> = (0..4000)
            .map(|_| d.sample(&mut rng))
            .filter(|&x| x < u)
            .map(|amount| Observation {
                amount,
                censored: false,
                truncation: u,
            })
            .collect();
        let fit = fit_body(&body, 100).unwrap();
        let ln = fit.models.iter().find(|m| m.family == "lognormal").unwrap();
        for (k, want) in [("mu", 9.0), ("sigma", 1.2)] {
            let (got, se) = (ln.parameters[k], ln.se[k].unwrap());
            assert!((got - want).abs() < 4.0 * se, "{k}: {got} se {se}");
        }
        assert_eq!(fit.models[0].family, "lognormal", "{:?}", fit.models);
        assert!((fit.tail_probability - 100.0 / (100 + body.len()) as f64).abs() < 1e-15);
        assert!(severity(ln).is_some());
    }

    #[test]
    fn too_few_rows_fit_nothing() {
        let o = Observation {
            amount: 10.0,
            censored: false,
            truncation: 100.0,
        };
        assert!(fit_body(std::slice::from_ref(&o), 3).is_none());
    }
}
