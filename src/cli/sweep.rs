//! `stoploss sweep`: a config over a list of parameter values.

use super::args::SweepArgs;
use super::plan::{check_trials, flag_error};
use super::{output, EXIT_FAILED, EXIT_OK};
use anyhow::{anyhow, bail, Context, Result};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;
use stoploss::exact::ExactOptions;
use stoploss::model::Overrides;
use stoploss::run::{check_memory, run_both, run_exact, run_study, Method};
use stoploss::sweep::{self, JsonPath, SweepParam, SweepResults};

/// Most runs in one sweep.
pub const MAX_SWEEP_RUNS: usize = 1000;

/// `stoploss sweep`.
pub fn sweep(args: &SweepArgs) -> u8 {
    super::in_pool(args.threads, || match sweep_in_pool(args) {
        Ok(dir) => {
            if !args.quiet {
                println!("wrote {}", dir.display());
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            EXIT_FAILED
        }
    })
}

/// Pairs each `--param` with its `--values`.
fn params(args: &SweepArgs) -> Result<Vec<SweepParam>> {
    if args.params.len() != args.values.len() {
        bail!(
            "{} --param but {} --values: give one --values list after each --param",
            args.params.len(),
            args.values.len()
        );
    }
    args.params
        .iter()
        .zip(&args.values)
        .map(|(p, v)| {
            let path = JsonPath::parse(p).map_err(|e| anyhow!("--param {e}"))?;
            let values = v
                .split(',')
                .map(|x| {
                    let x = x.trim();
                    x.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .ok_or_else(|| anyhow!("--values for {path}: `{x}` is not a finite number"))
                })
                .collect::<Result<Vec<f64>>>()?;
            if values.len() > MAX_SWEEP_RUNS {
                bail!(
                    "--values for {path}: {} values; a sweep runs at most {MAX_SWEEP_RUNS}",
                    values.len()
                );
            }
            Ok(SweepParam { path, values })
        })
        .collect()
}

fn sweep_in_pool(args: &SweepArgs) -> Result<PathBuf> {
    let params = params(args)?;
    check_trials(args.trials, None).map_err(anyhow::Error::msg)?;
    let file = args.config.display().to_string();
    let bytes = stoploss::config::read_limited(
        &args.config,
        stoploss::config::MAX_CONFIG_BYTES,
        "configs",
    )?;
    let text = stoploss::config::utf8(bytes, &file, stoploss::error::ErrorKind::Syntax)?;
    let dir = args
        .config
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let options = stoploss::config::LoadOptions {
        confine: args.confine,
    };
    let overrides = Overrides {
        trials: args.trials,
        seed: args.seed,
        baseline: None,
        appetite: (&args.appetite).into(),
    };
    let studies = sweep::prepare_with(&text, &file, &dir, &params, &options)?
        .into_iter()
        .map(|(values, study)| {
            let study = study.with_overrides(&overrides).map_err(|e| {
                anyhow!(
                    "{file} with {}: {}",
                    sweep::assignment(&params, &values),
                    flag_error(&e)
                )
            })?;
            Ok((values, study))
        })
        .collect::<Result<Vec<_>>>()?;
    let method = args.method.into_method();
    if method != Method::Exact {
        // Runs are one at a time: each must fit, as `run` checks one study.
        for (values, study) in &studies {
            check_memory(study, study.trials).map_err(|e| {
                anyhow!(
                    "a run of this sweep ({}) does not fit: {e}",
                    sweep::assignment(&params, values)
                )
            })?;
        }
    }
    let name = format!("{}-sweep", studies[0].1.name);
    output::check_target(&args.out, &name, args.force)?;
    let opts = ExactOptions::default();
    let mut points = Vec::with_capacity(studies.len());
    for (values, study) in &studies {
        let start = Instant::now();
        let said = sweep::assignment(&params, values);
        let results = match method {
            Method::Simulate => run_study(study, &|_| {}),
            Method::Both => run_both(study, &opts, &|_| {}),
            Method::Exact => run_exact(study, &opts).map_err(|e| anyhow!("with {said}: {e}"))?,
        };
        let p = sweep::point(values.clone(), &results);
        if !args.quiet {
            eprintln!(
                "{}: {said}: recommended {} ({:.1} s)",
                study.name,
                p.recommended,
                start.elapsed().as_secs_f64()
            );
        }
        points.push(p);
    }
    let first = &studies[0].1;
    let a = &first.decision;
    let results = SweepResults {
        name: first.name.clone(),
        params: params.iter().map(|p| p.path.to_string()).collect(),
        seed: first.seed,
        trials: if method == Method::Exact {
            0
        } else {
            first.trials
        },
        method: method.name().into(),
        rule: stoploss::analysis::text::rule_general(a),
        frontier_measure: a.frontier_measure.name(),
        risk_measure: a.risk_measure.name(),
        points,
    };
    let markdown = sweep::sweep_markdown(&results);
    let mut json = serde_json::to_vec_pretty(&results)?;
    json.push(b'\n');
    let files = [
        ("sweep.json", output::Contents::Bytes(json)),
        (
            "sweep.csv",
            output::Contents::Bytes(sweep::sweep_csv(&results)?),
        ),
        (
            "sweep.md",
            output::Contents::Bytes(markdown.clone().into_bytes()),
        ),
    ];
    let dir = output::write_atomically(&args.out, &name, &files, args.force)?;
    if !args.quiet {
        std::io::stdout()
            .lock()
            .write_all(markdown.as_bytes())
            .context("cannot write to stdout")?;
    }
    Ok(dir)
}
