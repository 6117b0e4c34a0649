//! Output folders, written atomically: files go to a hidden staging folder
//! beside the target, are flushed to disk, and the folder is renamed into
//! place, so a reader never sees a half-written result.
//!
//! Every staging folder is registered in [`OUTPUTS`] while it exists, under
//! the lock that an interrupt takes (see [`super::interrupt`]). The folder is
//! created and registered in one locked step, and renamed into place and
//! unregistered in another; the interrupt takes the lock, deletes every
//! registered folder and exits without releasing it. So an interrupt either
//! finds the folder registered and deletes it, or waits until it has become
//! the complete target folder: never a staging folder left behind, never a
//! target folder without all its files. A folder replaced with `--force` is
//! registered the same way while it is being deleted.
//!
//! Staging folders and temporary files are created new under unpredictable
//! names, and a folder is replaced under a lock on its parent
//! ([`super::safe_write`]).

use super::safe_write;
use anyhow::{bail, Context, Result};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The output folder of study `name` under `out`.
pub fn target_dir(out: &Path, name: &str) -> PathBuf {
    out.join(name)
}

/// Fails when the target exists and `force` is not set.
pub fn check_target(out: &Path, name: &str, force: bool) -> Result<()> {
    let target = target_dir(out, name);
    // A link counts, even a dangling one: the commit would refuse it.
    if fs::symlink_metadata(&target).is_ok() && !force {
        bail!(
            "{} already exists; pass --force to replace it, or choose another --out",
            target.display()
        );
    }
    Ok(())
}

/// A function that writes a file's contents into a (buffered) writer.
pub type WriteFn<'a> = &'a dyn Fn(&mut dyn Write) -> std::io::Result<()>;

/// What goes into one output file.
pub enum Contents<'a> {
    /// Bytes already in memory.
    Bytes(Vec<u8>),
    /// Written by a function into a buffered writer, for files too large to
    /// hold twice in memory (the saved state).
    Stream(WriteFn<'a>),
}

/// The output folders of this process: the staging folders that exist and
/// which study is being run (for the interrupt message).
#[derive(Debug, Default)]
pub struct Outputs {
    inner: Mutex<Registry>,
}

/// What [`Outputs`] guards.
#[derive(Debug, Default)]
pub struct Registry {
    /// Staging folders created and not yet renamed into place or removed,
    /// and replaced folders being deleted.
    staging: Vec<PathBuf>,
    /// The study being run, until its folder is in place or it failed.
    current: Option<String>,
    /// Studies whose folders are in place.
    written: Vec<String>,
    /// Set by [`Outputs::interrupt`]: no folder may be created or committed.
    interrupted: bool,
}

/// The registry of this process.
pub static OUTPUTS: Outputs = Outputs::new();

impl Outputs {
    /// An empty registry.
    pub const fn new() -> Self {
        Outputs {
            inner: Mutex::new(Registry {
                staging: Vec::new(),
                current: None,
                written: Vec::new(),
                interrupted: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // A panic elsewhere must not stop an interrupt from cleaning up.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Study `name` starts running.
    pub fn begin(&self, name: &str) {
        self.lock().current = Some(name.to_string());
    }

    /// The study being run ended without writing its folder.
    pub fn end(&self) {
        self.lock().current = None;
    }

    /// Deletes every staging folder and marks the registry interrupted by
    /// `signal`; returns the message to print and the lock, which the caller
    /// holds until the process exits so that nothing is committed after.
    pub fn interrupt(&self, signal: &str) -> (MutexGuard<'_, Registry>, String) {
        let mut r = self.lock();
        r.interrupted = true;
        for dir in std::mem::take(&mut r.staging) {
            remove_dir_retrying(&dir);
        }
        let mut message = format!("interrupted by {signal}");
        if let Some(name) = &r.current {
            message.push_str(&format!(": no results written for {name}"));
        }
        if !r.written.is_empty() {
            message.push_str(&format!(
                " (results written before it: {})",
                r.written.join(", ")
            ));
        }
        (r, message)
    }

    /// Writes `files` (name, contents) as the folder `out/name`, replacing
    /// an existing folder only when `force` is set. On failure nothing is
    /// left: no staging folder, and the old folder (if any) untouched.
    pub fn write_atomically(
        &self,
        out: &Path,
        name: &str,
        files: &[(&str, Contents<'_>)],
        force: bool,
    ) -> Result<PathBuf> {
        let target = target_dir(out, name);
        let result = self.stage(out, name).and_then(|staging| {
            write_files(&staging, files)
                .and_then(|()| self.commit(out, name, &staging, &target, force))
                .inspect_err(|_| self.discard(&staging))
        });
        result.with_context(|| format!("no results written to {}", target.display()))?;
        Ok(target)
    }

    /// Removes what killed runs of `name` left in `out`, then creates and
    /// registers a new staging folder (in one locked step).
    fn stage(&self, out: &Path, name: &str) -> Result<PathBuf> {
        fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
        for w in safe_write::remove_stale(out, name) {
            eprintln!("warning: {w}");
        }
        let mut r = self.lock();
        if r.interrupted {
            bail!("interrupted");
        }
        let staging = safe_write::staging_dir(out, name)
            .with_context(|| format!("cannot create a staging folder in {}", out.display()))?;
        r.staging.push(staging.clone());
        Ok(staging)
    }

    /// Renames the staging folder into place (moving an old target aside
    /// and removing it), and unregisters it, in one locked step.
    fn commit(
        &self,
        out: &Path,
        name: &str,
        staging: &Path,
        target: &Path,
        force: bool,
    ) -> Result<()> {
        // Concurrent runs into `out` replace their folders one at a time:
        // check, move aside and rename in are one step.
        let _turn =
            safe_write::lock_dir(out).with_context(|| format!("cannot lock {}", out.display()))?;
        let mut r = self.lock();
        if r.interrupted {
            bail!("interrupted");
        }
        let mut old = None;
        if fs::symlink_metadata(target).is_ok() {
            if !force {
                bail!(
                    "{} already exists; pass --force to replace it",
                    target.display()
                );
            }
            let aside = safe_write::aside_path(out, name, staging);
            fs::rename(target, &aside)
                .with_context(|| format!("cannot move aside {}", target.display()))?;
            old = Some(aside);
        }
        if let Err(e) = fs::rename(staging, target) {
            if let Some(aside) = &old {
                let _ = fs::rename(aside, target);
            }
            return Err(e).with_context(|| format!("cannot move {} into place", target.display()));
        }
        r.staging.retain(|d| d != staging);
        r.current = None;
        r.written.push(name.to_string());
        // The replaced folder is deleted outside the lock (it may hold a
        // large state), registered so that an interrupt finishes the job.
        if let Some(aside) = &old {
            r.staging.push(aside.clone());
        }
        drop(r);
        if let Some(aside) = old {
            if let Err(e) = fs::remove_dir_all(&aside) {
                eprintln!(
                    "warning: cannot remove the replaced folder {}: {e}",
                    aside.display()
                );
            }
            self.lock().staging.retain(|d| *d != aside);
        }
        Ok(())
    }

    /// Removes and unregisters a staging folder after a failure.
    fn discard(&self, staging: &Path) {
        let mut r = self.lock();
        if r.staging.iter().any(|d| d == staging) {
            remove_dir_retrying(staging);
            r.staging.retain(|d| d != staging);
        }
    }
}

/// Writes and flushes each file into `dir`.
fn write_files(dir: &Path, files: &[(&str, Contents<'_>)]) -> Result<()> {
    for (file, contents) in files {
        let path = dir.join(file);
        let f = safe_write::create_new(&path).with_context(|| format!("cannot create {file}"))?;
        let f = match contents {
            Contents::Bytes(bytes) => {
                let mut f = f;
                f.write_all(bytes)
                    .with_context(|| format!("cannot write {file}"))?;
                f
            }
            Contents::Stream(write) => {
                let mut w = BufWriter::with_capacity(1 << 20, f);
                write(&mut w).with_context(|| format!("cannot write {file}"))?;
                w.into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| format!("cannot write {file}"))?
            }
        };
        f.sync_all()
            .with_context(|| format!("cannot flush {file} to disk"))?;
    }
    Ok(())
}

/// Removes a folder, trying again while a writer that has not yet noticed
/// the interrupt adds a file to it between the unlinks and the final rmdir.
fn remove_dir_retrying(dir: &Path) {
    for _ in 0..100 {
        match fs::remove_dir_all(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Writes `files` as the folder `out/name` through [`OUTPUTS`].
pub fn write_atomically(
    out: &Path,
    name: &str,
    files: &[(&str, Contents<'_>)],
    force: bool,
) -> Result<PathBuf> {
    OUTPUTS.write_atomically(out, name, files, force)
}

/// Writes `files` (name, bytes) into the existing folder `dir`, each through
/// a new temporary file with an unpredictable name, renamed into place (a
/// link at the final name is replaced, not followed); on failure the
/// temporary files are removed and files already renamed stay as written.
pub fn write_files_atomically(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    let mut temps = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        for w in safe_write::remove_stale(dir, name) {
            eprintln!("warning: {w}");
        }
        let mut tmp = safe_write::temp_file(dir, name)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        tmp.write_all(bytes)
            .and_then(|()| tmp.as_file().sync_all())
            .with_context(|| format!("cannot write {}", dir.join(name).display()))?;
        temps.push(tmp);
    }
    for ((name, _), tmp) in files.iter().zip(temps) {
        let path = dir.join(name);
        tmp.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot move {} into place", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_and_replaces_only_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        let outputs = Outputs::new();
        let files = |text: &str| vec![("a.txt", Contents::Bytes(text.as_bytes().to_vec()))];
        let dir = outputs
            .write_atomically(tmp.path(), "s", &files("one"), false)
            .unwrap();
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "one");
        let e = outputs
            .write_atomically(tmp.path(), "s", &files("two"), false)
            .unwrap_err();
        assert!(format!("{e:#}").contains("--force"), "{e:#}");
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "one");
        outputs
            .write_atomically(tmp.path(), "s", &files("two"), true)
            .unwrap();
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "two");
        assert_eq!(entries(tmp.path()), ["s"]);
    }

    #[test]
    fn a_failing_file_leaves_nothing_and_keeps_the_old_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let outputs = Outputs::new();
        let old = vec![("a.txt", Contents::Bytes(b"old".to_vec()))];
        outputs
            .write_atomically(tmp.path(), "s", &old, false)
            .unwrap();
        let fail = |w: &mut dyn Write| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("disk full"))
        };
        let files = vec![
            ("a.txt", Contents::Bytes(b"new".to_vec())),
            ("big.bin", Contents::Stream(&fail)),
        ];
        let e = outputs
            .write_atomically(tmp.path(), "s", &files, true)
            .unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("no results written to"), "{msg}");
        assert!(msg.contains("cannot write big.bin: disk full"), "{msg}");
        assert_eq!(entries(tmp.path()), ["s"]);
        assert_eq!(
            fs::read_to_string(tmp.path().join("s/a.txt")).unwrap(),
            "old"
        );
    }

    /// An interrupt while a file is being written removes the staging
    /// folder, and the writer can then commit nothing.
    #[test]
    fn an_interrupt_mid_write_removes_the_staging_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let outputs = Outputs::new();
        outputs.begin("s");
        let (started, wait_started) = mpsc::channel::<()>();
        let (resume, wait_resume) = mpsc::channel::<()>();
        let result = std::thread::scope(|scope| {
            let writer = scope.spawn(|| {
                let slow = move |w: &mut dyn Write| {
                    w.write_all(&[7u8; 4096])?;
                    w.flush()?;
                    started.send(()).ok();
                    wait_resume.recv().ok();
                    w.write_all(&[8u8; 4096])
                };
                let files = vec![
                    ("results.json", Contents::Bytes(b"{}".to_vec())),
                    ("state.bin", Contents::Stream(&slow)),
                    ("summary.csv", Contents::Bytes(b"x".to_vec())),
                ];
                outputs.write_atomically(tmp.path(), "s", &files, false)
            });
            wait_started.recv().unwrap();
            let prefix = format!(".s.tmp-{}-", std::process::id());
            let staged: Vec<String> = entries(tmp.path())
                .into_iter()
                .filter(|e| e.starts_with(&prefix))
                .collect();
            assert_eq!(staged.len(), 1, "{staged:?}");
            let staging = tmp.path().join(&staged[0]);
            assert!(staging.join("results.json").exists());
            let (guard, message) = outputs.interrupt("SIGTERM");
            assert_eq!(message, "interrupted by SIGTERM: no results written for s");
            assert!(!staging.exists());
            // The real interrupt exits here, holding the lock; release it
            // instead to see that the writer fails and commits nothing.
            drop(guard);
            resume.send(()).unwrap();
            writer.join().unwrap()
        });
        assert!(result.is_err());
        assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));
    }

    #[test]
    fn interrupt_message_names_what_was_written() {
        let tmp = tempfile::tempdir().unwrap();
        let outputs = Outputs::new();
        outputs.begin("first");
        outputs
            .write_atomically(tmp.path(), "first", &[], false)
            .unwrap();
        outputs.begin("second");
        let (_guard, message) = outputs.interrupt("SIGINT");
        assert_eq!(
            message,
            "interrupted by SIGINT: no results written for second (results written before it: first)"
        );
    }
}
