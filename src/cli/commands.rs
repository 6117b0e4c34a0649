//! The commands: `run`, `validate`, `init` (`merge` and `run --shard`: [`super::shard`]).

use super::args::{InitArgs, MethodArg, ReportArgs, RunArgs, ValidateArgs};
use super::output::{Contents, WriteFn, OUTPUTS};
use super::{examples, output, shard, EXIT_FAILED, EXIT_OK};
use crate::config;
use crate::exact::ExactOptions;
use crate::model::Study;
use crate::report::{
    dollars, CsvExporter, Exporter, HtmlExporter, JsonExporter, MarkdownExporter, Results,
    TableExporter, TargetSeReport,
};
use crate::run::{
    check_memory, run_both, run_exact, run_study_from, run_study_to_target_from, Method,
    PrecisionTarget,
};
use crate::sim::{TrialColumns, BLOCK_TRIALS};
use crate::state;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Expands folders into their `*.json` files (sorted); files pass through.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "json") && f.is_file())
                .collect();
            if found.is_empty() {
                return Err(format!("{}: the folder holds no .json config", p.display()));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn load_all(paths: &[PathBuf]) -> (Vec<(PathBuf, Study)>, usize) {
    let mut ok = Vec::new();
    let mut failed = 0;
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    for p in paths {
        match config::load(p) {
            Ok(study) => {
                if let Some(first) = names.get(&study.name) {
                    eprintln!(
                        "error: {}: the name `{}` is also used by {}; each study in a batch needs its own name",
                        p.display(),
                        study.name,
                        first.display()
                    );
                    failed += 1;
                    continue;
                }
                names.insert(study.name.clone(), p.clone());
                ok.push((p.clone(), study));
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    (ok, failed)
}

/// `stoploss validate`.
pub fn validate(args: &ValidateArgs) -> u8 {
    let paths = match expand(&args.configs) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let (ok, failed) = load_all(&paths);
    for (path, study) in &ok {
        println!(
            "ok: {} ({}): {} members, {:.0} employees, {} candidates, {} trials",
            path.display(),
            study.name,
            study.population.member_count(),
            study.population.employees(),
            study.contract.candidates.len(),
            study.trials
        );
        for w in &study.warnings {
            eprintln!("warning: {}: {w}", study.name);
        }
    }
    if failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// `stoploss run`.
pub fn run(args: &RunArgs) -> u8 {
    super::in_pool(args.threads, || run_in_pool(args))
}

fn run_in_pool(args: &RunArgs) -> u8 {
    let paths = match expand(&args.configs) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    if let Some(t) = args.trials {
        if t == 0 || t > config::MAX_TRIALS {
            eprintln!(
                "error: --trials must be between 1 and {}, got {t}",
                config::MAX_TRIALS
            );
            return EXIT_FAILED;
        }
    }
    if let Some(m) = args.max_trials {
        if m == 0 || m > config::MAX_TRIALS {
            eprintln!(
                "error: --max-trials must be between 1 and {}, got {m}",
                config::MAX_TRIALS
            );
            return EXIT_FAILED;
        }
        if let Some(t) = args.trials.filter(|&t| t > m) {
            eprintln!("error: --max-trials {m} is below --trials {t}");
            return EXIT_FAILED;
        }
    }
    if args.save_state || args.resume.is_some() {
        let flag = if args.resume.is_some() {
            "--resume"
        } else {
            "--save-state"
        };
        if args.method != MethodArg::Simulate {
            eprintln!("error: {flag} applies to --method simulate (the exact engine has no trials to save)");
            return EXIT_FAILED;
        }
        if args.resume.is_some() && paths.len() != 1 {
            eprintln!(
                "error: --resume continues one run: give exactly one config, got {}",
                paths.len()
            );
            return EXIT_FAILED;
        }
    }
    if let Err(e) = shard::check_run_flags(args, paths.len()) {
        eprintln!("error: {e}");
        return EXIT_FAILED;
    }
    let shard_spec = match args.shard.map(|_| shard::resolve(args)).transpose() {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let (studies, mut failed) = load_all(&paths);
    for (path, mut study) in studies {
        if let Some(t) = args.trials {
            study.trials = t;
        }
        if let Some(s) = args.seed {
            study.seed = s;
        }
        if let Some(label) = &args.baseline {
            match study.contract.candidate_index(label) {
                Ok(b) => study.contract.baseline = b,
                Err(e) => {
                    eprintln!("error: {}: --baseline: {e}", path.display());
                    failed += 1;
                    continue;
                }
            }
        }
        if let Err(e) = args.appetite.apply(&mut study) {
            eprintln!("error: {}: {e}", path.display());
            failed += 1;
            continue;
        }
        let outcome = match shard_spec {
            Some(spec) => {
                OUTPUTS.begin(&study.name);
                shard::run_shard(&study, &path, spec, args)
            }
            None => {
                if let Err(e) = output::check_target(&args.out, &study.name, args.force) {
                    eprintln!("error: {}: {e:#}", path.display());
                    failed += 1;
                    continue;
                }
                OUTPUTS.begin(&study.name);
                run_one(&study, &path, args)
            }
        };
        match outcome {
            Ok(dir) => {
                if !args.quiet {
                    println!("wrote {}", dir.display());
                }
            }
            Err(e) => {
                OUTPUTS.end();
                eprintln!("error: {}: {e:#}", path.display());
                failed += 1;
            }
        }
    }
    if failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn progress_bar(study: &Study, quiet: bool) -> ProgressBar {
    let pb = ProgressBar::new(study.trials);
    if quiet || !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    } else {
        pb.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} trials ({per_sec}, eta {eta})",
        ) {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(study.name.clone());
    }
    pb
}

fn run_one(study: &Study, path: &Path, args: &RunArgs) -> Result<PathBuf> {
    for w in &study.warnings {
        eprintln!("warning: {}: {w}", study.name);
    }
    if args.method.into_method() != Method::Exact {
        // A precision target may run up to its cap (default 10 x the trials).
        let cap = match (args.target_se, args.max_trials) {
            (None, _) => study.trials,
            (Some(_), Some(m)) => m,
            (Some(_), None) => study.trials.saturating_mul(10).min(config::MAX_TRIALS),
        };
        check_memory(study, cap.max(study.trials)).map_err(anyhow::Error::msg)?;
    }
    let exact_options = ExactOptions {
        max_points: args.exact_points,
        step: args.exact_step,
        tolerance: args.exact_tolerance,
    };
    let method: Method = args.method.into();
    if method != Method::Simulate {
        if args.target_se.is_some() {
            anyhow::bail!(
                "--target-se applies to the simulation alone; use it with --method simulate"
            );
        }
        let pb = progress_bar(study, args.quiet);
        let results = match method {
            Method::Exact => {
                pb.finish_and_clear();
                run_exact(study, &exact_options).map_err(anyhow::Error::msg)
            }
            _ => Ok(run_both(study, &exact_options, &|n| pb.inc(n))),
        };
        pb.finish_and_clear();
        return finish(study, &results?, args, None);
    }
    // A state is saved with --save-state, and always when resuming, so the
    // folder that replaces the resumed one can be extended again.
    let config_hash = if args.save_state || args.resume.is_some() {
        Some(state::config_hash(path)?)
    } else {
        None
    };
    let start = match (&args.resume, config_hash) {
        (Some(from), Some(hash)) => {
            let file = state::state_path(from);
            let columns = state::load_for_resume(&file, study, hash)?;
            if !args.quiet {
                eprintln!(
                    "{}: resuming {} saved trials from {}; {} trials in all",
                    study.name,
                    columns.trials(),
                    file.display(),
                    study.trials
                );
            }
            columns
        }
        _ => TrialColumns::default(),
    };
    let pb = progress_bar(study, args.quiet);
    // Whole saved blocks are kept; a partial last block is simulated again.
    pb.set_position(start.trials() as u64 / BLOCK_TRIALS * BLOCK_TRIALS);
    let run = match args.target_se {
        None => Ok(run_study_from(study, start, &|n| pb.inc(n))),
        Some(se) => {
            let target = PrecisionTarget {
                se,
                figure: args.target_figure.into(),
                max_trials: args.max_trials,
            };
            run_study_to_target_from(study, start, &target, &|n| pb.inc(n), &|n| pb.inc_length(n))
        }
    };
    pb.finish_and_clear();
    let (results, columns) = run?;
    match config_hash {
        Some(hash) => {
            let save = |w: &mut dyn Write| state::save(&mut &mut *w, study, hash, &columns);
            finish(study, &results, args, Some(&save))
        }
        None => {
            drop(columns);
            finish(study, &results, args, None)
        }
    }
}

/// Prints a run's closing lines and warnings, writes its folder (with the
/// state when `state` writes one) and prints the table.
fn finish(
    study: &Study,
    results: &Results,
    args: &RunArgs,
    state: Option<WriteFn<'_>>,
) -> Result<PathBuf> {
    if let Some(report) = &results.meta.target_se {
        eprintln!("{}", target_line(&study.name, report));
    }
    // Warnings about the estimates (too few trials) are only known now.
    for w in results
        .warnings
        .iter()
        .filter(|w| !study.warnings.contains(w))
    {
        eprintln!("warning: {}: {w}", study.name);
    }
    for c in &results.candidates {
        for w in &c.warnings {
            eprintln!("warning: {}: {}: {w}", study.name, c.label);
        }
    }
    let dir = write_results(&args.out, results, args.force, args.report, state)?;
    if !args.quiet {
        let table = TableExporter.serialize(results)?;
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&table).context("cannot write to stdout")?;
    }
    Ok(dir)
}

/// The line printed on stderr after a run with `--target-se`.
pub fn target_line(name: &str, r: &TargetSeReport) -> String {
    let target = match r.relative_target {
        Some(f) => format!(
            "{}% of the figure, ${}",
            (f * 1e12).round() / 1e10,
            dollars(r.target)
        ),
        None => format!("${}", dollars(r.target)),
    };
    if r.reached {
        format!(
            "{name}: target se reached after {} trials: the {} se is at most its target for every candidate (largest: ${} for {}, target {target})",
            r.trials,
            r.figure,
            dollars(r.achieved),
            r.candidate
        )
    } else {
        format!(
            "warning: {name}: target se not reached at the cap of {} trials: the {} se of {} is ${} (target {target})",
            r.cap,
            r.figure,
            r.candidate,
            dollars(r.achieved)
        )
    }
}

/// Writes `results.json`, `summary.csv` and `summary.md` for a run (and
/// `report.html` with `report`, `state.bin` when `state` writes one),
/// atomically.
pub fn write_results(
    out: &Path,
    results: &Results,
    force: bool,
    report: bool,
    state: Option<WriteFn<'_>>,
) -> Result<PathBuf> {
    let mut files = vec![
        (
            "results.json",
            Contents::Bytes(JsonExporter.serialize(results)?),
        ),
        (
            "summary.csv",
            Contents::Bytes(CsvExporter.serialize(results)?),
        ),
        (
            "summary.md",
            Contents::Bytes(MarkdownExporter.serialize(results)?),
        ),
    ];
    if report {
        files.push((
            "report.html",
            Contents::Bytes(HtmlExporter.serialize(results)?),
        ));
    }
    if let Some(write) = state {
        files.push((state::STATE_FILE, Contents::Stream(write)));
    }
    output::write_atomically(out, &results.name, &files, force)
}

/// `stoploss init`.
pub fn init(args: &InitArgs) -> u8 {
    let files = examples::files(args.example);
    if let Err(e) = std::fs::create_dir_all(&args.dir) {
        eprintln!("error: cannot create {}: {e}", args.dir.display());
        return EXIT_FAILED;
    }
    for (name, _) in &files {
        let path = args.dir.join(name);
        if path.exists() {
            eprintln!(
                "error: {} already exists; choose an empty folder",
                path.display()
            );
            return EXIT_FAILED;
        }
    }
    for (name, text) in &files {
        let path = args.dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return EXIT_FAILED;
        }
        println!("wrote {}", path.display());
    }
    let config = args.dir.join(files[0].0);
    println!(
        "next: edit {} (every field is described in the README), then `stoploss run {}`",
        config.display(),
        config.display()
    );
    EXIT_OK
}

/// Reads a results folder's `results.json`.
pub fn read_results(dir: &Path) -> Result<Results> {
    let path = dir.join("results.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {} (is {} a folder written by `stoploss run`?)",
            path.display(),
            dir.display()
        )
    })?;
    let mut de = serde_json::Deserializer::from_str(&text);
    let results: Results = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a stoploss results.json at {}: {}",
            path.display(),
            e.path(),
            e.inner()
        )
    })?;
    if results.schema_version != crate::report::SCHEMA_VERSION {
        anyhow::bail!(
            "{}: schema_version {} is not the {} this version reads; rerun the study",
            path.display(),
            results.schema_version,
            crate::report::SCHEMA_VERSION
        );
    }
    Ok(results)
}

/// `stoploss report`.
pub fn report(args: &ReportArgs) -> u8 {
    match report_dir(&args.dir) {
        Ok(paths) => {
            for p in paths {
                println!("wrote {}", p.display());
            }
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            EXIT_FAILED
        }
    }
}

fn report_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut results = read_results(dir)?;
    if results.decision.is_none() && !results.candidates.is_empty() {
        // An older results.json: the analysis from its figures, with
        // unpaired differences (the per-trial costs are gone).
        let appetite = crate::model::RiskAppetite::default();
        let d = crate::analysis::analyze(&results, &appetite, &crate::analysis::Unpaired(&results));
        results.decision = d;
    }
    let files = [
        ("report.html", HtmlExporter.serialize(&results)?),
        ("summary.md", MarkdownExporter.serialize(&results)?),
    ];
    output::write_files_atomically(dir, &files)?;
    Ok(files.iter().map(|(n, _)| dir.join(n)).collect())
}
