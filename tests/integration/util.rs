//! Helpers shared by the test modules.

#![allow(dead_code)] // each module uses a part

use std::path::{Path, PathBuf};
use std::process::Output;
use stoploss::model::Study;
use stoploss::results::{CandidateResult, Results};

/// A temporary path as the `&str` a command line takes.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// The shipped configs' folder.
pub fn configs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("configs")
}

/// The shipped `small-100` config.
pub fn small() -> PathBuf {
    configs_dir().join("small-100.json")
}

/// A command's standard error as text.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A command's standard output as text.
pub fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The validated study of `json`, whose files are relative to `dir`.
pub fn study(json: &str, dir: &Path) -> Study {
    stoploss::config::parse(json, "test.json", dir)
        .unwrap_or_else(|e| panic!("config rejected: {e:?}\n{json}"))
}

/// The candidate labelled `label`.
pub fn cand<'a>(r: &'a Results, label: &str) -> &'a CandidateResult {
    r.candidates
        .iter()
        .find(|c| c.label == label)
        .unwrap_or_else(|| {
            let labels: Vec<_> = r.candidates.iter().map(|c| c.label.as_str()).collect();
            panic!("no candidate `{label}`; have {labels:?}")
        })
}

/// `got` is finite and within `tol` of `want`.
pub fn assert_within(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        got.is_finite() && (got - want).abs() <= tol,
        "{what}: got {got}, expected {want} +/- {tol} (off by {:.2} tolerances)",
        (got - want).abs() / tol
    );
}

/// `got` is within `rel` of `want`, relatively.
pub fn assert_rel(what: &str, got: f64, want: f64, rel: f64) {
    assert_within(what, got, want, rel * want.abs());
}
