//! The `stoploss` command: the command line over the `stoploss` library.
//! Parsing, the run plan and the commands live in [`cli`]; `main` is wiring.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
