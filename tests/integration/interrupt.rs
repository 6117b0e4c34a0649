//! Interrupted and failing runs, for real: a long run of the binary is sent
//! SIGINT or SIGTERM mid-simulation, and a run whose writes fail (a file
//! size limit standing in for a full disk). Each must leave no partial
//! `results.json` and no staging folder, say what happened, and exit
//! non-zero: 130 after SIGINT, 143 after SIGTERM, 1 after a failed write.
#![cfg(unix)]

use crate::util::s;

use serde_json::Value;
use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

fn stoploss() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stoploss"));
    cmd.env_remove("RAYON_NUM_THREADS");
    cmd
}

fn config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(format!("{name}.json"))
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

/// Starts `stoploss ARGS` with stderr captured.
fn start(args: &[&str]) -> Child {
    stoploss()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("stoploss starts")
}

/// Waits `secs`, checks the run is still going (so the signal lands
/// mid-run), sends `signal` and returns the exit code and stderr.
fn interrupt_after(mut child: Child, secs: f64, signal: i32) -> (Option<i32>, String) {
    std::thread::sleep(Duration::from_secs_f64(secs));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended before it could be interrupted"
    );
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(sent, 0, "kill failed");
    wait(child)
}

fn wait(mut child: Child) -> (Option<i32>, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            assert!(!stderr.contains("panicked"), "{stderr}");
            return (status.code(), stderr);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not exit within 30 s of the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A run of mid-500 that would take minutes: 2,000,000 trials.
fn long_run(out: &Path, extra: &[&str]) -> Child {
    let cfg = config("mid-500");
    let mut args = vec![
        "run",
        s(&cfg),
        "--out",
        s(out),
        "--trials",
        "2000000",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    start(&args)
}

#[test]
fn sigint_mid_run_writes_nothing_and_exits_130() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let (code, stderr) = interrupt_after(long_run(&out, &["--save-state"]), 1.5, libc::SIGINT);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGINT: no results written for mid-500"),
        "{stderr}"
    );
    assert!(entries(&out).is_empty(), "{:?}", entries(&out));
}

#[test]
fn sigterm_mid_run_writes_nothing_and_exits_143() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let (code, stderr) = interrupt_after(long_run(&out, &[]), 1.5, libc::SIGTERM);
    assert_eq!(code, Some(143), "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGTERM: no results written for mid-500"),
        "{stderr}"
    );
    assert!(entries(&out).is_empty(), "{:?}", entries(&out));
}

/// In a batch, a study finished before the signal keeps its folder; the
/// interrupted one gets none, and the message says which is which.
#[test]
fn interrupted_batch_keeps_the_studies_already_written() {
    let tmp = TempDir::new().unwrap();
    let configs = tmp.path().join("configs");
    fs::create_dir(&configs).unwrap();
    for (file, from, trials) in [
        ("a.json", "small-100", 2_000),
        ("b.json", "mid-500", 2_000_000),
    ] {
        let mut v: Value =
            serde_json::from_str(&fs::read_to_string(config(from)).unwrap()).unwrap();
        v["trials"] = trials.into();
        fs::write(configs.join(file), v.to_string()).unwrap();
    }
    let out = tmp.path().join("out");
    let child = start(&["run", s(&configs), "--out", s(&out), "--quiet"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !out.join("small-100/results.json").exists() {
        assert!(Instant::now() < deadline, "small-100 was never written");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (code, stderr) = interrupt_after(child, 1.0, libc::SIGINT);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains(
            "interrupted by SIGINT: no results written for mid-500 (results written before it: small-100)"
        ),
        "{stderr}"
    );
    assert_eq!(entries(&out), ["small-100"]);
    assert_eq!(
        entries(&out.join("small-100")),
        ["results.json", "summary.csv", "summary.md"]
    );
}

/// Interrupting a resumed run leaves the folder it resumes from as it was.
#[test]
fn interrupted_resume_keeps_the_saved_run() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let cfg = config("small-100");
    let status = stoploss()
        .args(["run", s(&cfg), "--out", s(&out), "--trials", "3000"])
        .args(["--save-state", "--quiet"])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let saved = out.join("small-100");
    let before: Vec<Vec<u8>> = ["results.json", "summary.csv", "state.bin"]
        .iter()
        .map(|f| fs::read(saved.join(f)).unwrap())
        .collect();
    let child = start(&[
        "run",
        s(&cfg),
        "--out",
        s(&out),
        "--resume",
        s(&saved),
        "--trials",
        "3000000",
        "--force",
        "--quiet",
    ]);
    let (code, stderr) = interrupt_after(child, 1.5, libc::SIGINT);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("no results written for small-100"),
        "{stderr}"
    );
    assert_eq!(entries(&out), ["small-100"]);
    for (f, old) in ["results.json", "summary.csv", "state.bin"]
        .iter()
        .zip(&before)
    {
        assert_eq!(&fs::read(saved.join(f)).unwrap(), old, "{f} changed");
    }
}

/// Runs `stoploss ARGS` with writes limited to files of `max_bytes`
/// (RLIMIT_FSIZE; with SIGXFSZ ignored a longer write fails with EFBIG,
/// as a full disk fails with ENOSPC); returns the exit code and stderr.
fn run_with_file_limit(args: &[&str], max_bytes: u64) -> (Option<i32>, String) {
    let mut cmd = stoploss();
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    // Only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: max_bytes as libc::rlim_t,
                rlim_max: max_bytes as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    wait(cmd.spawn().expect("stoploss starts"))
}

#[test]
fn failed_write_of_results_leaves_nothing() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let cfg = config("small-100");
    // results.json of small-100 is about 70 kB.
    let args = ["run", s(&cfg), "--out", s(&out), "--trials", "2000", "-q"];
    let (code, stderr) = run_with_file_limit(&args, 16 * 1024);
    assert_eq!(code, Some(1), "{stderr}");
    let target = out.join("small-100");
    assert!(
        stderr.contains(&format!(
            "no results written to {}: cannot write results.json: File too large",
            target.display()
        )),
        "{stderr}"
    );
    assert!(entries(&out).is_empty(), "{:?}", entries(&out));
}

/// The state is the last and largest file: its failure discards the
/// results already staged, and an existing folder survives a forced
/// replacement that fails.
#[test]
fn failed_write_of_the_state_keeps_the_old_folder() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("out");
    let cfg = config("small-100");
    let status = stoploss()
        .args(["run", s(&cfg), "--out", s(&out), "--trials", "1000", "-q"])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let old = fs::read(out.join("small-100/results.json")).unwrap();
    // 5,000 trials x (8 + 20 x 4 options) bytes = 440 kB of state.
    let args = [
        "run",
        s(&cfg),
        "--out",
        s(&out),
        "--trials",
        "5000",
        "--save-state",
        "--force",
        "-q",
    ];
    let (code, stderr) = run_with_file_limit(&args, 200 * 1024);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write state.bin: File too large"),
        "{stderr}"
    );
    assert_eq!(entries(&out), ["small-100"]);
    assert_eq!(
        entries(&out.join("small-100")),
        ["results.json", "summary.csv", "summary.md"]
    );
    assert_eq!(fs::read(out.join("small-100/results.json")).unwrap(), old);
}
