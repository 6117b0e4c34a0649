//! `stoploss._stoploss`: the Python extension module over the `stoploss`
//! crate. It only loads, runs and hands over: every number comes from the
//! library (`config::load_with` / `config::parse`, `Study::with_overrides`,
//! `run::run_study_from` / `run_exact` / `run_both`, the exporters and
//! `evaluate::trial_costs`). The Python package `stoploss` (`stoploss/`)
//! wraps this module into its documented API.

use numpy::ndarray::ArrayView1;
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::{
    PyKeyError, PyKeyboardInterrupt, PyMemoryError, PyRuntimeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use stoploss::evaluate::{trial_costs, CandidateTerms, OptionExpectations};
use stoploss::exact::ExactOptions;
use stoploss::model::{Overrides, Study};
use stoploss::report::{CsvExporter, Exporter, JsonExporter};
use stoploss::results::Results;
use stoploss::run::{check_memory, run_both, run_exact, run_study_from, Method};
use stoploss::sim::{AggregateView, Claimants, ColumnLayout, TrialColumns, BLOCK_TRIALS};

pyo3::create_exception!(
    _stoploss,
    ConfigError,
    PyValueError,
    "A config (or a census or data file it names) that stoploss refuses: \
     `kind`, `file`, `location` and `message` as the command line reports them."
);

/// The library's config error as a Python `ConfigError` with its parts as
/// attributes; `str()` is the command line's message (after `error: `).
fn config_error(py: Python<'_>, e: &stoploss::error::ConfigError) -> PyErr {
    let err = ConfigError::new_err(e.to_string());
    let value = err.value(py);
    let set = || -> PyResult<()> {
        value.setattr("kind", format!("{:?}", e.kind))?;
        value.setattr("kind_text", e.kind.name())?;
        value.setattr("file", &e.file)?;
        value.setattr("location", &e.location)?;
        value.setattr("message", &e.message)?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(other) => other,
    }
}

/// A study from a config file (`path`) or config text (`text`, named
/// `file` in messages, relative paths resolved against the current folder).
fn load(py: Python<'_>, path: Option<&str>, text: Option<&str>, file: &str) -> PyResult<Study> {
    let loaded = match (path, text) {
        (Some(p), None) => {
            stoploss::config::load_with(Path::new(p), &stoploss::config::LoadOptions::default())
        }
        (None, Some(t)) => stoploss::config::parse(t, file, Path::new(".")),
        _ => return Err(PyValueError::new_err("give a config path or config text")),
    };
    loaded.map_err(|e| config_error(py, &e))
}

/// Validates a config; returns what `stoploss validate` prints about it.
#[pyfunction]
#[pyo3(signature = (path=None, text=None, file="<dict>"))]
fn validate<'py>(
    py: Python<'py>,
    path: Option<&str>,
    text: Option<&str>,
    file: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let study = load(py, path, text, file)?;
    let d = PyDict::new(py);
    d.set_item("name", &study.name)?;
    d.set_item("members", study.population.member_count())?;
    d.set_item("employees", study.population.employees())?;
    d.set_item("candidates", study.contract.candidates.len())?;
    d.set_item("trials", study.trials)?;
    d.set_item("seed", study.seed)?;
    d.set_item("warnings", study.warnings.clone())?;
    Ok(d)
}

/// Member-years simulated between two checks for Ctrl-C: a fraction of a
/// second on a core or two.
const CHUNK_MEMBER_YEARS: u64 = 8_000_000;

/// Why a run did not finish.
enum Failure {
    /// It would not fit in memory (`run::check_memory`).
    Memory(String),
    /// The engine refused it (the exact engine cannot represent a feature).
    Refused(String),
    /// A panic.
    Panic,
}

/// What the worker thread hands back (`None`: cancelled).
type Outcome = Result<Option<(Results, Option<TrialColumns>)>, Failure>;

/// The simulation of `study`, in chunks of whole blocks so that `cancel`
/// can stop it between two chunks (then `None`). Blocks are seeded by their
/// index and whole blocks are the same whatever the run's length, so the
/// results are bit-identical to `run_study`'s (`run_study_from` finishes
/// the run and evaluates it); only the timing in `meta` covers all chunks.
fn simulate(
    study: &Study,
    cancel: &AtomicBool,
    progress: &(dyn Fn(u64) + Sync),
) -> Option<(Results, TrialColumns)> {
    let start = Instant::now();
    // Whole blocks, as many for every worker thread.
    let threads = rayon::current_num_threads().max(1) as u64;
    let per_block = (study.population.member_count() as u64).max(1) * BLOCK_TRIALS;
    let chunk = CHUNK_MEMBER_YEARS.div_ceil(per_block).div_ceil(threads) * threads * BLOCK_TRIALS;
    let mut columns = TrialColumns::with_capacity(study.trials as usize, &ColumnLayout::of(study));
    let mut held = 0u64;
    while study.trials - held > chunk {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        held += chunk;
        columns.extend_to(study, held, progress);
    }
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    let (mut r, columns) = run_study_from(study, columns, progress);
    let elapsed = start.elapsed().as_secs_f64();
    r.meta.elapsed_seconds = elapsed;
    r.meta.member_years_per_second = if elapsed > 0.0 {
        study.trials as f64 * study.population.member_count() as f64 / elapsed
    } else {
        0.0
    };
    Some((r, columns))
}

/// Runs in the current (rayon) pool.
fn compute(study: &Study, method: Method, cancel: &AtomicBool, done: &AtomicU64) -> Outcome {
    let progress = |n: u64| {
        done.fetch_add(n, Ordering::Relaxed);
    };
    if method != Method::Exact {
        check_memory(study, study.trials).map_err(|e| Failure::Memory(e.to_string()))?;
    }
    Ok(match method {
        Method::Simulate => simulate(study, cancel, &progress).map(|(r, c)| (r, Some(c))),
        Method::Exact => Some((
            run_exact(study, &ExactOptions::default())
                .map_err(|e| Failure::Refused(e.to_string()))?,
            None,
        )),
        Method::Both => Some((run_both(study, &ExactOptions::default(), &progress), None)),
    })
}

/// Most worker threads per core, as the command line allows.
const MAX_THREADS_PER_CORE: usize = 4;

/// Runs a study. `trials` and `seed` override the config's (through
/// `Study::with_overrides`); `threads` sizes the worker pool (results do not
/// depend on it); `progress(done, total)` is called now and then with the
/// trials simulated. The GIL is released while the run computes; Ctrl-C
/// stops a simulation between two chunks of blocks and raises
/// KeyboardInterrupt (the exact engine finishes its step first).
#[pyfunction]
#[pyo3(signature = (path=None, text=None, file="<dict>", trials=None, seed=None, threads=None, method="simulate", progress=None))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    path: Option<&str>,
    text: Option<&str>,
    file: &str,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
    method: &str,
    progress: Option<Py<PyAny>>,
) -> PyResult<RunResults> {
    let method = match method {
        "simulate" => Method::Simulate,
        "exact" => Method::Exact,
        "both" => Method::Both,
        other => {
            return Err(PyValueError::new_err(format!(
                "method must be \"simulate\", \"exact\" or \"both\", got {other:?}"
            )))
        }
    };
    let study = load(py, path, text, file)?;
    let study = study
        .with_overrides(&Overrides {
            trials,
            seed,
            ..Overrides::default()
        })
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(n) = threads {
        if n == 0 || n > MAX_THREADS_PER_CORE * cores {
            return Err(PyValueError::new_err(format!(
                "threads: must be between 1 and {} ({MAX_THREADS_PER_CORE} per core, {cores} core(s) here), got {n}; results do not depend on it",
                MAX_THREADS_PER_CORE * cores
            )));
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start worker threads: {e}")))?;
    let cancel = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let total = if method == Method::Exact {
        0
    } else {
        study.trials
    };
    let (outcome, interrupted) = py.detach(|| {
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel();
            let (study, cancel, done, pool) = (&study, &cancel, &done, &pool);
            let worker = s.spawn(move || {
                let outcome = pool.install(|| compute(study, method, cancel, done));
                let _ = tx.send(());
                outcome
            });
            let mut interrupted: Option<PyErr> = None;
            let mut shown = u64::MAX;
            loop {
                let finished = !matches!(
                    rx.recv_timeout(Duration::from_millis(100)),
                    Err(mpsc::RecvTimeoutError::Timeout)
                );
                if interrupted.is_none() {
                    // Signals are only seen with the GIL, on the main thread.
                    let checked = Python::attach(|py| -> PyResult<()> {
                        py.check_signals()?;
                        let now = done.load(Ordering::Relaxed);
                        if let Some(cb) = &progress {
                            if now != shown {
                                cb.call1(py, (now, total))?;
                                shown = now;
                            }
                        }
                        Ok(())
                    });
                    if let Err(e) = checked {
                        cancel.store(true, Ordering::Relaxed);
                        interrupted = Some(e);
                    }
                }
                if finished {
                    break;
                }
            }
            let outcome = worker.join().unwrap_or(Err(Failure::Panic));
            (outcome, interrupted)
        })
    });
    if let Some(e) = interrupted {
        return Err(e);
    }
    match outcome {
        Ok(Some((results, columns))) => {
            let expectations = columns
                .as_ref()
                .map(|c| OptionExpectations::from_columns(&study, c));
            Ok(RunResults {
                results,
                study,
                columns,
                expectations,
            })
        }
        Ok(None) => Err(PyKeyboardInterrupt::new_err("run interrupted")),
        Err(Failure::Memory(message)) => Err(PyMemoryError::new_err(message)),
        Err(Failure::Refused(message)) => Err(PyValueError::new_err(message)),
        Err(Failure::Panic) => Err(PyRuntimeError::new_err(
            "the run failed: a panic in the engine (a bug: please report it)",
        )),
    }
}

/// A finished run: the results, and for a simulation the trials behind them.
#[pyclass(frozen, module = "stoploss._stoploss")]
struct RunResults {
    results: Results,
    study: Study,
    /// The per-trial columns (simulation only). Never changed once here:
    /// the arrays handed to Python borrow their memory.
    columns: Option<TrialColumns>,
    expectations: Option<OptionExpectations>,
}

impl RunResults {
    fn columns(&self) -> PyResult<&TrialColumns> {
        self.columns.as_ref().ok_or_else(|| {
            PyValueError::new_err(format!(
                "per-trial outcomes are kept for method=\"simulate\" only (this run: {})",
                self.results.meta.method
            ))
        })
    }
}

/// A read-only NumPy array over `data`, which `owner` keeps alive and
/// never changes.
fn borrowed<'py, T: numpy::Element>(
    owner: &Bound<'py, RunResults>,
    data: &[T],
) -> PyResult<Bound<'py, PyArray1<T>>> {
    let view = ArrayView1::from(data);
    // SAFETY: `data` lives in `owner`'s columns, which are never modified or
    // moved while `owner` lives; the array holds a reference to `owner`.
    let array = unsafe { PyArray1::borrow_from_array(&view, owner.clone().into_any()) };
    array.call_method1("setflags", (false,))?;
    Ok(array)
}

/// `array`, made read-only like the borrowed columns.
fn read_only<T: numpy::Element>(array: Bound<'_, PyArray1<T>>) -> PyResult<Bound<'_, PyArray1<T>>> {
    array.call_method1("setflags", (false,))?;
    Ok(array)
}

#[pymethods]
impl RunResults {
    /// results.json, as the command line writes it.
    fn json(&self) -> PyResult<String> {
        let bytes = JsonExporter
            .serialize(&self.results)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// summary.csv, as the command line writes it.
    fn csv(&self) -> PyResult<String> {
        let bytes = CsvExporter
            .serialize(&self.results)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Candidate labels, in order.
    fn labels(&self) -> Vec<String> {
        self.results
            .candidates
            .iter()
            .map(|c| c.label.clone())
            .collect()
    }

    /// Specific option labels, in order (the keys of the per-option columns).
    fn specific_labels(&self) -> Vec<String> {
        self.study
            .contract
            .specific
            .iter()
            .map(|o| o.label.clone())
            .collect()
    }

    /// The employer's cost of candidate `label` in every trial, in trial order.
    fn trial_costs<'py>(
        &self,
        py: Python<'py>,
        label: &str,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let columns = self.columns()?;
        let index = self
            .study
            .contract
            .candidate_index(label)
            .map_err(|e| PyKeyError::new_err(e.to_string()))?;
        let expectations = self.expectations.as_ref().expect("kept with the columns");
        let terms = CandidateTerms::new(
            &self.study,
            expectations,
            &self.study.contract.candidates[index],
        );
        let costs = py.detach(|| trial_costs(&self.study, columns, &terms));
        Ok(costs.into_pyarray(py))
    }

    /// Gross claims per trial (read-only, no copy).
    fn gross<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let columns = slf.get().columns()?;
        borrowed(slf, &columns.gross)
    }

    /// `column` (`retained`, `aggregate_retained`) of specific option `s`
    /// per trial (read-only; no copy, except an aggregate column the run
    /// does not store because it equals the retained one).
    fn option_column<'py>(
        slf: &Bound<'py, Self>,
        column: &str,
        s: usize,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let columns = slf.get().columns()?;
        let no_option = || PyValueError::new_err(format!("no specific option {s}"));
        match column {
            "retained" => borrowed(slf, columns.retained.get(s).ok_or_else(no_option)?),
            "aggregate_retained" => {
                if s >= columns.aggregate_columns() {
                    return Err(no_option());
                }
                match columns.aggregate(s) {
                    AggregateView::Column(data) => borrowed(slf, data),
                    derived => {
                        read_only(derived.iter().collect::<Vec<f64>>().into_pyarray(slf.py()))
                    }
                }
            }
            _ => Err(PyValueError::new_err(format!("no column {column:?}"))),
        }
    }

    /// Members above their specific deductible per trial, for specific
    /// option `s` (read-only, no copy).
    fn claimants<'py>(slf: &Bound<'py, Self>, s: usize) -> PyResult<Bound<'py, PyArray1<u32>>> {
        let columns = slf.get().columns()?;
        let data = columns
            .claimants
            .get(s)
            .ok_or_else(|| PyValueError::new_err(format!("no specific option {s}")))?;
        match data {
            Claimants::U32(data) => borrowed(slf, data),
            // Held in 16 bits: handed over widened, as a copy.
            narrow => read_only(narrow.to_u32().into_owned().into_pyarray(slf.py())),
        }
    }
}

/// The extension module.
#[pymodule]
fn _stoploss(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_class::<RunResults>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
