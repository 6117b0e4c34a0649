//! `stoploss report --pdf`: report.html printed to PDF by headless
//! Chromium. The page's own print CSS sets the paper (landscape) and makes
//! every table fit, so the PDF is what "Print" in a browser gives; a
//! browser is the one renderer that lays out the page as the user sees it.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Browsers tried in order when `STOPLOSS_CHROMIUM` is not set.
const BROWSERS: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// Longest a print may take before the browser is stopped.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The browser to print with: `STOPLOSS_CHROMIUM`, or the first of
/// [`BROWSERS`] on `PATH`.
fn browser() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("STOPLOSS_CHROMIUM") {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in BROWSERS {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    bail!(
        "--pdf needs Chromium or Google Chrome to print the report, and none is on PATH (looked for {}); install one (Debian: apt-get install chromium) or set STOPLOSS_CHROMIUM to its path",
        BROWSERS.join(", ")
    )
}

/// Stops the browser's whole process group (its renderer and helpers too).
fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stderr(Stdio::null())
        .status();
}

/// The PDF of `html` (a self-contained page), printed in a private
/// temporary folder, so nothing is left behind and nothing is written
/// beside the results unless the print succeeded.
pub fn print(html: &[u8]) -> Result<Vec<u8>> {
    let exe = browser()?;
    let work = tempfile::tempdir().context("cannot create a temporary folder for the PDF")?;
    let page = work.path().join("report.html");
    std::fs::write(&page, html).context("cannot write the page to print")?;
    let pdf = work.path().join("report.pdf");
    let log = std::fs::File::create(work.path().join("browser.log"))?;
    let mut child = {
        use std::os::unix::process::CommandExt;
        Command::new(&exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-pdf-header-footer",
            ])
            .arg(format!(
                "--user-data-dir={}",
                work.path().join("profile").display()
            ))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(file_url(&page))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {}", exe.display()))?
    };
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            kill_group(child.id());
            let _ = child.wait();
            bail!(
                "{} did not print the report within {} s",
                exe.display(),
                TIMEOUT.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Helpers that outlive the browser would hold the temporary folder.
    kill_group(child.id());
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !status.success() || !bytes.starts_with(b"%PDF-") {
        let log = std::fs::read_to_string(work.path().join("browser.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(5).collect();
        bail!(
            "{} could not print the report to PDF ({status}): {}",
            exe.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        );
    }
    Ok(bytes)
}

/// `file://` URL of an absolute path, with the characters a URL cannot
/// hold percent-encoded.
fn file_url(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(*b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
