//! The `stoploss` command: wiring only; see [`stoploss::cli`].

fn main() -> std::process::ExitCode {
    stoploss::cli::main()
}
