//! `stoploss fit`: from the group's large-claimant listing to a severity
//! model. [`listing`] reads and prepares the claimants (trend, development,
//! truncation and censoring points); [`families`] holds the five severity
//! families and the truncated/censored likelihood; [`fit_all`] fits each by
//! maximum likelihood ([`optim`]), with observed-information standard
//! errors ([`FittedModel::se`], a parametric bootstrap as well for the GPD)
//! and goodness of fit ([`gof`]); [`component`] turns the chosen tail into a
//! config claim component; [`lag`] fits payment lags from a triangle and
//! [`credibility`] weighs the experience against a manual rate. fit.html is
//! drawn by [`crate::report::fit_html`].

pub mod body;
pub mod component;
pub mod credibility;
pub mod families;
pub mod gof;
pub mod lag;
pub mod listing;
pub mod manual;
pub mod optim;
pub mod special;

use families::{conditional_cdf, log_likelihood, Family};
use listing::Observation;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fits with an AIC within this of the best are "acceptable": statistically
/// indistinguishable on the listing (Burnham & Anderson's rule of thumb).
pub const ACCEPTABLE_DELTA_AIC: f64 = 2.0;

/// Parametric-bootstrap replicates for the GPD's standard errors.
pub const GPD_BOOTSTRAP: usize = 200;

/// The family of a fitted model (located at the lowest truncation point
/// `location`) and its parameter vector, to evaluate it again.
pub fn family_of(m: &FittedModel, location: f64) -> Option<(Box<dyn Family>, Vec<f64>)> {
    let fam = families::all(location)
        .into_iter()
        .find(|f| f.name() == m.family)?;
    let p = fam
        .parameter_names()
        .iter()
        .map(|n| m.parameters.get(*n).copied())
        .collect::<Option<Vec<f64>>>()?;
    Some((fam, p))
}

/// One fitted family, as in fit.json.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FittedModel {
    /// `pareto`, `gpd`, `lognormal`, `gamma` or `weibull`.
    pub family: String,
    /// The maximum-likelihood parameters by name.
    pub parameters: BTreeMap<String, f64>,
    /// Standard errors from the observed information (the inverse of the
    /// numerical Hessian of the log-likelihood); absent when the fit is on
    /// a bound or the Hessian is not positive definite.
    pub se: BTreeMap<String, Option<f64>>,
    /// The covariance matrix of the estimates (parameters in
    /// `parameters`' order), from the observed information: what
    /// posterior-predictive parameter draws use (`sim::parameter_risk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covariance: Option<Vec<Vec<f64>>>,
    /// GPD only: standard errors from a parametric bootstrap (refits of
    /// samples drawn from the fit, untruncated above the location and
    /// uncensored, seeded: reproducible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se_bootstrap: Option<BTreeMap<String, Option<f64>>>,
    /// The maximized truncated/censored log-likelihood.
    pub log_likelihood: f64,
    /// Akaike's information criterion.
    pub aic: f64,
    /// Bayesian information criterion.
    pub bic: f64,
    /// Kolmogorov–Smirnov distance on the conditional CDF.
    pub ks: f64,
    /// Anderson–Darling statistic on the conditional CDF.
    pub ad: f64,
    /// AIC minus the best AIC.
    pub delta_aic: f64,
    /// Within [`ACCEPTABLE_DELTA_AIC`] of the best fit.
    pub acceptable: bool,
    /// `E[(X - d)+ | X > u*]` per claimant above the reference threshold,
    /// keyed by deductible; `null` when infinite or `d < u*`.
    pub expected_excess: BTreeMap<String, Option<f64>>,
    /// Why the fit needs care (on a bound, infinite mean), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A family fitted without the report's extras (GoF, excess).
#[derive(Debug, Clone)]
pub struct RawFit {
    /// Natural parameters.
    pub params: Vec<f64>,
    /// Log-likelihood at them.
    pub log_likelihood: f64,
}

/// Maximizes the truncated/censored likelihood of `family` over `data`:
/// the closed form where there is one, else the best of the family's
/// starting points through the simplex-and-Newton minimizer.
pub fn maximize(family: &dyn Family, data: &[Observation]) -> Option<RawFit> {
    if let Some(p) = family.closed_form(data) {
        let ll = log_likelihood(family, &p, data);
        return ll.is_finite().then_some(RawFit {
            params: p,
            log_likelihood: ll,
        });
    }
    maximize_with(family, data, log_likelihood)
}

/// A log-likelihood of a family's parameters on observations: the tail's
/// [`log_likelihood`] or the body's [`body::log_likelihood`].
pub type Likelihood = fn(&dyn Family, &[f64], &[Observation]) -> f64;

/// Maximizes `ll` from each of the family's starting points through the
/// simplex-and-Newton minimizer; the best wins.
pub fn maximize_with(family: &dyn Family, data: &[Observation], ll: Likelihood) -> Option<RawFit> {
    let objective = |q: &[f64]| -ll(family, &family.natural(q), data);
    let mut best: Option<optim::Minimum> = None;
    for start in family.starts(data) {
        if !ll(family, &start, data).is_finite() {
            continue;
        }
        let q0 = family.unconstrained(&start);
        let steps: Vec<f64> = q0.iter().map(|v| 0.1 * v.abs().max(1.0)).collect();
        let m = optim::minimize(&objective, &q0, &steps);
        if best.as_ref().is_none_or(|b| m.value < b.value) {
            best = Some(m);
        }
    }
    let best = best.filter(|b| b.value.is_finite())?;
    Some(RawFit {
        params: family.natural(&best.x),
        log_likelihood: -best.value,
    })
}

/// The covariance of the estimates from the observed information at `p`
/// (natural parameters): the inverse of the numerical Hessian of `-l`;
/// `None` when it is not positive definite.
pub fn observed_covariance(
    family: &dyn Family,
    p: &[f64],
    data: &[Observation],
) -> Option<Vec<Vec<f64>>> {
    observed_covariance_with(family, p, data, log_likelihood)
}

/// [`observed_covariance`] of any likelihood `ll`.
pub fn observed_covariance_with(
    family: &dyn Family,
    p: &[f64],
    data: &[Observation],
    ll: Likelihood,
) -> Option<Vec<Vec<f64>>> {
    let f = |x: &[f64]| -ll(family, x, data);
    let h: Vec<f64> = p.iter().map(|v| 1e-4 * v.abs().max(1e-2)).collect();
    let (_, hess) = optim::derivatives(&f, p, &h)?;
    let cov = optim::invert(&hess)?;
    (0..p.len())
        .all(|i| cov[i][i] > 0.0 && cov[i][i].is_finite())
        .then_some(cov)
}

/// The fit of every family, as fit.json reports it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FitReport {
    /// The listing's threshold, in experience-year dollars.
    pub threshold: f64,
    /// The reference threshold `u*` in projection dollars: the largest
    /// trended threshold (every year's listing is complete above it);
    /// expected excesses are per claimant above it.
    pub reference_threshold: f64,
    /// Claimants fitted (above the threshold).
    pub n: usize,
    /// Of them, censored at a cap.
    pub censored: usize,
    /// Rows below the threshold, left out.
    pub below_threshold: usize,
    /// Experience years in the listing.
    pub years: usize,
    /// Claimants above `u*` per experience year.
    pub claimants_per_year: f64,
    /// How the amounts were brought to the projection period.
    pub preparation: PreparationReport,
    /// One entry per family, best AIC first.
    pub models: Vec<FittedModel>,
    /// How far the acceptable fits disagree on the excess layer.
    pub model_risk: ModelRisk,
    /// Credibility of the listing's excess experience, per deductible.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credibility: Vec<credibility::LayerCredibility>,
    /// The family whose tail component.json carries, and why.
    pub component_family: Option<String>,
    /// With a full listing (`--full-listing`): the body's fits below the
    /// threshold and the tail probability, spliced in component.json.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<body::BodyFit>,
    /// With `--manual`: the manual rate, the experience and their blend
    /// per deductible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<manual::ManualReport>,
    /// The formulas behind the statistics, for the reader of the file.
    pub definitions: BTreeMap<String, String>,
}

/// The preparation options, echoed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PreparationReport {
    /// Annual trend.
    pub trend: f64,
    /// Projection year.
    pub to_year: Option<i32>,
    /// Further months of trend.
    pub months: f64,
    /// Development factor of open claims.
    pub open_factor: f64,
    /// Cap in projection dollars.
    pub limit: Option<f64>,
}

/// The spread of the acceptable fits' expected excess.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelRisk {
    /// The acceptable families.
    pub acceptable: Vec<String>,
    /// Per deductible: lowest and highest expected excess among them and
    /// their ratio.
    pub by_deductible: BTreeMap<String, ExcessRange>,
    /// The finding in words.
    pub statement: String,
}

/// Lowest and highest expected excess of the acceptable fits at one deductible.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExcessRange {
    /// Lowest.
    pub min: f64,
    /// Highest.
    pub max: f64,
    /// Family giving the lowest.
    pub min_family: String,
    /// Family giving the highest.
    pub max_family: String,
    /// `max / min`.
    pub ratio: f64,
}

/// Default candidate deductibles: the usual specific deductibles at or
/// above the reference threshold.
pub const STANDARD_DEDUCTIBLES: [f64; 12] = [
    50_000.0,
    75_000.0,
    100_000.0,
    125_000.0,
    150_000.0,
    175_000.0,
    200_000.0,
    250_000.0,
    300_000.0,
    400_000.0,
    500_000.0,
    1_000_000.0,
];

/// `values` keyed by a family's parameter `names`, as fit.json maps them.
pub(crate) fn by_name<T>(
    names: &[&str],
    values: impl IntoIterator<Item = T>,
) -> BTreeMap<String, T> {
    names.iter().map(|n| n.to_string()).zip(values).collect()
}

/// Key of a deductible in the JSON maps (`250000`, or `1234.5`).
pub fn deductible_key(d: f64) -> String {
    if d.fract() == 0.0 && d.abs() < 1e15 {
        format!("{}", d as i64)
    } else {
        format!("{d}")
    }
}

/// Sets each fit's `delta_aic` and `acceptable` and sorts them best AIC
/// first.
pub fn rank_by_aic(models: &mut [FittedModel]) {
    let best = models.iter().map(|m| m.aic).fold(f64::INFINITY, f64::min);
    for m in models.iter_mut() {
        m.delta_aic = m.aic - best;
        m.acceptable = m.delta_aic <= ACCEPTABLE_DELTA_AIC;
    }
    models.sort_by(|a, b| a.aic.total_cmp(&b.aic));
}

/// Fits every family to the prepared sample.
pub fn fit_all(
    prepared: &listing::Prepared,
    prep: &listing::Preparation,
    deductibles: &[f64],
    seed: u64,
) -> FitReport {
    let data = &prepared.observations;
    let location = data
        .iter()
        .map(|o| o.truncation)
        .fold(f64::INFINITY, f64::min);
    let reference = data.iter().map(|o| o.truncation).fold(0.0, f64::max);
    let n = data.len();
    let mut models: Vec<FittedModel> = families::all(location)
        .iter()
        .filter_map(|fam| fit_one(fam.as_ref(), data, reference, deductibles, seed))
        .collect();
    rank_by_aic(&mut models);
    let model_risk = model_risk(&models, deductibles);
    let above = data.iter().filter(|o| o.amount > reference).count()
        + data
            .iter()
            .filter(|o| o.amount == reference && o.censored)
            .count();
    let component_family = component::choose(&models).map(|m| m.family.clone());
    let body = prep
        .full_listing
        .then(|| body::fit_body(&prepared.body, above))
        .flatten();
    FitReport {
        threshold: prep.threshold,
        reference_threshold: reference,
        n,
        censored: data.iter().filter(|o| o.censored).count(),
        below_threshold: prepared.below_threshold,
        years: prepared.years,
        claimants_per_year: above as f64 / prepared.years as f64,
        preparation: PreparationReport {
            trend: prep.trend,
            to_year: prep.to_year,
            months: prep.months,
            open_factor: prep.open_factor,
            limit: prep.limit,
        },
        models,
        model_risk,
        credibility: Vec::new(),
        component_family,
        body,
        manual: None,
        definitions: definitions(),
    }
}

fn fit_one(
    fam: &dyn Family,
    data: &[Observation],
    reference: f64,
    deductibles: &[f64],
    seed: u64,
) -> Option<FittedModel> {
    let raw = maximize(fam, data)?;
    let p = &raw.params;
    let names = fam.parameter_names();
    let bound = fam.at_bound(p);
    // Observed information; the Pareto's is n_U / alpha^2 in closed form.
    // The covariance is listed in the order of `parameters` (sorted names).
    let nu = data.iter().filter(|o| !o.censored).count() as f64;
    let cov = if bound.is_some() {
        None
    } else if fam.name() == "pareto" {
        Some(vec![vec![p[0] * p[0] / nu]])
    } else {
        observed_covariance(fam, p, data)
    };
    let se: Vec<Option<f64>> = (0..p.len())
        .map(|i| cov.as_ref().map(|c| c[i][i].sqrt()))
        .collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| names[i]);
    let covariance = cov.map(|c| {
        order
            .iter()
            .map(|&i| order.iter().map(|&j| c[i][j]).collect())
            .collect()
    });
    let mut cdf: Vec<f64> = data
        .iter()
        .filter(|o| !o.censored)
        .map(|o| conditional_cdf(fam, p, o.amount, o.truncation))
        .collect();
    cdf.sort_by(f64::total_cmp);
    let k = p.len();
    let ll = raw.log_likelihood;
    let expected_excess = deductibles
        .iter()
        .map(|&d| {
            let v = (d >= reference)
                .then(|| fam.expected_excess(p, d, reference))
                .flatten()
                .filter(|v| v.is_finite());
            (deductible_key(d), v)
        })
        .collect();
    let infinite_mean = match fam.name() {
        "pareto" => p[0] <= 1.0,
        "gpd" => p[0] >= 1.0,
        _ => false,
    };
    let note = match (bound, infinite_mean) {
        (Some(b), _) => Some(b),
        (None, true) => Some(
            "the fitted tail has an infinite mean: the excess layer's expected cost is unbounded"
                .into(),
        ),
        _ => None,
    };
    let se_bootstrap =
        (fam.name() == "gpd").then(|| by_name(names, gpd_bootstrap(fam, p, data.len(), seed)));
    Some(FittedModel {
        family: fam.name().into(),
        parameters: by_name(names, p.iter().copied()),
        se: by_name(names, se),
        covariance,
        se_bootstrap,
        log_likelihood: ll,
        aic: gof::aic(k, ll),
        bic: gof::bic(k, data.len(), ll),
        ks: gof::ks(&cdf),
        ad: gof::ad(&cdf),
        delta_aic: 0.0,
        acceptable: false,
        expected_excess,
        note,
    })
}

/// Parametric bootstrap of the GPD: `GPD_BOOTSTRAP` samples of `n` excesses
/// drawn by inversion from the fit (above its location, uncensored), each
/// refitted; the standard deviation of the refitted parameters.
fn gpd_bootstrap(fam: &dyn Family, p: &[f64], n: usize, seed: u64) -> Vec<Option<f64>> {
    let gpd = families::gpd::Gpd {
        location: match fam.name() {
            "gpd" => 0.0,
            _ => return vec![None; p.len()],
        },
    };
    let (xi, sigma) = (p[0], p[1]);
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x6770_645f_626f_6f74);
    let mut draws: Vec<Vec<f64>> = Vec::new();
    for _ in 0..GPD_BOOTSTRAP {
        let sample: Vec<Observation> = (0..n)
            .map(|_| {
                let u = crate::dist::uniform_open0(&mut rng);
                let y = if xi.abs() < 1e-12 {
                    -sigma * u.ln()
                } else {
                    sigma / xi * (u.powf(-xi) - 1.0)
                };
                Observation {
                    amount: y.max(1e-9),
                    censored: false,
                    truncation: 0.0,
                }
            })
            .collect();
        if let Some(f) = maximize(&gpd, &sample) {
            draws.push(f.params);
        }
    }
    let m = draws.len() as f64;
    if m < 10.0 {
        return vec![None; p.len()];
    }
    (0..p.len())
        .map(|i| {
            let mean = draws.iter().map(|d| d[i]).sum::<f64>() / m;
            let var = draws.iter().map(|d| (d[i] - mean).powi(2)).sum::<f64>() / (m - 1.0);
            Some(var.sqrt())
        })
        .collect()
}

fn model_risk(models: &[FittedModel], deductibles: &[f64]) -> ModelRisk {
    let acceptable: Vec<&FittedModel> = models.iter().filter(|m| m.acceptable).collect();
    let mut by_deductible = BTreeMap::new();
    let mut worst: Option<(String, f64)> = None;
    for &d in deductibles {
        let key = deductible_key(d);
        let values: Vec<(&str, f64)> = acceptable
            .iter()
            .filter_map(|m| {
                m.expected_excess
                    .get(&key)
                    .copied()
                    .flatten()
                    .map(|v| (m.family.as_str(), v))
            })
            .collect();
        if values.len() < 2 {
            continue;
        }
        let lo = values
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .copied()
            .unwrap_or(("", 0.0));
        let hi = values
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .copied()
            .unwrap_or(("", 0.0));
        let ratio = if lo.1 > 0.0 {
            hi.1 / lo.1
        } else {
            f64::INFINITY
        };
        if ratio.is_finite() && worst.as_ref().is_none_or(|w| ratio > w.1) {
            worst = Some((key.clone(), ratio));
        }
        by_deductible.insert(
            key,
            ExcessRange {
                min: lo.1,
                max: hi.1,
                min_family: lo.0.into(),
                max_family: hi.0.into(),
                ratio,
            },
        );
    }
    let names: Vec<String> = acceptable.iter().map(|m| m.family.clone()).collect();
    let statement = match worst {
        Some((d, r)) => format!(
            "{} fit(s) are statistically indistinguishable (AIC within {ACCEPTABLE_DELTA_AIC} of the best): {}. Their expected excess per claimant differs by up to a factor {r:.2} (at a ${d} deductible): the specific layer's price depends on a choice the data cannot make.",
            names.len(),
            names.join(", ")
        ),
        None => format!(
            "only {} is acceptable (AIC within {ACCEPTABLE_DELTA_AIC} of the best) with a finite excess: no model-risk range to report",
            names.join(", ")
        ),
    };
    ModelRisk {
        acceptable: names,
        by_deductible,
        statement,
    }
}

fn definitions() -> BTreeMap<String, String> {
    [
        ("log_likelihood", "sum over uncensored claimants of ln f(x_i), plus over censored ones ln S(c_j), minus over all ln S(u_i): left-truncated at each claimant's trended threshold u_i, right-censored at caps c_j"),
        ("aic", "2k - 2 log_likelihood, k parameters"),
        ("bic", "k ln(n) - 2 log_likelihood"),
        ("ks", "max_i max(i/n - F_i, F_i - (i-1)/n) over the sorted conditional CDF values F_i = 1 - S(x_i)/S(u_i) of the uncensored claimants"),
        ("ad", "-n - (1/n) sum_i (2i-1) [ln F_i + ln(1 - F_{n+1-i})], same F_i"),
        ("se", "square roots of the diagonal of the inverse observed information (numerical Hessian of the log-likelihood at the maximum); Pareto: alpha / sqrt(n_uncensored)"),
        ("expected_excess", "E[(X - d)+ | X > u*] per claimant above the reference threshold u*; the layer's expected annual cost is claimants_per_year times it"),
        ("acceptable", "AIC within 2 of the best fit"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worked() -> Vec<Observation> {
        [162, 171, 185, 198, 214, 236, 259, 288, 331, 402, 517, 846]
            .iter()
            .map(|&k| Observation {
                amount: f64::from(k) * 1000.0,
                censored: false,
                truncation: 150_000.0,
            })
            .collect()
    }

    #[test]
    fn worked_pareto_case() {
        let fam = families::pareto::Pareto {
            location: 150_000.0,
        };
        let f = maximize(&fam, &worked()).unwrap();
        assert!((f.params[0] - 1.611390).abs() < 5e-7, "{}", f.params[0]);
        // The closed form is the maximum: the simplex agrees.
        let q = |q: &[f64]| -log_likelihood(&fam, &fam.natural(q), &worked());
        let m = optim::minimize(&q, &[0.0], &[0.1]);
        assert!((m.x[0].exp() / f.params[0] - 1.0).abs() < 1e-8);
    }

    #[test]
    fn grimshaw_start_is_the_gpd_maximum() {
        let ys: Vec<f64> = worked().iter().map(|o| o.amount - 150_000.0).collect();
        let g = families::gpd::grimshaw(&ys).unwrap();
        let fam = families::gpd::Gpd {
            location: 150_000.0,
        };
        let f = maximize(&fam, &worked()).unwrap();
        assert!((g[0] - f.params[0]).abs() < 1e-6, "{g:?} {:?}", f.params);
        assert!((g[1] / f.params[1] - 1.0).abs() < 1e-6);
    }
}
