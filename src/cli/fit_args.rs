//! Arguments of `stoploss fit` and `stoploss fit-lag`.

use clap::Args;
use std::path::PathBuf;

/// `stoploss fit`.
#[derive(Debug, Args)]
#[command(
    after_help = "Reads a large-claimant listing (CSV with claimant_id, amount and optional year, status, censored_at), trends and develops it, and fits the single-parameter Pareto, generalized Pareto, lognormal, gamma and Weibull by maximum likelihood with left truncation at the threshold and right censoring at caps.\n\
Writes DIR/fit.json (parameters, standard errors, log-likelihood, AIC, BIC, KS, AD, expected excess per deductible, model risk, credibility), DIR/fit.html and DIR/component.json (a claim component for a config: the chosen tail spliced onto a body).\n\
Example: stoploss fit configs/claimants-example.csv --threshold 150000 --out fit\n\
Exit status: 0 on success, 1 for a bad listing or output folder, 2 for bad flags."
)]
pub struct FitArgs {
    /// The claimant listing (CSV).
    #[arg(value_name = "CLAIMANTS.csv")]
    pub listing: PathBuf,
    /// The listing's threshold in dollars: it holds only claimants above it.
    #[arg(long, value_name = "DOLLARS", value_parser = positive)]
    pub threshold: f64,
    /// Folder for fit.json, fit.html and component.json (created if missing).
    #[arg(long, short, default_value = "fit", value_name = "DIR")]
    pub out: PathBuf,
    /// Annual trend applied to amounts, caps and the threshold.
    #[arg(long, value_name = "RATE", default_value_t = 0.0, value_parser = trend, allow_hyphen_values = true)]
    pub trend: f64,
    /// Projection year: each row is trended by (1 + trend)^(to_year - year) (needs the year column).
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1900..=2200), conflicts_with = "to_month")]
    pub to_year: Option<i32>,
    /// Projection month: each row is trended from its experience year's midpoint (1 July) to the first day of this month, (1 + trend)^(to - year - 1/2) (needs the year column); give the rating period's midpoint, e.g. 2026-07 for a 2026 calendar plan year.
    #[arg(long, value_name = "YYYY-MM", value_parser = year_month)]
    pub to_month: Option<(i32, u32)>,
    /// Further months of trend for every row (e.g. from the experience midpoint to the rating-period midpoint).
    #[arg(long, value_name = "MONTHS", default_value_t = 0.0, value_parser = months)]
    pub trend_months: f64,
    /// Development factor for open claims (status open).
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0, value_parser = positive)]
    pub open_factor: f64,
    /// A cap in projection dollars (a plan or specific maximum): trended amounts at or above it are censored there.
    #[arg(long, value_name = "DOLLARS", value_parser = positive)]
    pub limit: Option<f64>,
    /// Candidate deductibles for the expected excess, comma-separated (default: the usual specific deductibles from 50,000 to 1,000,000 at or above the threshold).
    #[arg(long, value_name = "D1,D2,...", value_delimiter = ',', value_parser = positive)]
    pub deductibles: Vec<f64>,
    /// Seed of the GPD's parametric bootstrap.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Name of the claim component in component.json.
    #[arg(long, value_name = "NAME", default_value = "medical")]
    pub name: String,
    /// The listing holds every claimant, not only those above --threshold: the rows below it fit the body (lognormal, gamma and Weibull, right-truncated at the threshold), their share gives the tail probability, and component.json splices the chosen tail onto the best-AIC body.
    #[arg(long, conflicts_with_all = ["body", "tail_probability"])]
    pub full_listing: bool,
    /// A manual-rate file (JSON: base PMPM, your age/sex table, area, plan, industry and trend factors, the rated members, the claim distribution at factor 1 and the scaling; see the README): fit.json's `manual` gives the manual rate, the experience, each layer's credibility and the blend per deductible.
    #[arg(long, value_name = "MANUAL.json")]
    pub manual: Option<PathBuf>,
    /// Body severity of component.json, in config spelling (default: the domain notes' lognormal mu 7.43, sigma 1.97).
    #[arg(long, value_name = "JSON")]
    pub body: Option<String>,
    /// Frequency of component.json, in config spelling (default {"bernoulli": {"p": 0.8}}).
    #[arg(long, value_name = "JSON")]
    pub frequency: Option<String>,
    /// Members covered in each experience year: gives the tail probability of component.json from the listing's claimant rate, and the exposure for Buhlmann credibility.
    #[arg(long, value_name = "N", value_parser = positive)]
    pub members: Option<f64>,
    /// P(claim > reference threshold) per claim for component.json (default: from --members, else 1.25%).
    #[arg(long, value_name = "P", value_parser = probability)]
    pub tail_probability: Option<f64>,
    /// Limited-fluctuation standard: probability...
    #[arg(long, value_name = "P", default_value_t = 0.9, value_parser = probability)]
    pub credibility_p: f64,
    /// ... of being within this fraction of expected.
    #[arg(long, value_name = "K", default_value_t = 0.05, value_parser = probability)]
    pub credibility_k: f64,
    /// Buhlmann K in member-years (EPV / VHM; for a Poisson-gamma prior its rate parameter). Needs --members.
    #[arg(long, value_name = "K", value_parser = positive, requires = "members")]
    pub buhlmann_k: Option<f64>,
}

/// `stoploss fit-lag`.
#[derive(Debug, Args)]
#[command(
    after_help = "Reads a paid triangle (CSV: a header, the incurral month in the first column, then incremental paid at lags 0, 1, ..., empty where not yet observed) and fits volume-weighted chain-ladder completion factors.\n\
Writes DIR/lag.json ({\"lag\": {\"pmf\": [...]}}, the contract-timing spelling) and DIR/lag-report.json (development and completion factors, each month's ultimate and IBNR).\n\
Exit status: 0 on success, 1 for a bad triangle or output folder, 2 for bad flags."
)]
pub struct FitLagArgs {
    /// The paid triangle (CSV).
    #[arg(value_name = "TRIANGLE.csv")]
    pub triangle: PathBuf,
    /// Folder for lag.json and lag-report.json (created if missing).
    #[arg(long, short, default_value = "fit", value_name = "DIR")]
    pub out: PathBuf,
    /// Tail factor: ultimate over paid at the last lag (1 = complete).
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0, value_parser = tail)]
    pub tail_factor: f64,
}

fn number(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("`{s}` is not a number"))
}

fn positive(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    (v > 0.0 && v < 1e12)
        .then_some(v)
        .ok_or_else(|| format!("must be greater than 0 and below 1e12, got {s}"))
}

fn probability(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    (v > 0.0 && v < 1.0)
        .then_some(v)
        .ok_or_else(|| format!("must be strictly between 0 and 1, got {s}"))
}

fn trend(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    (-0.5..=1.0)
        .contains(&v)
        .then_some(v)
        .ok_or_else(|| format!("must be an annual rate between -0.5 and 1 (0.07 for 7%), got {s}"))
}

/// `YYYY-MM` (1900 to 2200).
fn year_month(s: &str) -> Result<(i32, u32), String> {
    let bad = || format!("must be a month as YYYY-MM (e.g. 2026-07), got {s}");
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if (1900..=2200).contains(&y) && (1..=12).contains(&m) && s.len() == 7 {
        Ok((y, m))
    } else {
        Err(bad())
    }
}

fn months(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    (-120.0..=120.0)
        .contains(&v)
        .then_some(v)
        .ok_or_else(|| format!("must be between -120 and 120 months, got {s}"))
}

fn tail(s: &str) -> Result<f64, String> {
    let v = number(s)?;
    (1.0..=10.0)
        .contains(&v)
        .then_some(v)
        .ok_or_else(|| format!("must be between 1 and 10, got {s}"))
}
