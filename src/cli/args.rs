//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use stoploss::model::RiskMeasure;
use stoploss::run::{TargetFigure, TargetSe};

/// Monte Carlo stop-loss attachment studies for self-funded health plans.
///
/// Describe the covered population, its claim model and the stop-loss
/// options on offer in a JSON config; `stoploss run` simulates plan years and
/// reports, for every candidate attachment, the employer's expected cost and
/// its tail-risk distribution with Monte Carlo errors.
#[derive(Debug, Parser)]
#[command(name = "stoploss", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate one or more configs and write results.json and summary.csv for each.
    Run(RunArgs),
    /// Check configs (and their census files) without running them.
    Validate(ValidateArgs),
    /// Start a new study from a documented example config.
    Init(InitArgs),
    /// Merge the shards of a run (`run --shard`) into its results.
    Merge(MergeArgs),
    /// Write report.html and summary.md from a run's results folder.
    Report(ReportArgs),
    /// Run a config over a list of values of numeric parameters (sensitivity sweep).
    Sweep(SweepArgs),
    /// Fit severity families to a large-claimant listing (truncated, censored MLE) and write fit.json, fit.html and component.json.
    Fit(super::fit_args::FitArgs),
    /// Fit chain-ladder completion factors and the payment-lag pmf to a paid triangle.
    FitLag(super::fit_args::FitLagArgs),
}

/// `stoploss sweep`.
#[derive(Debug, Args)]
#[command(
    after_help = "Runs CONFIG once per value, every run with the same seed, and writes OUT/<name>-sweep/sweep.json, sweep.csv and sweep.md.\n\
Several --param/--values pairs move together: the i-th run sets every parameter to its i-th value.\n\
Example: stoploss sweep configs/mid-500.json --param trend.annual --values 0.05,0.075,0.10\n\
Exit status: 0 when every run succeeded, 1 for an invalid path, value or config, 2 for bad flags."
)]
pub struct SweepArgs {
    /// The config to sweep.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// JSON path of a numeric parameter, as error messages print it
    /// (population.classes[0].employees, trend.annual, budget, ...). Repeatable.
    #[arg(long = "param", value_name = "JSON.PATH", required = true)]
    pub params: Vec<String>,
    /// Comma-separated values for the --param before it (e.g. 50,100,250). Repeatable.
    #[arg(
        long = "values",
        value_name = "A,B,C",
        required = true,
        allow_hyphen_values = true
    )]
    pub values: Vec<String>,
    /// Folder for the outputs.
    #[arg(long, short, default_value = "results", value_name = "DIR")]
    pub out: PathBuf,
    /// Replace an existing sweep folder.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (results do not depend on it).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Override the number of trials of every run.
    #[arg(long, value_name = "N")]
    pub trials: Option<u64>,
    /// Override the seed (shared by every run).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// No progress lines and no table on stdout.
    #[arg(long, short)]
    pub quiet: bool,
    /// simulate (default), exact or both.
    #[arg(long, value_enum, default_value_t = MethodArg::Simulate)]
    pub method: MethodArg,
    /// Census and data files must lie under the config's folder, as for `run --confine`.
    #[arg(long)]
    pub confine: bool,
    /// The risk appetite of the recommendation.
    #[command(flatten)]
    pub appetite: AppetiteArgs,
}

/// `stoploss report`.
#[derive(Debug, Args)]
#[command(
    after_help = "Reads RESULTS_DIR/results.json and writes RESULTS_DIR/report.html (self-contained: inline CSS and SVG, opens offline) and RESULTS_DIR/summary.md; with --pdf also report.pdf (printed by headless Chromium: set STOPLOSS_CHROMIUM to choose the browser), with --xlsx also workbook.xlsx. All files are written together or none.\n\
Exit status: 0 on success, 1 when the folder holds no readable results.json or the PDF cannot be printed."
)]
pub struct ReportArgs {
    /// A folder written by `stoploss run` (e.g. results/mid-500).
    #[arg(value_name = "RESULTS_DIR")]
    pub dir: PathBuf,
    /// Also write report.pdf: the report printed (Letter or A4 landscape) by headless Chromium.
    #[arg(long)]
    pub pdf: bool,
    /// Also write workbook.xlsx: summary exhibit, candidates, assumptions, exceedance and frontier charts.
    #[arg(long)]
    pub xlsx: bool,
    /// The client named on the report and workbook (overrides the config's report.client).
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
}

/// `stoploss run`.
#[derive(Debug, Args)]
#[command(
    after_help = "Each config writes OUT/<name>/results.json and OUT/<name>/summary.csv (and state.bin with --save-state).\n\
Exit status: 0 when every config ran, 1 when any was invalid or failed, 2 for bad flags, 130 after Ctrl-C (SIGINT), 143 after SIGTERM."
)]
pub struct RunArgs {
    /// Config files, or folders whose *.json files are all run.
    #[arg(required = true, value_name = "CONFIG")]
    pub configs: Vec<PathBuf>,
    /// Folder for the outputs.
    #[arg(long, short, default_value = "results", value_name = "DIR")]
    pub out: PathBuf,
    /// Replace an existing output folder for the same study name.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS). Results do not depend on it.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Override the number of trials in every config.
    #[arg(long, value_name = "N")]
    pub trials: Option<u64>,
    /// Override the master seed in every config.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// No progress bar and no table; errors and warnings still go to stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Candidate label that every candidate's paired cost difference
    /// (`vs_baseline`) is measured against (default: stop_loss.baseline, else
    /// the first candidate).
    #[arg(long, value_name = "LABEL")]
    pub baseline: Option<String>,
    /// Add trial blocks until the standard error of --target-figure is at most
    /// this for every candidate: dollars (2500) or a percentage of the figure (0.05%).
    #[arg(long, value_name = "SE", value_parser = parse_target_se, allow_hyphen_values = true)]
    pub target_se: Option<TargetSe>,
    /// The figure --target-se applies to.
    #[arg(long, value_enum, value_name = "FIGURE", default_value_t = Figure::Mean, requires = "target_se")]
    pub target_figure: Figure,
    /// Most trials --target-se may run (default: 10 x the trials, at most 100,000,000).
    #[arg(long, value_name = "N", requires = "target_se")]
    pub max_trials: Option<u64>,
    /// How to compute the figures: simulate (Monte Carlo), exact (the exact
    /// engine: discretization and FFT; se = its error bound), or both (the
    /// simulation with each figure checked against the exact engine).
    #[arg(long, value_enum, default_value_t = MethodArg::Simulate)]
    pub method: MethodArg,
    /// Starting lattice step of the exact engine in dollars (default: chosen
    /// from the model, aligned with its amounts where possible); halved
    /// until --exact-tolerance is met.
    #[arg(long, value_name = "DOLLARS")]
    pub exact_step: Option<f64>,
    /// Most lattice points of the exact engine for a group total or a
    /// member's amount (at most 2^26 = 67108864).
    #[arg(long, value_name = "N", default_value_t = 1 << 20, value_parser = exact_points)]
    pub exact_points: usize,
    /// Relative tolerance of the exact engine on every reported mean and
    /// probability (between 1e-12 and 0.1).
    #[arg(long, value_name = "REL", default_value_t = 1e-6, value_parser = exact_tolerance)]
    pub exact_tolerance: f64,
    /// Also write state.bin beside results.json: every trial's outcomes, so
    /// the run can later be extended with --resume (8 + 20 x specific
    /// options bytes per trial).
    #[arg(long)]
    pub save_state: bool,
    /// Continue the run saved with --save-state in PATH (its output folder
    /// or its state.bin) up to --trials: only the new trials are simulated,
    /// and the results are those of one run of that many trials. Writes a
    /// new state.bin too.
    #[arg(long, value_name = "PATH")]
    pub resume: Option<PathBuf>,
    /// Run only shard I of N of the trial blocks (0 <= I < N) and write
    /// OUT/<name>.shard-I-of-N/ (the shard's trials and a manifest) for
    /// `stoploss merge`; `auto` takes I and N from a Slurm array, a
    /// Kubernetes Indexed Job or an AWS Batch array.
    #[arg(long, value_name = "I/N|auto", value_parser = parse_shard)]
    pub shard: Option<stoploss::shard::ShardArg>,
    /// The number of shards, for `--shard auto` under schedulers that give
    /// only the index (Kubernetes, AWS Batch).
    #[arg(long, value_name = "N", requires = "shard")]
    pub shard_count: Option<u64>,
    /// Also write report.html (charts and tables, self-contained) beside results.json.
    #[arg(long)]
    pub report: bool,
    /// Rerun each config under every acceptable tail of this fit.json
    /// (`stoploss fit`) on the same seed and write alternatives.json beside
    /// results.json: how the recommendation moves with the tail (model risk).
    #[arg(long, value_name = "FIT.json", conflicts_with = "shard")]
    pub severity_alternatives: Option<PathBuf>,
    /// Census and data files must lie under the config's folder (no
    /// absolute paths, no `..`, no links leading out): for services that
    /// run configs written by others.
    #[arg(long)]
    pub confine: bool,
    /// The risk appetite of the recommendation.
    #[command(flatten)]
    pub appetite: AppetiteArgs,
}

fn parse_shard(s: &str) -> Result<stoploss::shard::ShardArg, stoploss::shard::ShardError> {
    s.parse()
}

/// `stoploss merge`.
#[derive(Debug, Args)]
#[command(
    after_help = "Writes OUT/<name>/results.json and summary.csv, identical (timing fields aside) to one run of the whole study.\n\
Exit status: 0 when merged, 1 when a shard is missing, given twice, foreign or damaged, or the config changed."
)]
pub struct MergeArgs {
    /// Shard folders (written by `run --shard`), their shard.bin files, or
    /// folders holding shard folders.
    #[arg(required = true, value_name = "PARTS")]
    pub parts: Vec<PathBuf>,
    /// Folder for the outputs.
    #[arg(long, short, default_value = "results", value_name = "DIR")]
    pub out: PathBuf,
    /// The study's config, if it is no longer where the shards recorded it
    /// (it must be the same config: its hash is checked).
    #[arg(long, value_name = "CONFIG")]
    pub config: Option<PathBuf>,
    /// Replace an existing output folder for the same study name.
    #[arg(long)]
    pub force: bool,
    /// Worker threads for the statistics (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// No table on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Flags that override the config's `decision` block (the risk appetite
/// of the recommendation).
#[derive(Debug, Clone, Default, Args)]
pub struct AppetiteArgs {
    /// Tail measure of the efficient frontier: tvar90, tvar95, tvar99, var50,
    /// var75, var90, var95, var99, var99_5, sd or prob_over_budget (default:
    /// decision.frontier_measure, else the risk measure, else tvar99).
    #[arg(long, value_name = "MEASURE", value_parser = parse_measure, help_heading = "Recommendation")]
    pub frontier_measure: Option<RiskMeasure>,
    /// Measure the cap and the penalty apply to (default: decision.risk_measure,
    /// else the frontier measure); the frontier follows it unless set apart.
    #[arg(long, value_name = "MEASURE", value_parser = parse_measure, help_heading = "Recommendation")]
    pub risk_measure: Option<RiskMeasure>,
    /// Recommend only candidates whose risk measure is at most this (dollars,
    /// or a probability for prob_over_budget).
    #[arg(
        long,
        value_name = "X",
        conflicts_with = "max_risk_budget_factor",
        help_heading = "Recommendation"
    )]
    pub max_risk: Option<f64>,
    /// Cap the risk measure at this factor times the budget (1.1 = 110%).
    #[arg(long, value_name = "F", help_heading = "Recommendation")]
    pub max_risk_budget_factor: Option<f64>,
    /// Drop the config's cap on the risk measure.
    #[arg(long, conflicts_with_all = ["max_risk", "max_risk_budget_factor"], help_heading = "Recommendation")]
    pub no_risk_cap: bool,
    /// Recommend the lowest expected cost + LAMBDA x risk measure (default 0).
    #[arg(long, value_name = "LAMBDA", help_heading = "Recommendation")]
    pub lambda: Option<f64>,
}

fn parse_measure(s: &str) -> Result<RiskMeasure, stoploss::model::UnknownMeasure> {
    s.parse()
}

fn parse_target_se(s: &str) -> Result<TargetSe, stoploss::run::ParseTargetSeError> {
    s.parse()
}

/// The figures a precision target can apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Figure {
    /// Mean employer cost (employer_cost.se).
    #[value(name = "mean")]
    Mean,
    /// 95th percentile of the cost (half the width of its 95% interval / 1.96).
    #[value(name = "p95")]
    P95,
    /// 99th percentile of the cost (likewise).
    #[value(name = "p99")]
    P99,
    /// TVaR 99% of the cost (tvar_se.p99).
    #[value(name = "tvar99")]
    Tvar99,
    /// Mean aggregate reimbursement (candidates without aggregate are left out).
    #[value(name = "aggregate_reimbursement")]
    AggregateReimbursement,
}

impl From<Figure> for TargetFigure {
    fn from(f: Figure) -> Self {
        match f {
            Figure::Mean => TargetFigure::Mean,
            Figure::P95 => TargetFigure::P95,
            Figure::P99 => TargetFigure::P99,
            Figure::Tvar99 => TargetFigure::Tvar99,
            Figure::AggregateReimbursement => TargetFigure::AggregateReimbursement,
        }
    }
}

/// `stoploss validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Config files, or folders whose *.json files are all checked.
    #[arg(required = true, value_name = "CONFIG")]
    pub configs: Vec<PathBuf>,
    /// Census and data files must lie under the config's folder, as for `run --confine`.
    #[arg(long)]
    pub confine: bool,
}

/// `--method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Monte Carlo simulation.
    Simulate,
    /// The exact engine only.
    Exact,
    /// Simulation and exact engine side by side.
    Both,
}

impl MethodArg {
    /// The library's method.
    pub fn into_method(self) -> stoploss::run::Method {
        self.into()
    }
}

impl From<MethodArg> for stoploss::run::Method {
    fn from(m: MethodArg) -> Self {
        match m {
            MethodArg::Simulate => stoploss::run::Method::Simulate,
            MethodArg::Exact => stoploss::run::Method::Exact,
            MethodArg::Both => stoploss::run::Method::Both,
        }
    }
}

/// The shipped examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Example {
    /// A 100-employee group with a spliced member model.
    Small,
    /// The 500-employee mid-size group.
    Mid,
    /// A 5,000-member census-driven group with tiers, lasers and an ASD.
    Census,
}

/// `stoploss init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to write the example into (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Which example to start from.
    #[arg(long, value_enum, default_value_t = Example::Small)]
    pub example: Example,
}

/// `--exact-points`: a count of lattice points within the engine's limits.
fn exact_points(s: &str) -> Result<usize, String> {
    let n: usize = s
        .parse()
        .map_err(|_| format!("`{s}` is not a whole number of lattice points"))?;
    let max = stoploss::exact::MAX_POINTS_LIMIT;
    if !(1024..=max).contains(&n) {
        return Err(format!(
            "--exact-points must be between 1024 and {max} (2^26), got {n}"
        ));
    }
    Ok(n)
}

/// `--exact-tolerance`: a relative tolerance between 1e-12 and 0.1.
fn exact_tolerance(s: &str) -> Result<f64, String> {
    let t: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !(1e-12..=0.1).contains(&t) {
        return Err(format!(
            "--exact-tolerance must be between 1e-12 and 0.1, got {s}"
        ));
    }
    Ok(t)
}
