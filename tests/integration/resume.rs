//! Saved state and resumed runs through the command line: a run saved with
//! `--save-state` and continued with `--resume` writes results, a summary
//! and a state byte-identical (timing fields aside) to one run of the total
//! trials; foreign, damaged and mismatched states are refused with a
//! message naming the file and the mismatch, and nothing is written.

use crate::util::{s, small, stderr_of};

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// The only fields of results.json that may differ between identical runs.
const TIMING: [&str; 3] = ["threads", "elapsed_seconds", "member_years_per_second"];

/// Runs `stoploss ARGS`, checks the exit code and that nothing panicked.
fn exec(args: &[&str], code: i32) -> Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stoploss"))
        .args(args)
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .expect("stoploss runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(code),
        "stoploss {args:?}:\n{stderr}"
    );
    out
}

/// Runs `config` into `out` with `trials` and extra flags, quietly.
fn run(config: &Path, out: &Path, trials: u64, extra: &[&str]) {
    let trials = trials.to_string();
    let mut args = vec!["run", s(config), "--out", s(out), "--trials", &trials, "-q"];
    args.extend_from_slice(extra);
    exec(&args, 0);
}

/// results.json with the timing fields removed, as text.
fn results_without_timing(dir: &Path) -> String {
    let text = fs::read_to_string(dir.join("results.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let meta = v["meta"].as_object_mut().expect("meta");
    for k in TIMING {
        assert!(meta.remove(k).is_some(), "meta.{k} missing");
    }
    serde_json::to_string_pretty(&v).unwrap()
}

/// The two folders hold the same results, summary and state.
fn assert_same_run(a: &Path, b: &Path) {
    assert_eq!(results_without_timing(a), results_without_timing(b));
    for f in ["summary.csv", "state.bin"] {
        assert!(
            fs::read(a.join(f)).unwrap() == fs::read(b.join(f)).unwrap(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Every entry of `dir` (none when it does not exist), sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match fs::read_dir(dir) {
        Err(_) => Vec::new(),
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
    };
    v.sort();
    v
}

#[test]
fn resumed_runs_equal_one_run_of_the_total() {
    let tmp = TempDir::new().unwrap();
    let cfg = small();
    let one = tmp.path().join("one");
    run(&cfg, &one, 20_000, &["--save-state"]);
    // 7,000 trials end in a partial block (6 x 1,024 + 856), which the
    // resumed run simulates again in full; 12,288 is a block boundary.
    let parts = tmp.path().join("parts");
    run(&cfg, &parts, 7_000, &["--save-state", "--threads", "1"]);
    let folder = parts.join("small-100");
    assert_eq!(
        fs::metadata(folder.join("state.bin")).unwrap().len(),
        128 + 7_000 * (8 + 20 * 4),
        "header + 7,000 trials x (8 + 20 x 4 specific options) bytes"
    );
    for (trials, threads) in [(12_288, "2"), (20_000, "1")] {
        let out = exec(
            &[
                "run",
                s(&cfg),
                "--out",
                s(&parts),
                "--trials",
                &trials.to_string(),
                "--resume",
                s(&folder),
                "--force",
                "--threads",
                threads,
            ],
            0,
        );
        assert!(
            stderr_of(&out).contains("small-100: resuming"),
            "{}",
            stderr_of(&out)
        );
    }
    assert_same_run(&one.join("small-100"), &folder);
    let meta: Value =
        serde_json::from_str(&fs::read_to_string(folder.join("results.json")).unwrap()).unwrap();
    assert_eq!(meta["meta"]["trials"], 20_000);
    assert_eq!(entries(&parts), ["small-100"]);
}

/// A precision target goes through the same trial counts from a resumed
/// start as from a plain one, so the results (meta.target_se included)
/// and the final state are the same.
#[test]
fn resume_with_a_precision_target_equals_a_plain_target_run() {
    let tmp = TempDir::new().unwrap();
    let cfg = small();
    let target = ["--target-se", "0.15%", "--save-state"];
    let plain = tmp.path().join("plain");
    run(&cfg, &plain, 2_048, &target);
    let resumed = tmp.path().join("resumed");
    run(&cfg, &resumed, 1_000, &["--save-state"]);
    let from = resumed.join("small-100");
    let mut extra = vec!["--resume", s(&from), "--force"];
    extra.extend_from_slice(&target);
    run(&cfg, &resumed, 2_048, &extra);
    assert_same_run(&plain.join("small-100"), &from);
    let v: Value =
        serde_json::from_str(&fs::read_to_string(from.join("results.json")).unwrap()).unwrap();
    let report = &v["meta"]["target_se"];
    assert_eq!(report["reached"], true, "{report}");
    assert!(
        report["trials"].as_u64().unwrap() > 2_048,
        "the target needed more trials: {report}"
    );
}

/// The config hash ignores whitespace, key order, the spelling of numbers,
/// `trials` and `description`: a reformatted config resumes.
#[test]
fn a_reformatted_config_resumes() {
    let tmp = TempDir::new().unwrap();
    let saved = tmp.path().join("saved");
    run(&small(), &saved, 3_000, &["--save-state"]);
    let mut v: Value = serde_json::from_str(&fs::read_to_string(small()).unwrap()).unwrap();
    // (The description is left alone: results.json repeats it.)
    v["trials"] = 5.into();
    // 18 months of trend written as a float; keys come out sorted.
    v["trend"]["months"] = serde_json::json!(18.0);
    let text = serde_json::to_string(&v).unwrap();
    assert!(text.contains("\"months\":18.0"));
    let reformatted = tmp.path().join("compact.json");
    fs::write(&reformatted, text).unwrap();
    let out = tmp.path().join("out");
    let from = saved.join("small-100");
    run(
        &reformatted,
        &out,
        5_000,
        &["--resume", s(&from.join("state.bin"))],
    );
    let plain = tmp.path().join("plain");
    run(&small(), &plain, 5_000, &["--save-state"]);
    assert_same_run(&plain.join("small-100"), &out.join("small-100"));
}

/// Saves a 3,000-trial run of small-100 under `dir/saved`.
fn saved_run(dir: &Path) -> PathBuf {
    let saved = dir.join("saved");
    run(&small(), &saved, 3_000, &["--save-state"]);
    saved.join("small-100")
}

/// Resuming from `from` into a fresh folder fails with exit 1, every
/// fragment in the message, and nothing written.
fn assert_refused(dir: &Path, config: &Path, from: &Path, extra: &[&str], fragments: &[&str]) {
    let out = dir.join("refused");
    let mut args = vec!["run", s(config), "--out", s(&out), "--resume", s(from)];
    if !extra.contains(&"--trials") {
        args.extend(["--trials", "5000"]);
    }
    args.extend_from_slice(extra);
    let stderr = stderr_of(&exec(&args, 1));
    for f in fragments {
        assert!(stderr.contains(f), "missing `{f}` in:\n{stderr}");
    }
    assert!(entries(&out).is_empty(), "{:?}", entries(&out));
}

#[test]
fn a_state_of_another_seed_is_refused() {
    let tmp = TempDir::new().unwrap();
    let from = saved_run(tmp.path());
    let file = from.join("state.bin");
    assert_refused(
        tmp.path(),
        &small(),
        &from,
        &["--seed", "8"],
        &[
            &format!("{}: it was saved with seed 20250101", file.display()),
            "this run has 8; pass --seed 20250101",
        ],
    );
}

#[test]
fn a_state_of_another_config_is_refused() {
    let tmp = TempDir::new().unwrap();
    let from = saved_run(tmp.path());
    let mut v: Value = serde_json::from_str(&fs::read_to_string(small()).unwrap()).unwrap();
    v["stop_loss"]["specific"][0]["deductible"] = 30_000.into();
    let other = tmp.path().join("other.json");
    fs::write(&other, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    assert_refused(
        tmp.path(),
        &other,
        &from,
        &[],
        &[
            &format!(
                "{}: it was saved for config hash",
                from.join("state.bin").display()
            ),
            "the config, its census or a data file changed",
        ],
    );
}

/// Changes made to a good state file.
type Damage = Box<dyn Fn(&mut Vec<u8>)>;

/// Damage to any part of the file is caught before a trial is used.
#[test]
fn damaged_states_are_refused() {
    let tmp = TempDir::new().unwrap();
    let from = saved_run(tmp.path());
    let good = fs::read(from.join("state.bin")).unwrap();
    let cases: [(&str, Damage, &str); 5] = [
        (
            "payload",
            Box::new(|b| b[128 + 5_000] ^= 0x10),
            "the trial data is corrupt",
        ),
        (
            "header",
            Box::new(|b| b[57] ^= 0x01),
            "the header is corrupt",
        ),
        (
            "magic",
            Box::new(|b| b[0] = b'X'),
            "not a stoploss state file",
        ),
        (
            "truncated",
            Box::new(|b| b.truncate(b.len() - 8)),
            "its header announces",
        ),
        ("empty", Box::new(|b| b.clear()), "the file is truncated"),
    ];
    for (name, damage, message) in cases {
        let mut bytes = good.clone();
        damage(&mut bytes);
        let file = tmp.path().join(format!("{name}.bin"));
        fs::write(&file, &bytes).unwrap();
        assert_refused(
            tmp.path(),
            &small(),
            &file,
            &[],
            &[&format!("{}: ", file.display()), message],
        );
    }
}

#[test]
fn fewer_trials_than_saved_and_missing_states_are_refused() {
    let tmp = TempDir::new().unwrap();
    let from = saved_run(tmp.path());
    assert_refused(
        tmp.path(),
        &small(),
        &from,
        &["--trials", "2000"],
        &["it holds 3000 trials, more than the 2000 asked for"],
    );
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert_refused(
        tmp.path(),
        &small(),
        &empty,
        &[],
        &[&format!(
            "{}: cannot read it",
            empty.join("state.bin").display()
        )],
    );
}

/// Resuming into the folder it resumes from replaces it, so it needs
/// --force like any other existing output.
#[test]
fn resuming_in_place_needs_force() {
    let tmp = TempDir::new().unwrap();
    let from = saved_run(tmp.path());
    let before = fs::read(from.join("state.bin")).unwrap();
    let out = exec(
        &[
            "run",
            s(&small()),
            "--out",
            s(&tmp.path().join("saved")),
            "--trials",
            "5000",
            "--resume",
            s(&from),
        ],
        1,
    );
    assert!(stderr_of(&out).contains("--force"), "{}", stderr_of(&out));
    assert_eq!(fs::read(from.join("state.bin")).unwrap(), before);
}

#[test]
fn state_flags_refuse_what_they_cannot_do() {
    let tmp = TempDir::new().unwrap();
    let from = saved_run(tmp.path());
    let out = tmp.path().join("out");
    let cfg = small();
    let cases: [(Vec<&str>, &str); 3] = [
        (
            vec!["--resume", s(&from), "--method", "exact"],
            "--resume applies to --method simulate",
        ),
        (
            vec!["--save-state", "--method", "both"],
            "--save-state applies to --method simulate",
        ),
        (
            vec!["--resume", s(&from), s(&cfg)],
            "--resume continues one run: give exactly one config, got 2",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec!["run", s(&cfg), "--out", s(&out), "--trials", "2000"];
        args.extend_from_slice(&extra);
        let stderr = stderr_of(&exec(&args, 1));
        assert!(stderr.contains(message), "{extra:?}: {stderr}");
    }
    assert!(entries(&out).is_empty());
}
