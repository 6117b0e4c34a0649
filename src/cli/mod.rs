//! The command-line interface: argument parsing ([`args`]), the commands
//! ([`commands`]), atomic output folders ([`output`]), interrupted runs
//! ([`interrupt`]) and sharded runs ([`shard`]). `main.rs` only calls [`main`].

pub mod args;
pub mod commands;
pub mod examples;
pub mod interrupt;
pub mod output;
pub mod shard;
pub mod sweep;

use clap::Parser;
use std::process::ExitCode;

/// Exit code when every config succeeded.
pub const EXIT_OK: u8 = 0;
/// Exit code when at least one config was invalid or failed to run.
pub const EXIT_FAILED: u8 = 1;
/// Exit code for a usage error (bad flags), as clap reports it.
pub const EXIT_USAGE: u8 = 2;

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
