//! The commands: `run`, `validate`, `init` (`merge` and `run --shard`: [`super::shard`]).

use super::args::{InitArgs, ReportArgs, RunArgs, ValidateArgs};
use super::output::{Contents, WriteFn, OUTPUTS};
use super::plan::{OutputPlan, RunPlan, StateMode};
use super::{alternatives, examples, output, safe_write, shard, EXIT_FAILED, EXIT_OK};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use stoploss::config;
use stoploss::error::ErrorKind;
use stoploss::format::dollars;
use stoploss::model::Study;
use stoploss::report::{
    self as report, CsvExporter, Exporter, HtmlExporter, JsonExporter, MarkdownExporter,
    TableExporter, XlsxExporter,
};
use stoploss::results::{Results, TargetSeReport};
use stoploss::run::{
    check_memory, run_both, run_exact, run_study_from, run_study_to_target_from, Method,
};
use stoploss::sim::{TrialColumns, BLOCK_TRIALS};
use stoploss::state;

/// Expands folders into their `*.json` files (sorted); files pass through.
/// The second list says, for each `*.json` entry of a folder that is not a
/// regular file (a dangling link, a FIFO, a device, a folder), why it cannot
/// be run: the batch reports it and fails, rather than skip it unseen.
fn expand(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<String>), String> {
    let mut out = Vec::new();
    let mut refused = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "json"))
                .collect();
            if found.is_empty() {
                return Err(format!("{}: the folder holds no .json config", p.display()));
            }
            found.sort();
            for f in found {
                match std::fs::metadata(&f) {
                    Ok(m) if m.is_file() => out.push(f),
                    Ok(m) if m.is_dir() => refused.push(format!(
                        "{}: cannot read: is a folder, not a config file; not run",
                        f.display()
                    )),
                    Ok(_) => refused.push(format!(
                        "{}: cannot read: is not a regular file (a FIFO, socket or device); not run",
                        f.display()
                    )),
                    Err(e) => refused.push(format!(
                        "{}: cannot read: {e}{}; not run",
                        f.display(),
                        if std::fs::symlink_metadata(&f).is_ok() {
                            " (a link to nothing)"
                        } else {
                            ""
                        }
                    )),
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok((out, refused))
}

/// [`expand`], with each refused entry reported; the paths to load and
/// how many entries failed.
pub fn expand_reporting(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, usize), String> {
    let (found, refused) = expand(paths)?;
    for r in &refused {
        eprintln!("error: {r}");
    }
    Ok((found, refused.len()))
}

fn load_all(paths: &[PathBuf], options: &config::LoadOptions) -> (Vec<(PathBuf, Study)>, usize) {
    let mut ok = Vec::new();
    let mut failed = 0;
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    for p in paths {
        match config::load_with(p, options) {
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
    let (paths, refused) = match expand_reporting(&args.configs) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let options = config::LoadOptions {
        confine: args.confine,
    };
    let (ok, failed) = load_all(&paths, &options);
    let failed = failed + refused;
    for (path, study) in &ok {
        let years = study.projection.as_ref().map_or(String::new(), |p| {
            format!(", a {}-year projection", p.years)
        });
        println!(
            "ok: {} ({}): {} members, {:.0} employees, {} candidates, {} trials{years}",
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
        for w in pilot_warnings(study) {
            eprintln!("warning: {}: {w}", study.name);
        }
    }
    if failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// The warnings `run` would add about the inputs (implied loss ratios, the
/// fully insured premium), from a short pilot simulation, so that
/// `validate` shows them too.
fn pilot_warnings(study: &Study) -> Vec<String> {
    use stoploss::analysis::sanity;
    let Some(trials) = sanity::pilot_trials(study) else {
        return Vec::new();
    };
    let overrides = stoploss::model::Overrides {
        trials: Some(trials),
        ..Default::default()
    };
    let Ok(pilot) = study.with_overrides(&overrides) else {
        return Vec::new();
    };
    let results = stoploss::run::run_study(&pilot, &|_| {});
    sanity::warnings(study, &results, true)
        .into_iter()
        .map(|w| format!("{w} (from a {trials}-trial pilot simulation)"))
        .collect()
}

/// `stoploss run`.
pub fn run(args: &RunArgs) -> u8 {
    if let Some(stoploss::run::TargetSe::Dollars(x)) = args.target_se {
        if x < 1.0 {
            eprintln!(
                "warning: --target-se {x} is ${x} (a dollar amount); for {x}% of each figure write --target-se {x}%"
            );
        }
    }
    super::in_pool(args.threads, || run_in_pool(args))
}

fn run_in_pool(args: &RunArgs) -> u8 {
    let plan = match RunPlan::new(args) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let (studies, mut failed) = load_all(&plan.configs, &plan.load);
    failed += plan.refused;
    for (path, study) in studies {
        let study = match plan.study(&study) {
            Ok(study) => study,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                failed += 1;
                continue;
            }
        };
        let out = &plan.output;
        let outcome = match plan.shard {
            Some(spec) => {
                OUTPUTS.begin(&study.name);
                shard::run_shard(&study, &path, spec, out)
            }
            None => {
                if let Err(e) = output::check_target(&out.dir, &study.name, out.force) {
                    eprintln!("error: {}: {e:#}", path.display());
                    failed += 1;
                    continue;
                }
                OUTPUTS.begin(&study.name);
                run_one(&study, &path, &plan)
            }
        };
        match outcome {
            Ok(dir) => {
                if !out.quiet {
                    println!("wrote {}", dir.display());
                }
                if let Some(fit) = &args.severity_alternatives {
                    let alt = read_results(&dir)
                        .and_then(|base| alternatives::run(&path, fit, &base, &dir, &plan));
                    match alt {
                        Ok(lines) if !out.quiet => lines.iter().for_each(|l| println!("{l}")),
                        Ok(_) => {}
                        Err(e) => {
                            eprintln!("error: {}: {e:#}", path.display());
                            failed += 1;
                        }
                    }
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
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} trials ({rate}, eta {eta})")
        {
            // indicatif's {per_sec} prints `1,629.9027/s`: whole trials read better.
            let style = style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}/s", dollars(state.per_sec()));
                },
            );
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(study.name.clone());
    }
    pb
}

fn run_one(study: &Study, path: &Path, plan: &RunPlan) -> Result<PathBuf> {
    for w in &study.warnings {
        eprintln!("warning: {}: {w}", study.name);
    }
    let quiet = plan.output.quiet;
    if study.timing.is_some() && plan.state != StateMode::Off {
        anyhow::bail!(
            "{}: --save-state and --resume do not yet support studies with contract timing (their trials carry monthly figures that state files do not hold); run without them",
            study.name
        );
    }
    if plan.method != Method::Exact {
        let cap = plan.peak_trials(study);
        if cap > study.trials {
            config::limits::check_workload_of(study, cap).map_err(|e| {
                anyhow::anyhow!("--target-se may run up to {cap} trials: {}", e.message)
            })?;
        }
        check_memory(study, cap).map_err(anyhow::Error::msg)?;
    }
    if plan.method != Method::Simulate {
        let pb = progress_bar(study, quiet);
        let results = match plan.method {
            Method::Exact => {
                pb.finish_and_clear();
                run_exact(study, &plan.exact).map_err(anyhow::Error::msg)
            }
            _ => Ok(run_both(study, &plan.exact, &|n| pb.inc(n))),
        };
        pb.finish_and_clear();
        return finish(study, &results?, &plan.output, None);
    }
    // A state is saved with --save-state, and always when resuming, so the
    // folder that replaces the resumed one can be extended again.
    let config_hash = match plan.state {
        StateMode::Off => None,
        _ => Some(state::config_hash(path)?),
    };
    let start = match (&plan.state, config_hash) {
        (StateMode::Resume(from), Some(hash)) => {
            let file = state::state_path(from);
            let columns = state::load_for_resume(&file, study, hash)?;
            if !quiet {
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
    let pb = progress_bar(study, quiet);
    // Whole saved blocks are kept; a partial last block is simulated again.
    pb.set_position(start.trials() as u64 / BLOCK_TRIALS * BLOCK_TRIALS);
    let run = match &plan.target {
        None => Ok(run_study_from(study, start, &|n| pb.inc(n))),
        Some(target) => {
            run_study_to_target_from(study, start, target, &|n| pb.inc(n), &|n| pb.inc_length(n))
        }
    };
    pb.finish_and_clear();
    let (results, columns) = run?;
    match config_hash {
        Some(hash) => {
            let save = |w: &mut dyn Write| state::save(&mut &mut *w, study, hash, &columns);
            finish(study, &results, &plan.output, Some(&save))
        }
        None => {
            drop(columns);
            finish(study, &results, &plan.output, None)
        }
    }
}

/// Prints a run's closing lines and warnings, writes its folder (with the
/// state when `state` writes one) and prints the table.
fn finish(
    study: &Study,
    results: &Results,
    out: &OutputPlan,
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
    let dir = write_results(&out.dir, results, out.force, out.report, state)?;
    if !out.quiet {
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
        // A target under a dollar (`--target-se 0.02`) is shown in cents.
        None if r.target < 1.0 => format!("${:.2}", r.target),
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
    if report::has_timing(results) {
        files.push((
            "cash_flow.csv",
            Contents::Bytes(report::CashFlowCsvExporter.serialize(results)?),
        ));
    }
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
    // A link counts as existing (even a dangling one: writing through it
    // would create a file elsewhere), and each file is created new, so a
    // link planted after this check is refused too.
    for (name, _) in &files {
        let path = args.dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok() {
            eprintln!(
                "error: {} already exists; choose an empty folder",
                path.display()
            );
            return EXIT_FAILED;
        }
    }
    for (name, text) in &files {
        let path = args.dir.join(name);
        let written = safe_write::create_new(&path).and_then(|mut f| f.write_all(text.as_bytes()));
        if let Err(e) = written {
            let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
                "it already exists; choose an empty folder".to_string()
            } else {
                e.to_string()
            };
            eprintln!("error: cannot write {}: {why}", path.display());
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

/// Largest `results.json` that `stoploss report` reads (bytes): well above
/// what the largest study allowed writes ([`config::limits::MAX_CANDIDATES`]).
pub const MAX_RESULTS_BYTES: u64 = 1 << 30;

/// Reads a results folder's `results.json`.
pub fn read_results(dir: &Path) -> Result<Results> {
    let path = dir.join("results.json");
    let text = config::read_limited(&path, MAX_RESULTS_BYTES, "results files")
        .and_then(|b| config::utf8(b, &path.display().to_string(), ErrorKind::Syntax))
        .with_context(|| {
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
    if results.schema_version != stoploss::results::SCHEMA_VERSION {
        anyhow::bail!(
            "{}: schema_version {} is not the {} this version reads; rerun the study",
            path.display(),
            results.schema_version,
            stoploss::results::SCHEMA_VERSION
        );
    }
    Ok(results)
}

/// `stoploss report`.
pub fn report(args: &ReportArgs) -> u8 {
    match report_dir(args) {
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

fn report_dir(args: &ReportArgs) -> Result<Vec<PathBuf>> {
    let dir = args.dir.as_path();
    let mut results = read_results(dir)?;
    if let Some(client) = &args.client {
        if let Some(problem) =
            config::limits::text_problem(client, config::limits::MAX_LABEL_CHARS, false)
        {
            anyhow::bail!("--client {problem}");
        }
        if let Some(a) = results.assumptions.as_mut() {
            a.client = Some(client.clone());
        }
    }
    if results.decision.is_none() && !results.candidates.is_empty() {
        // An older results.json: the analysis from its figures, with
        // unpaired differences (the per-trial costs are gone).
        let appetite = stoploss::model::RiskAppetite::default();
        let d = stoploss::analysis::analyze(
            &results,
            &appetite,
            &stoploss::analysis::Unpaired(&results),
        );
        results.decision = d;
    }
    let html = HtmlExporter.serialize(&results)?;
    let mut files = Vec::new();
    if args.pdf {
        files.push(("report.pdf", super::pdf::print(&html)?));
    }
    if args.xlsx {
        files.push(("workbook.xlsx", XlsxExporter.serialize(&results)?));
    }
    files.insert(0, ("summary.md", MarkdownExporter.serialize(&results)?));
    files.insert(0, ("report.html", html));
    output::write_files_atomically(dir, &files)?;
    Ok(files.iter().map(|(n, _)| dir.join(n)).collect())
}
