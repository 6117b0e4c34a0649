//! `stoploss run --shard` and `stoploss merge`.

use super::args::{MergeArgs, MethodArg, RunArgs};
use super::commands::write_results;
use super::output::{self, Contents, OUTPUTS};
use super::plan::OutputPlan;
use super::{EXIT_FAILED, EXIT_OK};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use stoploss::config;
use stoploss::model::{Overrides, Study};
use stoploss::report::{Exporter, TableExporter};
use stoploss::run::{check_memory, run_study_from};
use stoploss::shard::{
    find_shards, load_columns, plan_merge, shard_dir_name, simulate_shard, Manifest, ShardArg,
    ShardFile, ShardSpec, MANIFEST_FILE, SHARD_FILE,
};
use stoploss::sim::ColumnLayout;
use stoploss::state::{self, StateHeader};

/// Flags that cannot go with `--shard`, as an error message.
pub fn check_run_flags(args: &RunArgs, configs: usize) -> Result<(), String> {
    if args.shard.is_none() {
        return Ok(());
    }
    let refuse =
        |flag: &str, why: &str| Err(format!("--shard cannot be combined with {flag}: {why}"));
    if args.method != MethodArg::Simulate {
        return refuse(
            "--method exact or both",
            "only simulated trials are sharded",
        );
    }
    if args.target_se.is_some() {
        return refuse(
            "--target-se",
            "a shard runs a fixed share of a fixed number of trials",
        );
    }
    if args.save_state || args.resume.is_some() {
        return refuse(
            "--save-state or --resume",
            "a shard is itself a saved state",
        );
    }
    if configs != 1 {
        return Err(format!(
            "--shard runs a share of one study: give exactly one config, got {configs}"
        ));
    }
    Ok(())
}

/// The shard this job runs.
pub fn resolve(args: &RunArgs) -> Result<ShardSpec, String> {
    match args.shard {
        Some(ShardArg::Fixed(spec)) => {
            if let Some(c) = args.shard_count.filter(|&c| c != spec.count) {
                return Err(format!("--shard-count {c} disagrees with --shard {spec}"));
            }
            Ok(spec)
        }
        Some(ShardArg::Auto) => {
            stoploss::shard::from_env(|k| std::env::var(k).ok(), args.shard_count)
                .map_err(|e| e.to_string())
        }
        None => Err("no --shard given".into()),
    }
}

/// Runs shard `spec` of `study` (loaded from `path`) and writes its folder.
pub fn run_shard(study: &Study, path: &Path, spec: ShardSpec, out: &OutputPlan) -> Result<PathBuf> {
    if study.projection.is_some() {
        anyhow::bail!(
            "{}: --shard does not yet support multi-year projections (shard files hold one year's columns); run it whole",
            study.name
        );
    }
    if study.timing.is_some() {
        anyhow::bail!(
            "{}: --shard does not yet support studies with contract timing (shard files do not hold monthly figures); run it whole",
            study.name
        );
    }
    for w in &study.warnings {
        eprintln!("warning: {}: {w}", study.name);
    }
    let hash = state::config_hash(path)?;
    let dir_name = shard_dir_name(&study.name, spec);
    output::check_target(&out.dir, &dir_name, out.force)?;
    let config_path = std::fs::canonicalize(path)
        .with_context(|| format!("cannot resolve {}", path.display()))?;
    let manifest = Manifest {
        name: study.name.clone(),
        config: config_path.display().to_string(),
        config_hash: format!("{hash:016x}"),
        seed: study.seed,
        trials: study.trials,
        baseline: study
            .contract
            .candidate_label(&study.contract.candidates[study.contract.baseline]),
        shard: spec.index,
        shards: spec.count,
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let (blocks, columns) = simulate_shard(study, spec, &|_| {}).map_err(anyhow::Error::msg)?;
    if !out.quiet {
        eprintln!(
            "{}: shard {spec}: blocks {}..{} ({} of {} trials)",
            study.name,
            blocks.start,
            blocks.end,
            columns.trials(),
            study.trials
        );
    }
    let header = StateHeader::new(
        hash,
        study.seed,
        study.trials,
        blocks,
        study.contract.specific.len() as u32,
    );
    let write_state = |w: &mut dyn Write| state::write(&mut &mut *w, &header, &columns);
    let files = [
        (SHARD_FILE, Contents::Stream(&write_state)),
        (
            MANIFEST_FILE,
            Contents::Bytes(serde_json::to_vec_pretty(&manifest)?),
        ),
    ];
    output::write_atomically(&out.dir, &dir_name, &files, out.force)
}

/// `stoploss merge`.
pub fn merge(args: &MergeArgs) -> u8 {
    super::in_pool(args.threads, || match merge_in_pool(args) {
        Ok(dir) => {
            if !args.quiet {
                println!("wrote {}", dir.display());
            }
            EXIT_OK
        }
        Err(e) => {
            OUTPUTS.end();
            eprintln!("error: {e:#}");
            EXIT_FAILED
        }
    })
}

fn merge_in_pool(args: &MergeArgs) -> Result<PathBuf> {
    let dirs = find_shards(&args.parts).map_err(anyhow::Error::msg)?;
    let shards = dirs
        .iter()
        .map(|d| ShardFile::read(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    let plan = plan_merge(shards).map_err(anyhow::Error::msg)?;
    let manifest = plan.manifest().clone();
    let header = plan.header().clone();
    let config_path = args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(&manifest.config));
    let study = config::load(&config_path)?;
    let hash = state::config_hash(&config_path)?;
    if hash != header.config_hash {
        bail!(
            "{}: the config (or its census) changed since the shards were run: its hash is {hash:016x}, the shards' {:016x}; merge with the config they were run with",
            config_path.display(),
            header.config_hash
        );
    }
    if study.name != manifest.name {
        bail!(
            "{}: the config's study is `{}`, the shards' `{}`",
            config_path.display(),
            study.name,
            manifest.name
        );
    }
    let study = study
        .with_overrides(&Overrides {
            trials: Some(header.run_trials),
            seed: Some(header.seed),
            baseline: Some(manifest.baseline.clone()),
            ..Overrides::default()
        })
        .map_err(|e| {
            anyhow::anyhow!(
                "{}: {} of the shards: {}",
                config_path.display(),
                e.field,
                e.message
            )
        })?;
    output::check_target(&args.out, &study.name, args.force)?;
    check_memory(&study, study.trials).map_err(|e| anyhow::anyhow!("merging: {e}"))?;
    OUTPUTS.begin(&study.name);
    let columns = load_columns(&plan, &ColumnLayout::of(&study)).map_err(anyhow::Error::msg)?;
    if !args.quiet {
        eprintln!(
            "{}: merged {} shard(s), {} trials, seed {}",
            study.name,
            plan.shards.len(),
            columns.trials(),
            study.seed
        );
    }
    let (results, columns) = run_study_from(&study, columns, &|_| {});
    drop(columns);
    for w in &results.warnings {
        eprintln!("warning: {}: {w}", study.name);
    }
    let dir = write_results(&args.out, &results, args.force, false, None)?;
    if !args.quiet {
        let table = TableExporter.serialize(&results)?;
        std::io::stdout()
            .lock()
            .write_all(&table)
            .context("cannot write to stdout")?;
    }
    Ok(dir)
}
