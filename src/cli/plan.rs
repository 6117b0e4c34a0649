//! The flags of `stoploss run`, checked once and turned into an immutable
//! [`RunPlan`] (parse into [`RunArgs`], then validate, as ripgrep's
//! low-level and high-level arguments). The commands read the plan, never
//! the raw flags; overrides of the study go through
//! [`Study::with_overrides`].

use super::args::{AppetiteArgs, MethodArg, RunArgs};
use super::shard;
use std::path::PathBuf;
use stoploss::config::{check_trial_count, LoadOptions};
use stoploss::exact::ExactOptions;
use stoploss::model::{AppetiteOverrides, OverrideError, Overrides, Study};
use stoploss::run::{Method, PrecisionTarget};
use stoploss::shard::ShardSpec;

/// What becomes of the run's trials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateMode {
    /// Nothing is saved.
    Off,
    /// `state.bin` is written beside the results (`--save-state`).
    Save,
    /// The run continues the state saved in this folder or file
    /// (`--resume`), and saves its own.
    Resume(PathBuf),
}

/// Where and how the results are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPlan {
    /// The folder that gets one subfolder per study.
    pub dir: PathBuf,
    /// Replace an existing subfolder.
    pub force: bool,
    /// Also write `report.html`.
    pub report: bool,
    /// No progress bar and no table.
    pub quiet: bool,
}

/// A checked `stoploss run`.
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// The config files, folders expanded.
    pub configs: Vec<PathBuf>,
    /// Entries of config folders that cannot be run (already reported).
    pub refused: usize,
    /// How configs are read (`--confine`).
    pub load: LoadOptions,
    /// Trials, seed, baseline and risk appetite set by flags.
    pub overrides: Overrides,
    /// How the figures are computed.
    pub method: Method,
    /// Settings of the exact engine.
    pub exact: ExactOptions,
    /// A precision target (simulation only).
    pub target: Option<PrecisionTarget>,
    /// Saved and resumed state.
    pub state: StateMode,
    /// The share of the trials this job runs.
    pub shard: Option<ShardSpec>,
    /// The outputs.
    pub output: OutputPlan,
}

impl From<&AppetiteArgs> for AppetiteOverrides {
    fn from(a: &AppetiteArgs) -> Self {
        AppetiteOverrides {
            risk_measure: a.risk_measure,
            frontier_measure: a.frontier_measure,
            max_risk: a.max_risk,
            max_risk_budget_factor: a.max_risk_budget_factor,
            no_risk_cap: a.no_risk_cap,
            lambda: a.lambda,
        }
    }
}

/// The overrides error in the words of the command line: the flag when a
/// flag set the field, else the config key that clashes with the flags.
pub fn flag_error(e: &OverrideError) -> String {
    let flag = e.field.replace('_', "-");
    match e.field {
        "trials" => format!("--trials {}", e.message),
        _ if e.overridden => format!("--{flag}: {}", e.message),
        _ => format!("decision.{} (with the flags given): {}", e.field, e.message),
    }
}

/// Checks `--trials` (and `--max-trials`) before any config is read.
pub fn check_trials(trials: Option<u64>, max_trials: Option<u64>) -> Result<(), String> {
    if let Some(t) = trials {
        check_trial_count(t).map_err(|e| format!("--trials {e}"))?;
    }
    if let Some(m) = max_trials {
        check_trial_count(m).map_err(|e| format!("--max-trials {e}"))?;
        if let Some(t) = trials.filter(|&t| t > m) {
            return Err(format!("--max-trials {m} is below --trials {t}"));
        }
    }
    Ok(())
}

impl RunPlan {
    /// Checks the flags of `stoploss run` together and expands the configs.
    pub fn new(args: &RunArgs) -> Result<Self, String> {
        let (configs, refused) = super::commands::expand_reporting(&args.configs)?;
        check_trials(args.trials, args.max_trials)?;
        let state = match (&args.resume, args.save_state) {
            (Some(from), _) => StateMode::Resume(from.clone()),
            (None, true) => StateMode::Save,
            (None, false) => StateMode::Off,
        };
        if state != StateMode::Off {
            let flag = if args.resume.is_some() {
                "--resume"
            } else {
                "--save-state"
            };
            if args.method != MethodArg::Simulate {
                return Err(format!(
                    "{flag} applies to --method simulate (the exact engine has no trials to save)"
                ));
            }
            if args.resume.is_some() && configs.len() != 1 {
                return Err(format!(
                    "--resume continues one run: give exactly one config, got {}",
                    configs.len()
                ));
            }
        }
        shard::check_run_flags(args, configs.len())?;
        let shard = args.shard.map(|_| shard::resolve(args)).transpose()?;
        let method: Method = args.method.into();
        if method != Method::Simulate && args.target_se.is_some() {
            return Err(
                "--target-se applies to the simulation alone; use it with --method simulate".into(),
            );
        }
        Ok(RunPlan {
            configs,
            refused,
            load: LoadOptions {
                confine: args.confine,
            },
            overrides: Overrides {
                trials: args.trials,
                seed: args.seed,
                baseline: args.baseline.clone(),
                appetite: (&args.appetite).into(),
            },
            method,
            exact: ExactOptions {
                max_points: args.exact_points,
                step: args.exact_step,
                tolerance: args.exact_tolerance,
            },
            target: args.target_se.map(|se| PrecisionTarget {
                se,
                figure: args.target_figure.into(),
                max_trials: args.max_trials,
            }),
            state,
            shard,
            output: OutputPlan {
                dir: args.out.clone(),
                force: args.force,
                report: args.report,
                quiet: args.quiet,
            },
        })
    }

    /// The study as the flags set it.
    pub fn study(&self, study: &Study) -> Result<Study, String> {
        study
            .with_overrides(&self.overrides)
            .map_err(|e| flag_error(&e))
    }

    /// The most trials the run may hold in memory: the trials, or the cap
    /// of a precision target.
    pub fn peak_trials(&self, study: &Study) -> u64 {
        self.target
            .as_ref()
            .map_or(study.trials, |t| t.cap(study.trials))
            .max(study.trials)
    }
}
