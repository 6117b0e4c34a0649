//! Sharded runs through the command line: `run --shard I/N` for every I,
//! then `merge`, gives results.json and summary.csv byte-identical (timing
//! fields aside) to one run, for any N; missing, duplicate, foreign and
//! damaged shards, a changed config and bad shard flags are refused with a
//! message naming them, and nothing is written.

use crate::util::{s, small, stderr_of};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// The only fields of results.json that may differ between identical runs.
const TIMING: [&str; 3] = ["threads", "elapsed_seconds", "member_years_per_second"];

/// Runs `stoploss ARGS` with extra environment, checks the exit code and
/// that nothing panicked.
fn exec_env(args: &[&str], env: &[(&str, &str)], code: i32) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_stoploss"));
    cmd.args(args);
    for var in [
        "RAYON_NUM_THREADS",
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_STEP",
        "JOB_COMPLETION_INDEX",
        "AWS_BATCH_JOB_ARRAY_INDEX",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("stoploss runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(code),
        "stoploss {args:?}:\n{stderr}"
    );
    out
}

fn exec(args: &[&str], code: i32) -> Output {
    exec_env(args, &[], code)
}

/// The bytes of results.json with the values of the timing fields blanked.
fn results_bytes(dir: &Path) -> String {
    let text = fs::read_to_string(dir.join("results.json")).unwrap();
    let mut blanked = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let key = l
                .trim_start()
                .split(':')
                .next()
                .unwrap_or("")
                .trim_matches('"');
            if TIMING.contains(&key) {
                blanked += 1;
                format!("{key}: <timing>")
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_eq!(blanked, TIMING.len(), "timing fields in {}", dir.display());
    lines.join("\n")
}

/// Runs every shard of `count` of `config` into `shards` with `extra` flags.
fn run_shards(config: &Path, shards: &Path, trials: u64, count: u64, extra: &[&str]) {
    let trials = trials.to_string();
    for i in 0..count {
        let spec = format!("{i}/{count}");
        let mut args = vec!["run", s(config), "--out", s(shards), "--trials", &trials];
        args.extend_from_slice(&["--shard", &spec, "-q"]);
        args.extend_from_slice(extra);
        exec(&args, 0);
    }
}

#[test]
fn merged_shards_are_byte_identical_to_one_run_for_any_count() {
    let tmp = TempDir::new().unwrap();
    let trials = 5_000; // 5 blocks, the last partial
    let single = tmp.path().join("single");
    exec(
        &[
            "run",
            s(&small()),
            "--out",
            s(&single),
            "--trials",
            "5000",
            "-q",
        ],
        0,
    );
    let want_json = results_bytes(&single.join("small-100"));
    let want_csv = fs::read(single.join("small-100/summary.csv")).unwrap();
    for count in [1u64, 2, 5] {
        let shards = tmp.path().join(format!("shards-{count}"));
        run_shards(&small(), &shards, trials, count, &[]);
        let merged = tmp.path().join(format!("merged-{count}"));
        exec(
            &["merge", s(&shards), "--out", s(&merged), "-q", "-j", "1"],
            0,
        );
        assert_eq!(
            results_bytes(&merged.join("small-100")),
            want_json,
            "{count} shards"
        );
        assert_eq!(
            fs::read(merged.join("small-100/summary.csv")).unwrap(),
            want_csv,
            "{count} shards"
        );
    }
}

#[test]
fn seed_and_baseline_flags_carry_through_the_merge() {
    let tmp = TempDir::new().unwrap();
    let config = small();
    let flags = ["--seed", "7", "--baseline", "spec $50k / agg 120%"];
    let single = tmp.path().join("single");
    let mut args = vec![
        "run",
        s(&config),
        "--out",
        s(&single),
        "--trials",
        "3000",
        "-q",
    ];
    args.extend_from_slice(&flags);
    exec(&args, 0);
    let shards = tmp.path().join("shards");
    run_shards(&small(), &shards, 3_000, 3, &flags);
    // Shards given one by one, out of order, and as shard.bin files.
    let mut parts: Vec<PathBuf> = fs::read_dir(&shards)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    parts.reverse();
    parts[0] = parts[0].join("shard.bin");
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge", "--out", s(&merged), "-q"];
    args.extend(parts.iter().map(|p| s(p)));
    exec(&args, 0);
    assert_eq!(
        results_bytes(&merged.join("small-100")),
        results_bytes(&single.join("small-100"))
    );
}

/// Three shards of 3,000 trials in `tmp/shards`; returns their folders.
fn three_shards(tmp: &Path) -> Vec<PathBuf> {
    let shards = tmp.join("shards");
    run_shards(&small(), &shards, 3_000, 3, &[]);
    let mut dirs: Vec<PathBuf> = fs::read_dir(&shards)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    dirs
}

/// `merge PARTS` must fail naming `expect`, and write nothing.
fn merge_refused(tmp: &Path, parts: &[&Path], expect: &[&str]) {
    let out = tmp.join("merged");
    let mut args = vec!["merge", "--out", s(&out), "-q"];
    args.extend(parts.iter().map(|p| s(p)));
    let err = stderr_of(&exec(&args, 1));
    for e in expect {
        assert!(err.contains(e), "expected `{e}` in:\n{err}");
    }
    assert!(!out.join("small-100").exists(), "nothing may be written");
}

#[test]
fn missing_duplicate_foreign_and_damaged_shards_are_refused() {
    let tmp = TempDir::new().unwrap();
    let dirs = three_shards(tmp.path());
    // Missing: the middle shard is named, with how to rerun it.
    merge_refused(
        tmp.path(),
        &[&dirs[0], &dirs[2]],
        &["shard(s) 1/3 missing", "--shard I/N"],
    );
    merge_refused(tmp.path(), &[&dirs[0], &dirs[1]], &["2/3 missing"]);
    // Given twice.
    merge_refused(
        tmp.path(),
        &[&dirs[0], &dirs[1], &dirs[1], &dirs[2]],
        &["given twice", s(&dirs[1])],
    );
    // Another seed's shard.
    let other = tmp.path().join("other");
    exec(
        &[
            "run",
            s(&small()),
            "--out",
            s(&other),
            "--trials",
            "3000",
            "--seed",
            "9",
            "--shard",
            "1/3",
            "-q",
        ],
        0,
    );
    let foreign = fs::read_dir(&other)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    merge_refused(
        tmp.path(),
        &[&dirs[0], &foreign, &dirs[2]],
        &[s(&foreign), "another run", "seed"],
    );
    // Another trial count.
    let other = tmp.path().join("other-trials");
    exec(
        &[
            "run",
            s(&small()),
            "--out",
            s(&other),
            "--trials",
            "4000",
            "--shard",
            "1/3",
            "-q",
        ],
        0,
    );
    let foreign = fs::read_dir(&other)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    merge_refused(tmp.path(), &[&dirs[0], &foreign, &dirs[2]], &["trials"]);
    // A damaged shard: one byte of trial data flipped.
    let file = dirs[1].join("shard.bin");
    let mut bytes = fs::read(&file).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 0x10;
    fs::write(&file, &bytes).unwrap();
    merge_refused(
        tmp.path(),
        &[&dirs[0], &dirs[1], &dirs[2]],
        &[s(&file), "corrupt"],
    );
    // Nothing there.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    merge_refused(tmp.path(), &[&empty], &["no shard in it"]);
}

#[test]
fn a_changed_config_is_refused_at_merge() {
    let tmp = TempDir::new().unwrap();
    let config = tmp.path().join("study.json");
    fs::copy(small(), &config).unwrap();
    let shards = tmp.path().join("shards");
    run_shards(&config, &shards, 2_048, 2, &[]);
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, text.replace('\n', "\n  ")).unwrap();
    // Formatting does not matter...
    exec(
        &[
            "merge",
            s(&shards),
            "--out",
            s(&tmp.path().join("ok")),
            "-q",
        ],
        0,
    );
    // ...the model does.
    let text = fs::read_to_string(small()).unwrap();
    let changed = text.replacen("\"deductible\": 25000", "\"deductible\": 26000", 1);
    assert_ne!(changed, text, "the edit must change the config");
    fs::write(&config, changed).unwrap();
    merge_refused(
        tmp.path(),
        &[&shards],
        &["changed since the shards were run"],
    );
}

#[test]
fn shard_flags_are_checked() {
    let tmp = TempDir::new().unwrap();
    let config = small();
    let out = tmp.path().join("o");
    let base = [
        "run",
        s(&config),
        "--out",
        s(&out),
        "--trials",
        "3000",
        "-q",
    ];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        a
    }
    // Syntax and range: clap usage errors.
    for bad in ["3/3", "0/0", "x", "1/"] {
        let err = stderr_of(&exec(&with(&base, &["--shard", bad]), 2));
        assert!(
            err.contains("expected I/N")
                || err.contains("out of range")
                || err.contains("at least 1"),
            "{bad}: {err}"
        );
    }
    // More shards than blocks.
    let err = stderr_of(&exec(&with(&base, &["--shard", "0/4"]), 1));
    assert!(
        err.contains("3 block(s)") && err.contains("at most 3"),
        "{err}"
    );
    // Combinations.
    for (extra, phrase) in [
        (vec!["--shard", "0/2", "--method", "exact"], "--method"),
        (vec!["--shard", "0/2", "--target-se", "1000"], "--target-se"),
        (vec!["--shard", "0/2", "--save-state"], "--save-state"),
        (vec!["--shard", "0/2", "--shard-count", "3"], "disagrees"),
    ] {
        let err = stderr_of(&exec(&with(&base, &extra), 1));
        assert!(err.contains(phrase), "{extra:?}: {err}");
    }
    // auto without a scheduler, and with each scheduler's variables.
    let err = stderr_of(&exec(&with(&base, &["--shard", "auto"]), 1));
    assert!(err.contains("no scheduler index"), "{err}");
    let err = stderr_of(&exec_env(
        &with(&base, &["--shard", "auto"]),
        &[("JOB_COMPLETION_INDEX", "1")],
        1,
    ));
    assert!(err.contains("--shard-count"), "{err}");
    exec_env(
        &with(&base, &["--shard", "auto"]),
        &[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
        0,
    );
    exec_env(
        &with(&base, &["--shard", "auto", "--shard-count", "3"]),
        &[("JOB_COMPLETION_INDEX", "0")],
        0,
    );
    exec_env(
        &with(&base, &["--shard", "auto", "--shard-count", "3"]),
        &[("AWS_BATCH_JOB_ARRAY_INDEX", "1")],
        0,
    );
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "small-100.shard-0000-of-0003",
            "small-100.shard-0001-of-0003",
            "small-100.shard-0002-of-0003"
        ]
    );
    // A shard is not overwritten without --force.
    let err = stderr_of(&exec(&with(&base, &["--shard", "1/3"]), 1));
    assert!(err.contains("--force"), "{err}");
    exec(&with(&base, &["--shard", "1/3", "--force"]), 0);
    // The three merge.
    exec(
        &["merge", s(&out), "--out", s(&tmp.path().join("m")), "-q"],
        0,
    );
}
