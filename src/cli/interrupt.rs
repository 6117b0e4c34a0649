//! Interrupted runs: SIGINT (Ctrl-C) and SIGTERM.
//!
//! The signal handler itself only writes to a pipe (signal-hook's
//! `Signals`, which is async-signal-safe); a dedicated thread reads the pipe
//! and does the rest in ordinary code: it takes the output registry's lock,
//! deletes every staging folder (see [`super::output`] for why that cannot
//! race with a folder being renamed into place), prints what happened, and
//! exits with 128 + the signal number (130 for SIGINT, 143 for SIGTERM)
//! while still holding the lock. The simulation is not asked to stop: the
//! process ends under it, which is prompt whatever phase the run is in
//! (simulating, evaluating, the exact engine, writing). Further signals
//! arrive while the thread is already exiting and change nothing.

/// Exit code after SIGINT.
pub const EXIT_SIGINT: u8 = 130;
/// Exit code after SIGTERM.
pub const EXIT_SIGTERM: u8 = 143;

/// Starts the thread that turns SIGINT and SIGTERM into a clean exit.
/// Without it (a failure to install, or not on Unix) the signals keep their
/// default action, and a partial staging folder may be left behind.
#[cfg(unix)]
pub fn install() {
    use super::output::OUTPUTS;
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    // The handlers are registered inside the thread, so they exist only
    // if something reads the pipe; the caller waits until they are.
    let (ready, registered) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut signals = match Signals::new([SIGINT, SIGTERM]) {
                Ok(s) => {
                    let _ = ready.send(Ok(()));
                    s
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            if let Some(signal) = signals.forever().next() {
                let (name, code) = if signal == SIGINT {
                    ("SIGINT", EXIT_SIGINT)
                } else {
                    ("SIGTERM", EXIT_SIGTERM)
                };
                let (_lock, message) = OUTPUTS.interrupt(name);
                eprintln!("{message}");
                std::process::exit(i32::from(code));
            }
        });
    let outcome = match spawned {
        Ok(_) => registered
            .recv()
            .unwrap_or_else(|_| Err(std::io::Error::other("the signal thread stopped"))),
        Err(e) => Err(e),
    };
    if let Err(e) = outcome {
        eprintln!("warning: cannot watch for Ctrl-C and SIGTERM: {e}");
    }
}

/// Signals keep their default action where signal-hook does not apply.
#[cfg(not(unix))]
pub fn install() {}
