//! The command-line interface: argument parsing ([`args`]), the commands
//! ([`commands`]), atomic output folders ([`output`]), interrupted runs
//! ([`interrupt`]) and sharded runs ([`shard`]). `main.rs` only calls [`main`].

pub mod alternatives;
pub mod args;
pub mod commands;
pub mod examples;
pub mod fit;
pub mod fit_args;
pub mod interrupt;
pub mod output;
pub mod pdf;
pub mod plan;
pub mod safe_write;
pub mod shard;
pub mod sweep;

use clap::Parser;
use std::process::ExitCode;

/// Exit code when every config succeeded.
pub const EXIT_OK: u8 = 0;
/// Exit code when at least one config was invalid or failed to run.
pub const EXIT_FAILED: u8 = 1;

/// Runs `f` inside a rayon pool of `threads` workers (all cores for
/// `None`), with SIGINT/SIGTERM cleanup installed: the set-up every command
/// that computes shares. Exit code 1 when the pool cannot start.
pub fn in_pool(threads: Option<usize>, f: impl FnOnce() -> u8 + Send) -> u8 {
    interrupt::install();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let env = std::env::var("RAYON_NUM_THREADS").ok();
    let (threads, warning) = worker_threads(threads, env.as_deref(), cores);
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(e) => {
            eprintln!("error: cannot start worker threads: {e}");
            EXIT_FAILED
        }
    }
}

/// Most worker threads per core: results do not depend on the number of
/// threads, and beyond a few per core more only cost memory and switching
/// (`--threads 100000` would start that many OS threads).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The worker threads to start for `--threads` (`flag`), else
/// `RAYON_NUM_THREADS` (`env`), else one per core (0 tells rayon so), capped
/// at [`MAX_THREADS_PER_CORE`] x `cores`; with a warning when capped.
fn worker_threads(flag: Option<usize>, env: Option<&str>, cores: usize) -> (usize, Option<String>) {
    let cap = MAX_THREADS_PER_CORE * cores.max(1);
    let (asked, source) = match (flag, env.and_then(|v| v.trim().parse::<usize>().ok())) {
        (Some(n), _) => (n, "--threads"),
        (None, Some(n)) => (n, "RAYON_NUM_THREADS"),
        (None, None) => (0, ""),
    };
    if asked > cap {
        let warning = format!(
            "{source} {asked} is more than {MAX_THREADS_PER_CORE} threads per core ({} core(s) here): using {cap} (results do not depend on it)",
            cores.max(1)
        );
        (cap, Some(warning))
    } else {
        (asked, None)
    }
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = args::Cli::parse();
    safe_write::ignore_file_size_signal();
    let code = match cli.command {
        args::Command::Run(a) => commands::run(&a),
        args::Command::Validate(a) => commands::validate(&a),
        args::Command::Init(a) => commands::init(&a),
        args::Command::Merge(a) => shard::merge(&a),
        args::Command::Report(a) => commands::report(&a),
        args::Command::Sweep(a) => sweep::sweep(&a),
        args::Command::Fit(a) => fit::fit(&a),
        args::Command::FitLag(a) => fit::fit_lag(&a),
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_threads_are_capped_per_core() {
        assert_eq!(worker_threads(None, None, 2), (0, None));
        assert_eq!(worker_threads(Some(8), None, 2), (8, None));
        let (n, w) = worker_threads(Some(100_000), None, 2);
        assert_eq!(n, 8);
        assert!(w.unwrap().starts_with("--threads 100000 is more than 4"));
        let (n, w) = worker_threads(None, Some("999"), 3);
        assert_eq!(n, 12);
        assert!(w.unwrap().starts_with("RAYON_NUM_THREADS 999"));
        assert_eq!(worker_threads(Some(3), Some("999"), 1), (3, None));
    }
}
