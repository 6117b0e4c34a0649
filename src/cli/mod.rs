//! The command-line interface: argument parsing ([`args`]), the commands
//! ([`commands`]), atomic output folders ([`output`]), interrupted runs
//! ([`interrupt`]) and sharded runs ([`shard`]). `main.rs` only calls [`main`].

pub mod args;
pub mod commands;
pub mod examples;
pub mod interrupt;
pub mod output;
pub mod plan;
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
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
    {
        Ok(pool) => pool.install(f),
        Err(e) => {
            eprintln!("error: cannot start worker threads: {e}");
            EXIT_FAILED
        }
    }
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let code = match cli.command {
        args::Command::Run(a) => commands::run(&a),
        args::Command::Validate(a) => commands::validate(&a),
        args::Command::Init(a) => commands::init(&a),
        args::Command::Merge(a) => shard::merge(&a),
        args::Command::Report(a) => commands::report(&a),
        args::Command::Sweep(a) => sweep::sweep(&a),
    };
    ExitCode::from(code)
}
