//! Validation: raw config -> immutable [`Study`]. Every error names its JSON
//! path and what is allowed.

use super::census::{read_census, CensusRow};
use super::files::{read_limited, utf8};
use super::limits::{self, text_problem, MAX_DESCRIPTION_CHARS, MAX_LABEL_CHARS, MAX_NAME_CHARS};
use super::raw::*;
use crate::dist::{Frequency, ParamError, Severity, TailSpec};
use crate::error::snippet;
use crate::error::{ConfigError, ErrorKind};
use crate::model::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// Default number of trials when the config gives none.
pub const DEFAULT_TRIALS: u64 = 10_000;
/// Default master seed when the config gives none.
pub const DEFAULT_SEED: u64 = 1;
/// Most trials a config may ask for.
pub const MAX_TRIALS: u64 = 100_000_000;
/// Most members a population may hold.
pub const MAX_MEMBERS: u64 = 10_000_000;
/// Largest empirical severity file read (bytes).
pub const MAX_DATA_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Largest dollar amount a config may give (deductibles, attachments,
/// maxima, budgets): ten trillion dollars.
pub const MAX_DOLLARS: f64 = 1e13;
/// Largest mean claim amount of a severity, in dollars. With every
/// parameter bounded this way, the largest claim a sampler can draw, summed
/// over claims, members and trials, and squared for a variance, stays far
/// below the largest finite float.
pub const MAX_MEAN_CLAIM: f64 = 1e12;
/// Largest rate per employee per month (premiums, fees, monthly aggregate
/// factors), in dollars.
pub const MAX_RATE: f64 = 1e9;
/// Largest ratio of a negative binomial's variance to its mean: beyond it a
/// single member-year can draw tens of millions of claims.
pub const MAX_DISPERSION: f64 = 1e6;
/// Most claims a plan year of the whole population may expect: a trial
/// costs time in proportion to its claims.
pub const MAX_CLAIMS_PER_YEAR: f64 = 1e9;
/// Smallest target loss ratio.
pub const MIN_LOSS_RATIO: f64 = 0.01;
/// Tier of employees given as a plain count.
pub const COMPOSITE_TIER: &str = "composite";

pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub dir: &'a Path,
    /// `--confine`: data files must lie under `dir`.
    pub confine: bool,
    /// Warnings found while reading data files, added to the study's.
    pub warnings: RefCell<Vec<String>>,
}

impl Ctx<'_> {
    /// The data file `given` (at JSON path `path`), resolved against the
    /// config's folder. With `--confine` it must stay under that folder:
    /// no absolute path, no `..`, no link that leads out of it.
    fn data_path(&self, path: &str, given: &str) -> Result<PathBuf, ConfigError> {
        let full = self.dir.join(given);
        if !self.confine {
            return Ok(full);
        }
        let leaves = Path::new(given)
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if leaves {
            return Err(self.err(
                path,
                format!(
                    "`{}` leaves the config's folder: with --confine, data files are given relative to it, without `..`",
                    snippet(given)
                ),
            ));
        }
        if let (Ok(root), Ok(real)) = (self.dir.canonicalize(), full.canonicalize()) {
            if !real.starts_with(&root) {
                return Err(self.err(
                    path,
                    format!(
                        "`{}` is a link that leads out of the config's folder, which --confine does not allow",
                        snippet(given)
                    ),
                ));
            }
        }
        Ok(full)
    }

    fn err(&self, path: impl Into<String>, msg: impl Into<String>) -> ConfigError {
        ConfigError::new(ErrorKind::Invalid, self.file, path, msg)
    }
    fn param(&self, path: &str, e: ParamError) -> ConfigError {
        self.err(format!("{path}.{}", e.field), e.message)
    }
}

/// `x` as a config writer would read it: plain digits, or an exponent
/// (`1e300`) for very large and very small magnitudes.
fn num(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && a.is_finite() && !(1e-6..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn positive(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(ctx.err(
            path,
            format!("must be a finite number greater than 0, got {}", num(x)),
        ))
    }
}

fn non_negative(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(ctx.err(
            path,
            format!("must be a finite number at least 0, got {}", num(x)),
        ))
    }
}

/// A rate per employee per month: at least 0, at most [`MAX_RATE`].
fn rate_value(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    non_negative(ctx, path, x)?;
    if x > MAX_RATE {
        return Err(ctx.err(
            path,
            format!(
                "must be at most 1,000,000,000 dollars per employee per month, got {}",
                num(x)
            ),
        ));
    }
    Ok(x)
}

fn dollar_amount(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    positive(ctx, path, x)?;
    at_most_max_dollars(ctx, path, x)
}

fn at_most_max_dollars(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    if x > MAX_DOLLARS {
        return Err(ctx.err(
            path,
            format!("must be at most 10,000,000,000,000 dollars, got {}", num(x)),
        ));
    }
    Ok(x)
}

fn fraction(ctx: &Ctx, path: &str, x: f64, what: &str) -> Result<f64, ConfigError> {
    if x.is_finite() && x > 0.0 && x <= 1.0 {
        Ok(x)
    } else {
        Err(ctx.err(
            path,
            format!(
                "{what} must be greater than 0 and at most 1, got {}",
                num(x)
            ),
        ))
    }
}

/// A target loss ratio: a priced premium divides the expected
/// reimbursement by it, so it is kept well away from 0 (a premium at most
/// 100 times the expected reimbursement).
fn check_loss_ratio(ctx: &Ctx, path: &str, x: f64) -> Result<f64, ConfigError> {
    if x.is_finite() && (MIN_LOSS_RATIO..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(ctx.err(
            path,
            format!(
                "a loss ratio must be between 0.01 and 1 (0.85 for 85%), got {}",
                num(x)
            ),
        ))
    }
}

/// Validates a parsed config. `file` is used in messages; relative paths
/// (census, empirical files) are resolved against `dir`.
pub(crate) fn validate(raw: RawConfig, ctx: &Ctx) -> Result<Study, ConfigError> {
    let name = raw.name.trim().to_string();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || name.starts_with('.')
    {
        return Err(ctx.err(
            "name",
            format!("`{}` is not allowed: use letters, digits, '-', '_' and '.' (it names the output folder)", snippet(&raw.name)),
        ));
    }
    if name.len() > MAX_NAME_CHARS {
        return Err(ctx.err(
            "name",
            format!(
                "has {} characters; at most {MAX_NAME_CHARS} are allowed (it names the output folder, and file names are limited to 255 bytes)",
                name.len()
            ),
        ));
    }
    if let Some(d) = &raw.description {
        if let Some(problem) = text_problem(d, MAX_DESCRIPTION_CHARS, true) {
            return Err(ctx.err("description", problem));
        }
    }
    let trials = raw.trials.unwrap_or(DEFAULT_TRIALS);
    if trials == 0 || trials > MAX_TRIALS {
        return Err(ctx.err(
            "trials",
            format!("must be between 1 and {MAX_TRIALS}, got {trials}"),
        ));
    }
    let trend = match raw.trend {
        None => Trend::NONE,
        Some(t) => {
            if !(t.annual.is_finite() && t.annual > -0.5 && t.annual <= 1.0) {
                return Err(ctx.err(
                    "trend.annual",
                    format!(
                        "must be a rate between -0.5 and 1 (0.07 for 7%), got {}",
                        t.annual
                    ),
                ));
            }
            if !(t.months.is_finite() && (0.0..=120.0).contains(&t.months)) {
                return Err(ctx.err(
                    "trend.months",
                    format!("must be between 0 and 120, got {}", t.months),
                ));
            }
            Trend {
                annual: t.annual,
                months: t.months,
            }
        }
    };
    let mut warnings = Vec::new();
    let population = population(&raw.population, ctx, trend, &mut warnings)?;
    let contract = contract(&raw.stop_loss, ctx, &population)?;
    let admin = match raw.fees.and_then(|f| f.admin_pepm) {
        None => Rate::Composite(0.0),
        Some(r) => rate(ctx, "fees.admin_pepm", &r, &population.enrollment)?,
    };
    let budget = raw
        .budget
        .map(|b| dollar_amount(ctx, "budget", b))
        .transpose()?;
    let fully_insured_premium = raw
        .fully_insured_premium
        .map(|b| dollar_amount(ctx, "fully_insured_premium", b))
        .transpose()?;
    let decision = decision(raw.decision.as_ref(), ctx, budget)?;
    warnings.extend(ctx.warnings.borrow_mut().drain(..));
    let study = Study {
        name,
        seed: raw.seed.unwrap_or(DEFAULT_SEED),
        trials,
        trend,
        population,
        contract,
        fees: Fees { admin_pepm: admin },
        budget,
        fully_insured_premium,
        description: raw.description,
        decision,
        warnings,
    };
    limits::check_workload(&study).map_err(|e| ctx.err(e.field, e.message))?;
    Ok(study)
}

/// The `decision` block: the risk appetite of the recommendation.
fn decision(
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
                        .map_err(|e| ctx.err(format!("decision.{field}"), e))
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

fn rate(
    ctx: &Ctx,
    path: &str,
    raw: &RawRate,
    enrollment: &Enrollment,
) -> Result<Rate, ConfigError> {
    let r = match raw {
        RawRate::Composite(x) => Rate::Composite(rate_value(ctx, path, *x)?),
        RawRate::ByTier(m) => {
            if m.is_empty() {
                return Err(ctx.err(path, "gives no tiers: use a number or an object like {\"single\": 80, \"family\": 200}"));
            }
            for (tier, v) in m {
                rate_value(ctx, &format!("{path}.{tier}"), *v)?;
            }
            Rate::ByTier(m.clone())
        }
    };
    let missing = r.missing_tiers(enrollment);
    if !missing.is_empty() {
        let hint = if missing.contains(&COMPOSITE_TIER) {
            " (employees given as a plain count are in the `composite` tier: give classes' employees by tier, or a tier, to use tiered rates)"
        } else {
            ""
        };
        return Err(ctx.err(
            path,
            format!(
                "has no rate for tier(s) {} that the population enrolls{hint}",
                missing.join(", ")
            ),
        ));
    }
    Ok(r)
}

fn population(
    raw: &RawPopulation,
    ctx: &Ctx,
    trend: Trend,
    warnings: &mut Vec<String>,
) -> Result<Population, ConfigError> {
    if raw.classes.is_empty() {
        return Err(ctx.err("population.classes", "must define at least one class"));
    }
    let mut names = HashSet::new();
    let mut classes = Vec::new();
    let mut heavy = Vec::new();
    for (i, c) in raw.classes.iter().enumerate() {
        let path = format!("population.classes[{i}]");
        if let Some(problem) = text_problem(&c.name, MAX_LABEL_CHARS, false) {
            return Err(ctx.err(format!("{path}.name"), problem));
        }
        if !names.insert(c.name.clone()) {
            return Err(ctx.err(
                format!("{path}.name"),
                format!("class `{}` is defined twice", c.name),
            ));
        }
        if c.claims.is_empty() {
            return Err(ctx.err(
                format!("{path}.claims"),
                "must list at least one claim component",
            ));
        }
        let mut comp_names = HashSet::new();
        let mut components = Vec::new();
        for (j, rc) in c.claims.iter().enumerate() {
            let cpath = format!("{path}.claims[{j}]");
            if !comp_names.insert(rc.name.clone()) {
                return Err(ctx.err(
                    format!("{cpath}.name"),
                    format!("component `{}` is defined twice in this class", rc.name),
                ));
            }
            let comp = component(rc, ctx, &cpath)?;
            if let Some(alpha) = comp.severity.tail_index().filter(|a| *a <= 2.0) {
                heavy.push(format!("{} / {} (alpha {alpha})", c.name, rc.name));
            }
            components.push(comp);
        }
        classes.push(ClassInfo {
            name: c.name.clone(),
            members: 0,
            employees: 0.0,
            components,
        });
    }
    if !heavy.is_empty() {
        warnings.push(format!(
            "Pareto tail index <= 2 (infinite variance) in {}: means of excess layers converge slowly and their standard errors are themselves noisy; run more trials",
            heavy.join(", ")
        ));
    }
    let scale = trend.factor();
    let population = match &raw.census {
        None => population_from_classes(raw, ctx, classes, scale)?,
        Some(census) => population_from_census(raw, ctx, classes, scale, census)?,
    };
    let claims: f64 = population
        .members
        .iter()
        .map(|m| {
            population.profiles[m.profile as usize]
                .components
                .iter()
                .map(|c| c.frequency.mean())
                .sum::<f64>()
        })
        .sum();
    if claims > MAX_CLAIMS_PER_YEAR {
        return Err(ctx.err(
            "population.classes",
            format!(
                "the population expects {claims:.3e} claims a plan year; at most 1e9 are allowed (every trial draws each one)"
            ),
        ));
    }
    Ok(population)
}

fn component(rc: &RawComponent, ctx: &Ctx, path: &str) -> Result<ClaimComponent, ConfigError> {
    if let Some(problem) = text_problem(&rc.name, MAX_LABEL_CHARS, false) {
        return Err(ctx.err(format!("{path}.name"), problem));
    }
    let fpath = format!("{path}.frequency");
    let frequency = match &rc.frequency {
        RawFrequency::Poisson { mean } => {
            Frequency::poisson(*mean).map_err(|e| ctx.param(&format!("{fpath}.poisson"), e))?
        }
        RawFrequency::NegativeBinomial { mean, variance } => {
            let path = format!("{fpath}.negative_binomial");
            let f =
                Frequency::negative_binomial(*mean, *variance).map_err(|e| ctx.param(&path, e))?;
            if *variance > MAX_DISPERSION * mean {
                return Err(ctx.err(
                    format!("{path}.variance"),
                    format!(
                        "must be at most 1,000,000 times the mean ({mean}), got {}",
                        num(*variance)
                    ),
                ));
            }
            f
        }
        RawFrequency::Bernoulli { p } => {
            Frequency::bernoulli(*p).map_err(|e| ctx.param(&format!("{fpath}.bernoulli"), e))?
        }
    };
    let spath = format!("{path}.severity");
    let severity = severity(&rc.severity, ctx, &spath)?;
    let mean = severity.mean();
    if !(mean.is_finite() && mean <= MAX_MEAN_CLAIM) {
        return Err(ctx.err(
            format!("{spath}.{}", severity_name(&rc.severity)),
            format!(
                "gives a mean claim of {} dollars; at most 1,000,000,000,000 is allowed",
                num(mean)
            ),
        ));
    }
    Ok(ClaimComponent {
        name: rc.name.clone(),
        frequency,
        severity,
        specific: rc.specific.unwrap_or(true),
        aggregate: rc.aggregate.unwrap_or(true),
    })
}

/// The config key of a severity distribution.
fn severity_name(raw: &RawSeverity) -> &'static str {
    match raw {
        RawSeverity::Lognormal(_) => "lognormal",
        RawSeverity::Gamma(_) => "gamma",
        RawSeverity::Exponential { .. } => "exponential",
        RawSeverity::Weibull { .. } => "weibull",
        RawSeverity::Pareto { .. } => "pareto",
        RawSeverity::Spliced(_) => "spliced",
        RawSeverity::Empirical(_) => "empirical",
    }
}

fn two_way(
    ctx: &Ctx,
    path: &str,
    raw: &RawTwoWay,
    natural: (&str, &str),
) -> Result<(bool, f64, f64), ConfigError> {
    let (a, b) = match natural.0 {
        "mu" => (raw.mu, raw.sigma),
        _ => (raw.shape, raw.scale),
    };
    let other_family = match natural.0 {
        "mu" => raw.shape.is_some() || raw.scale.is_some(),
        _ => raw.mu.is_some() || raw.sigma.is_some(),
    };
    let allowed = format!(
        "give either {} and {}, or mean and cv",
        natural.0, natural.1
    );
    if other_family {
        return Err(ctx.err(
            path,
            format!("has parameters of another distribution: {allowed}"),
        ));
    }
    match (a, b, raw.mean, raw.cv) {
        (Some(a), Some(b), None, None) => Ok((true, a, b)),
        (None, None, Some(m), Some(cv)) => Ok((false, m, cv)),
        _ => Err(ctx.err(path, allowed)),
    }
}

fn severity(raw: &RawSeverity, ctx: &Ctx, path: &str) -> Result<Severity, ConfigError> {
    let p = |name: &str| format!("{path}.{name}");
    match raw {
        RawSeverity::Lognormal(t) => {
            let path = p("lognormal");
            let (natural, a, b) = two_way(ctx, &path, t, ("mu", "sigma"))?;
            let r = if natural {
                Severity::lognormal(a, b)
            } else {
                Severity::lognormal_mean_cv(a, b)
            };
            r.map_err(|e| ctx.param(&path, e))
        }
        RawSeverity::Gamma(t) => {
            let path = p("gamma");
            let (natural, a, b) = two_way(ctx, &path, t, ("shape", "scale"))?;
            let r = if natural {
                Severity::gamma(a, b)
            } else {
                Severity::gamma_mean_cv(a, b)
            };
            r.map_err(|e| ctx.param(&path, e))
        }
        RawSeverity::Exponential { mean } => {
            Severity::exponential(*mean).map_err(|e| ctx.param(&p("exponential"), e))
        }
        RawSeverity::Weibull { shape, scale } => {
            Severity::weibull(*shape, *scale).map_err(|e| ctx.param(&p("weibull"), e))
        }
        RawSeverity::Pareto { alpha, theta } => {
            Severity::lomax(*alpha, *theta).map_err(|e| ctx.param(&p("pareto"), e))
        }
        RawSeverity::Spliced(s) => {
            let path = p("spliced");
            let body = severity(&s.body, ctx, &format!("{path}.body"))?;
            let threshold = positive(ctx, &format!("{path}.threshold"), s.threshold)?;
            let tail = TailSpec {
                alpha: s.tail_alpha,
                theta: s.tail_theta.unwrap_or(threshold),
            };
            Severity::spliced(body, threshold, s.tail_probability, tail)
                .map_err(|e| ctx.param(&path, e))
        }
        RawSeverity::Empirical(e) => {
            let path = p("empirical");
            let values = match (&e.values, &e.file) {
                (Some(v), None) => v.clone(),
                (None, Some(f)) => {
                    let (values, header) = read_amounts(&ctx.data_path(&format!("{path}.file"), f)?)?;
                    if let Some(h) = header {
                        ctx.warnings.borrow_mut().push(format!(
                            "{}: line 1 (`{}`) is not a number and was skipped as a header",
                            f,
                            snippet(&h)
                        ));
                    }
                    values
                }
                _ => return Err(ctx.err(&path, "give either values (a list of amounts) or file (a path to one amount per line)")),
            };
            Severity::empirical(values).map_err(|err| ctx.param(&path, err))
        }
    }
}

/// Whether a line reads as an attempt at a number (`5,000,000`, `$5000000`,
/// `-5`, `1e400`, `NaN`): such a first line is an error, not a header.
fn number_like(t: &str) -> bool {
    if t.parse::<f64>().is_ok() {
        return true;
    }
    let u = t.trim_start_matches(|c: char| {
        matches!(c, '$' | '+' | '-' | '(' | '"' | '\'' | '€' | '£' | '¥') || c.is_whitespace()
    });
    let mut chars = u.chars();
    match chars.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('.') => chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Reads one amount per line; blank lines and `#` comments are skipped and
/// the first line may be a header, if it does not read as a number: the
/// amounts, and the header when one was skipped.
fn read_amounts(path: &Path) -> Result<(Vec<f64>, Option<String>), ConfigError> {
    let file = path.display().to_string();
    let bytes = read_limited(path, MAX_DATA_FILE_BYTES, "data files")?;
    let text = utf8(bytes, &file, ErrorKind::DataFile)?;
    let mut out = Vec::new();
    let mut header = None;
    for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let t = line.trim().trim_end_matches(',');
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => out.push(v),
            _ if i == 0 && !number_like(t) => header = Some(t.to_string()),
            _ => {
                return Err(ConfigError::new(
                    ErrorKind::DataFile,
                    &file,
                    format!("line {}", i + 1),
                    format!("`{}` is not an amount: give one finite number at least 0 per line, in plain digits (no thousands separators or currency signs)", snippet(t)),
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(ConfigError::new(
            ErrorKind::DataFile,
            &file,
            "",
            "lists no amounts",
        ));
    }
    Ok((out, header))
}

/// Frequency scaled to `months` of exposure, sharing work across members.
struct ProfileBuilder<'a> {
    classes: &'a [ClassInfo],
    index: HashMap<(usize, u64), u32>,
    profiles: Vec<Profile>,
}

impl<'a> ProfileBuilder<'a> {
    fn new(classes: &'a [ClassInfo]) -> Self {
        ProfileBuilder {
            classes,
            index: HashMap::new(),
            profiles: Vec::new(),
        }
    }
    fn get(&mut self, class: usize, months: f64) -> u32 {
        let key = (class, months.to_bits());
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let exposure = months / 12.0;
        let components = self.classes[class]
            .components
            .iter()
            .map(|c| ClaimComponent {
                frequency: c.frequency.with_exposure(exposure),
                ..c.clone()
            })
            .collect();
        let i = self.profiles.len() as u32;
        self.profiles.push(Profile {
            class,
            months,
            components,
        });
        self.index.insert(key, i);
        i
    }
}

fn population_from_classes(
    raw: &RawPopulation,
    ctx: &Ctx,
    mut classes: Vec<ClassInfo>,
    scale: f64,
) -> Result<Population, ConfigError> {
    let mut enrollment = Enrollment::default();
    let mut counts = Vec::new();
    let mut total_members = 0u64;
    for (i, c) in raw.classes.iter().enumerate() {
        let path = format!("population.classes[{i}]");
        let employees = c.employees.as_ref().ok_or_else(|| {
            ctx.err(
                format!("{path}.employees"),
                "is required without a census: a number, or an object of counts by tier",
            )
        })?;
        let count = |p: String, x: f64| -> Result<f64, ConfigError> {
            if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= MAX_MEMBERS as f64 {
                Ok(x)
            } else {
                Err(ctx.err(
                    p,
                    format!("must be a whole number between 0 and {MAX_MEMBERS}, got {x}"),
                ))
            }
        };
        let total_employees = match employees {
            RawRate::Composite(n) => {
                let n = count(format!("{path}.employees"), *n)?;
                enrollment.add(c.tier.as_deref().unwrap_or(COMPOSITE_TIER), n, 12.0);
                n
            }
            RawRate::ByTier(m) => {
                if c.tier.is_some() {
                    return Err(ctx.err(
                        format!("{path}.tier"),
                        "is not allowed when employees are given by tier",
                    ));
                }
                let mut sum = 0.0;
                for (tier, n) in m {
                    let n = count(format!("{path}.employees.{tier}"), *n)?;
                    enrollment.add(tier, n, 12.0);
                    sum += n;
                }
                sum
            }
        };
        let members = count(
            format!("{path}.members"),
            c.members.unwrap_or(total_employees),
        )? as u64;
        total_members += members;
        classes[i].members = members;
        classes[i].employees = total_employees;
        counts.push(members);
    }
    if total_members == 0 {
        return Err(ctx.err(
            "population.classes",
            "the classes hold no members: give members (or employees) greater than 0",
        ));
    }
    if total_members > MAX_MEMBERS {
        return Err(ctx.err(
            "population.classes",
            format!("the classes hold {total_members} members; at most {MAX_MEMBERS} are allowed"),
        ));
    }
    let mut builder = ProfileBuilder::new(&classes);
    let mut members = Vec::with_capacity(total_members as usize);
    for (i, &n) in counts.iter().enumerate() {
        let profile = builder.get(i, 12.0);
        members.extend((0..n).map(|_| Member {
            profile,
            severity_scale: scale,
        }));
    }
    let profiles = builder.profiles;
    Ok(Population {
        classes,
        profiles,
        members,
        member_ids: Vec::new(),
        enrollment,
    })
}

fn population_from_census(
    raw: &RawPopulation,
    ctx: &Ctx,
    mut classes: Vec<ClassInfo>,
    scale: f64,
    census: &str,
) -> Result<Population, ConfigError> {
    for (i, c) in raw.classes.iter().enumerate() {
        let path = format!("population.classes[{i}]");
        if c.employees.is_some() {
            return Err(ctx.err(
                format!("{path}.employees"),
                "is not allowed with a census: the census gives the counts",
            ));
        }
        if c.members.is_some() {
            return Err(ctx.err(
                format!("{path}.members"),
                "is not allowed with a census: the census gives the counts",
            ));
        }
    }
    let names: Vec<String> = classes.iter().map(|c| c.name.clone()).collect();
    let census_path = ctx.data_path("population.census", census)?;
    let rows = read_census(&census_path, &names)?;
    let census_file = census_path.display().to_string();
    if rows.len() as u64 > MAX_MEMBERS {
        return Err(ConfigError::new(
            ErrorKind::Census,
            census_file,
            "",
            format!(
                "lists {} members; at most {MAX_MEMBERS} are allowed",
                rows.len()
            ),
        ));
    }
    // Employees: months = the longest exposure of their members; tier from
    // the census (consistent across the employee's rows) or the class.
    struct Employee<'r> {
        months: f64,
        tier: String,
        tier_row: &'r CensusRow,
    }
    let mut employees: BTreeMap<&str, Employee> = BTreeMap::new();
    for row in &rows {
        let tier = row
            .tier
            .clone()
            .or_else(|| raw.classes[row.class].tier.clone())
            .unwrap_or_else(|| COMPOSITE_TIER.to_string());
        match employees.get_mut(row.employee_id.as_str()) {
            None => {
                employees.insert(
                    &row.employee_id,
                    Employee {
                        months: row.months,
                        tier,
                        tier_row: row,
                    },
                );
            }
            Some(e) => {
                if row.tier.is_some() && e.tier != tier {
                    return Err(ConfigError::new(
                        ErrorKind::Census,
                        census_file,
                        format!("line {} (tier)", row.line),
                        format!(
                            "employee `{}` is in tier `{tier}` here but `{}` on line {}; an employee has one tier",
                            row.employee_id, e.tier, e.tier_row.line
                        ),
                    ));
                }
                e.months = e.months.max(row.months);
            }
        }
    }
    let mut enrollment = Enrollment::default();
    for e in employees.values() {
        enrollment.add(&e.tier, 1.0, e.months);
    }
    let mut builder = ProfileBuilder::new(&classes);
    let mut members = Vec::with_capacity(rows.len());
    let mut member_ids = Vec::with_capacity(rows.len());
    for row in &rows {
        let profile = builder.get(row.class, row.months);
        members.push(Member {
            profile,
            severity_scale: scale * row.risk_factor,
        });
        member_ids.push(row.member_id.clone());
    }
    let profiles = builder.profiles;
    let mut class_employees = vec![HashSet::new(); classes.len()];
    for row in &rows {
        classes[row.class].members += 1;
        class_employees[row.class].insert(row.employee_id.as_str());
    }
    for (c, e) in classes.iter_mut().zip(&class_employees) {
        c.employees = e.len() as f64;
    }
    Ok(Population {
        classes,
        profiles,
        members,
        member_ids,
        enrollment,
    })
}

/// "$50k", "$1.5M", "$250".
pub fn short_dollars(x: f64) -> String {
    if x >= 1e6 {
        format!("${}M", trim_number(x / 1e6))
    } else if x >= 1e3 {
        format!("${}k", trim_number(x / 1e3))
    } else {
        format!("${}", trim_number(x))
    }
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn premium(
    ctx: &Ctx,
    path: &str,
    quoted: &Option<RawRate>,
    loss_ratio: Option<f64>,
    default_loss_ratio: Option<f64>,
    enrollment: &Enrollment,
) -> Result<Premium, ConfigError> {
    match (quoted, loss_ratio) {
        (Some(_), Some(_)) => Err(ctx.err(
            format!("{path}.target_loss_ratio"),
            "give either premium_pepm (a quote) or target_loss_ratio (priced by the tool), not both",
        )),
        (Some(r), None) => Ok(Premium::Quoted(rate(ctx, &format!("{path}.premium_pepm"), r, enrollment)?)),
        (None, Some(lr)) => Ok(Premium::Priced {
            loss_ratio: check_loss_ratio(ctx, &format!("{path}.target_loss_ratio"), lr)?,
        }),
        (None, None) => match default_loss_ratio {
            Some(lr) => Ok(Premium::Priced { loss_ratio: lr }),
            None => Err(ctx.err(
                format!("{path}.premium_pepm"),
                "is required: give the quoted premium per employee per month, or a target_loss_ratio (here or in stop_loss) to have the tool price it",
            )),
        },
    }
}

fn contract(
    raw: &RawStopLoss,
    ctx: &Ctx,
    population: &Population,
) -> Result<Contract, ConfigError> {
    let enrollment = &population.enrollment;
    let default_lr = raw
        .target_loss_ratio
        .map(|lr| check_loss_ratio(ctx, "stop_loss.target_loss_ratio", lr))
        .transpose()?;
    let mut specific = Vec::new();
    let none_specific = SpecificOption {
        label: "no specific".into(),
        terms: SpecificTerms::NONE,
        premium: Premium::None,
    };
    let include_no_specific = raw.include_no_specific.unwrap_or(false);
    if include_no_specific && raw.candidates.is_none() {
        specific.push(none_specific.clone());
    }
    for (i, o) in raw.specific.iter().enumerate() {
        let path = format!("stop_loss.specific[{i}]");
        let d = dollar_amount(ctx, &format!("{path}.deductible"), o.deductible)?;
        let max = match o.max_reimbursement {
            None => f64::INFINITY,
            Some(m) => dollar_amount(ctx, &format!("{path}.max_reimbursement"), m)?,
        };
        let pct = match o.reimbursement_pct {
            None => 1.0,
            Some(p) => fraction(
                ctx,
                &format!("{path}.reimbursement_pct"),
                p,
                "a reimbursement percentage (1 for 100%)",
            )?,
        };
        let asd = match o.aggregating_deductible {
            None => 0.0,
            Some(a) => {
                let path = format!("{path}.aggregating_deductible");
                at_most_max_dollars(ctx, &path, non_negative(ctx, &path, a)?)?
            }
        };
        let premium = premium(
            ctx,
            &path,
            &o.premium_pepm,
            o.target_loss_ratio,
            default_lr,
            enrollment,
        )?;
        let label = o.label.clone().unwrap_or_else(|| {
            let mut l = format!("spec {}", short_dollars(d));
            if asd > 0.0 {
                l.push_str(&format!(" + ASD {}", short_dollars(asd)));
            }
            l
        });
        specific.push(SpecificOption {
            label,
            terms: SpecificTerms {
                deductible: d,
                max_reimbursement: max,
                reimbursement_pct: pct,
                aggregating_deductible: asd,
            },
            premium,
        });
    }
    let mut aggregate = Vec::new();
    for (i, o) in raw.aggregate.iter().enumerate() {
        let path = format!("stop_loss.aggregate[{i}]");
        let given = [
            o.attachment_factor.is_some(),
            o.attachment_amount.is_some(),
            o.attachment_monthly.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(ctx.err(
                &path,
                "give exactly one of attachment_factor, attachment_amount or attachment_monthly",
            ));
        }
        let (attachment, default_label) = if let Some(f) = o.attachment_factor {
            let f = positive(ctx, &format!("{path}.attachment_factor"), f)?;
            if f > 10.0 {
                return Err(ctx.err(
                    format!("{path}.attachment_factor"),
                    format!("must be at most 10 (1.25 for 125% of expected claims), got {f}"),
                ));
            }
            (
                Attachment::Factor(f),
                format!("agg {}%", trim_number(100.0 * f)),
            )
        } else if let Some(a) = o.attachment_amount {
            let a = dollar_amount(ctx, &format!("{path}.attachment_amount"), a)?;
            (Attachment::Amount(a), format!("agg {}", short_dollars(a)))
        } else {
            let r = rate(
                ctx,
                &format!("{path}.attachment_monthly"),
                o.attachment_monthly.as_ref().expect("checked"),
                enrollment,
            )?;
            (Attachment::Monthly(r), "agg monthly".to_string())
        };
        let min_attachment = match (o.min_attachment, o.min_attachment_pct) {
            (Some(_), Some(_)) => {
                return Err(ctx.err(
                    format!("{path}.min_attachment_pct"),
                    "give either min_attachment (dollars) or min_attachment_pct, not both",
                ))
            }
            (Some(m), None) => Some(MinAttachment::Amount(dollar_amount(
                ctx,
                &format!("{path}.min_attachment"),
                m,
            )?)),
            (None, Some(p)) => Some(MinAttachment::Fraction(fraction(
                ctx,
                &format!("{path}.min_attachment_pct"),
                p,
                "a fraction of the attachment (0.95 for 95%)",
            )?)),
            (None, None) => None,
        };
        let max_reimbursement = match o.max_reimbursement {
            None => f64::INFINITY,
            Some(m) => dollar_amount(ctx, &format!("{path}.max_reimbursement"), m)?,
        };
        let premium = premium(
            ctx,
            &path,
            &o.premium_pepm,
            o.target_loss_ratio,
            default_lr,
            enrollment,
        )?;
        aggregate.push(AggregateOption {
            label: o.label.clone().unwrap_or(default_label),
            attachment,
            min_attachment,
            max_reimbursement,
            premium,
        });
    }
    // The "no specific" option added by include_no_specific comes first
    // and is not an entry of stop_loss.specific.
    let listed = usize::from(include_no_specific && raw.candidates.is_none());
    check_labels(
        ctx,
        "stop_loss.specific",
        specific[listed..].iter().map(|o| o.label.as_str()),
    )?;
    check_labels(
        ctx,
        "stop_loss.aggregate",
        aggregate.iter().map(|o| o.label.as_str()),
    )?;

    let lasers = lasers(raw, ctx, population, &specific)?;
    let include_no_aggregate = raw.include_no_aggregate.unwrap_or(true);
    let candidates = match &raw.candidates {
        None => {
            if specific.is_empty() {
                return Err(ctx.err("stop_loss.specific", "lists no specific option: give at least one, or set include_no_specific to true"));
            }
            if aggregate.is_empty() && !include_no_aggregate {
                return Err(ctx.err("stop_loss.aggregate", "lists no aggregate option and include_no_aggregate is false: no candidate is left"));
            }
            let mut out = Vec::new();
            for s in 0..specific.len() {
                if include_no_aggregate {
                    out.push(Candidate {
                        specific: s,
                        aggregate: None,
                    });
                }
                out.extend((0..aggregate.len()).map(|a| Candidate {
                    specific: s,
                    aggregate: Some(a),
                }));
            }
            out
        }
        Some(list) => explicit_candidates(ctx, list, &mut specific, none_specific, &aggregate)?,
    };
    let mut contract = Contract {
        specific,
        aggregate,
        lasers,
        asd_counts_toward_aggregate: raw.asd_counts_toward_aggregate.unwrap_or(true),
        laser_gap_counts_toward_aggregate: raw.laser_gap_counts_toward_aggregate.unwrap_or(true),
        candidates,
        baseline: 0,
    };
    check_candidate_labels(ctx, raw, &contract, listed)?;
    if let Some(label) = &raw.baseline {
        contract.baseline = contract
            .candidate_index(label)
            .map_err(|msg| ctx.err("stop_loss.baseline", msg))?;
    }
    Ok(contract)
}

fn check_labels<'a>(
    ctx: &Ctx,
    path: &str,
    labels: impl Iterator<Item = &'a str>,
) -> Result<(), ConfigError> {
    let mut seen = HashMap::new();
    for (i, l) in labels.enumerate() {
        if let Some(problem) = text_problem(l, MAX_LABEL_CHARS, false) {
            return Err(ctx.err(format!("{path}[{i}].label"), problem));
        }
        if let Some(first) = seen.insert(l, i) {
            return Err(ctx.err(
                format!("{path}[{i}]"),
                format!("repeats the option labelled `{l}` (entry {first}): remove the duplicate, or give each a distinct label"),
            ));
        }
    }
    Ok(())
}

/// Candidate labels (`<specific> / <aggregate>`) must be unique once
/// composed: an aggregate labelled `no aggregate`, a specific labelled
/// `no specific`, or labels holding ` / ` can give two candidates one label,
/// and then the recommendation cannot say which it means. The error points
/// at the label of an option of the later candidate that the config gave.
fn check_candidate_labels(
    ctx: &Ctx,
    raw: &RawStopLoss,
    contract: &Contract,
    listed: usize,
) -> Result<(), ConfigError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, c) in contract.candidates.iter().enumerate() {
        let label = contract.candidate_label(c);
        let Some(&first) = seen.get(&label) else {
            seen.insert(label, k);
            continue;
        };
        let earlier = &contract.candidates[first];
        let aggregate_place = |a: Option<usize>| {
            a.filter(|&a| raw.aggregate[a].label.is_some())
                .map(|a| format!("stop_loss.aggregate[{a}].label"))
        };
        let specific_place = |s: usize| {
            s.checked_sub(listed)
                .filter(|&i| i < raw.specific.len() && raw.specific[i].label.is_some())
                .map(|i| format!("stop_loss.specific[{i}].label"))
        };
        let place = aggregate_place(c.aggregate)
            .or_else(|| aggregate_place(earlier.aggregate))
            .or_else(|| specific_place(c.specific))
            .or_else(|| specific_place(earlier.specific))
            .unwrap_or_else(|| "stop_loss".into());
        return Err(ctx.err(
            place,
            format!(
                "gives two candidates the label `{label}` (candidates {first} and {k}): candidate labels must be unique; `no specific` and `no aggregate` are reserved, and ` / ` separates the two parts"
            ),
        ));
    }
    Ok(())
}

fn explicit_candidates(
    ctx: &Ctx,
    list: &[RawCandidate],
    specific: &mut Vec<SpecificOption>,
    none_specific: SpecificOption,
    aggregate: &[AggregateOption],
) -> Result<Vec<Candidate>, ConfigError> {
    if list.is_empty() {
        return Err(ctx.err(
            "stop_loss.candidates",
            "is empty: list at least one candidate, or leave it out to use every combination",
        ));
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, c) in list.iter().enumerate() {
        let path = format!("stop_loss.candidates[{i}]");
        let s = match &c.specific {
            None => match specific.iter().position(|o| o.terms == SpecificTerms::NONE) {
                Some(s) => s,
                None => {
                    specific.push(none_specific.clone());
                    specific.len() - 1
                }
            },
            Some(label) => specific.iter().position(|o| &o.label == label).ok_or_else(|| {
                let labels: Vec<_> = specific.iter().map(|o| format!("`{}`", o.label)).collect();
                ctx.err(format!("{path}.specific"), format!("no specific option is labelled `{label}`; labels are {} (or null for no specific)", labels.join(", ")))
            })?,
        };
        let a = match &c.aggregate {
            None => None,
            Some(label) => Some(aggregate.iter().position(|o| &o.label == label).ok_or_else(|| {
                let labels: Vec<_> = aggregate.iter().map(|o| format!("`{}`", o.label)).collect();
                ctx.err(format!("{path}.aggregate"), format!("no aggregate option is labelled `{label}`; labels are {} (or null for no aggregate)", labels.join(", ")))
            })?),
        };
        if !seen.insert((s, a)) {
            return Err(ctx.err(&path, "repeats an earlier candidate"));
        }
        out.push(Candidate {
            specific: s,
            aggregate: a,
        });
    }
    Ok(out)
}

fn lasers(
    raw: &RawStopLoss,
    ctx: &Ctx,
    population: &Population,
    specific: &[SpecificOption],
) -> Result<Vec<(u32, Laser)>, ConfigError> {
    if raw.lasers.is_empty() {
        return Ok(Vec::new());
    }
    if population.member_ids.is_empty() {
        return Err(ctx.err(
            "stop_loss.lasers",
            "needs a census (population.census): lasers name members by member_id",
        ));
    }
    let index: HashMap<&str, u32> = population
        .member_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as u32))
        .collect();
    let smallest = specific
        .iter()
        .filter_map(|o| o.deductible())
        .fold(f64::INFINITY, f64::min);
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, l) in raw.lasers.iter().enumerate() {
        let path = format!("stop_loss.lasers[{i}]");
        let m = *index.get(l.member_id.as_str()).ok_or_else(|| {
            ctx.err(
                format!("{path}.member_id"),
                format!("member `{}` is not in the census", l.member_id),
            )
        })?;
        if !seen.insert(m) {
            return Err(ctx.err(
                format!("{path}.member_id"),
                format!("member `{}` is lasered twice", l.member_id),
            ));
        }
        let laser = match (l.deductible, l.excluded) {
            (Some(d), None | Some(false)) => {
                let d = dollar_amount(ctx, &format!("{path}.deductible"), d)?;
                if d <= smallest {
                    return Err(ctx.err(
                        format!("{path}.deductible"),
                        format!("{d} is not above the smallest specific deductible ({smallest}): a laser raises a member's deductible"),
                    ));
                }
                Laser::Deductible(d)
            }
            (None, Some(true)) => Laser::Excluded,
            _ => return Err(ctx.err(&path, "give either deductible (the member's own specific deductible) or \"excluded\": true")),
        };
        out.push((m, laser));
    }
    out.sort_by_key(|(m, _)| *m);
    Ok(out)
}
