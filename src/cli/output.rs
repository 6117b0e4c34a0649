//! Output folders, written atomically: files go to a hidden staging folder
//! beside the target, are flushed to disk, and the folder is renamed into
//! place, so a reader never sees a half-written result.

use anyhow::{bail, Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The output folder of study `name` under `out`.
pub fn target_dir(out: &Path, name: &str) -> PathBuf {
    out.join(name)
}

/// Fails when the target exists and `force` is not set.
pub fn check_target(out: &Path, name: &str, force: bool) -> Result<()> {
    let target = target_dir(out, name);
    if target.exists() && !force {
        bail!(
            "{} already exists; pass --force to replace it, or choose another --out",
            target.display()
        );
    }
    Ok(())
}

/// Writes `files` (name, bytes) as the folder `out/name`, replacing an
/// existing folder only when `force` is set.
pub fn write_atomically(
    out: &Path,
    name: &str,
    files: &[(&str, Vec<u8>)],
    force: bool,
) -> Result<PathBuf> {
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let target = target_dir(out, name);
    let pid = std::process::id();
    let staging = out.join(format!(".{name}.tmp-{pid}"));
    if staging.exists() {
        fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot clear {}", staging.display()))?;
    }
    fs::create_dir(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
    let result = (|| -> Result<PathBuf> {
        for (file, bytes) in files {
            let path = staging.join(file);
            let mut f = fs::File::create(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            f.write_all(bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.sync_all()
                .with_context(|| format!("cannot flush {}", path.display()))?;
        }
        if target.exists() {
            if !force {
                bail!(
                    "{} already exists; pass --force to replace it",
                    target.display()
                );
            }
            let old = out.join(format!(".{name}.old-{pid}"));
            fs::rename(&target, &old)
                .with_context(|| format!("cannot move aside {}", target.display()))?;
            fs::rename(&staging, &target)
                .with_context(|| format!("cannot move {} into place", target.display()))?;
            fs::remove_dir_all(&old).with_context(|| format!("cannot remove {}", old.display()))?;
        } else {
            fs::rename(&staging, &target)
                .with_context(|| format!("cannot move {} into place", target.display()))?;
        }
        Ok(target.clone())
    })();
    if result.is_err() && staging.exists() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// Writes `files` (name, bytes) into the existing folder `dir`, each through
/// a hidden temporary file renamed into place; on failure the temporary
/// files are removed and files already renamed stay as written.
pub fn write_files_atomically(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    let pid = std::process::id();
    let temps: Vec<PathBuf> = files
        .iter()
        .map(|(name, _)| dir.join(format!(".{name}.tmp-{pid}")))
        .collect();
    let result = (|| -> Result<()> {
        for ((_, bytes), tmp) in files.iter().zip(&temps) {
            let mut f = fs::File::create(tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            f.write_all(bytes)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            f.sync_all()
                .with_context(|| format!("cannot flush {}", tmp.display()))?;
        }
        for ((name, _), tmp) in files.iter().zip(&temps) {
            let path = dir.join(name);
            fs::rename(tmp, &path)
                .with_context(|| format!("cannot move {} into place", path.display()))?;
        }
        Ok(())
    })();
    if result.is_err() {
        for tmp in &temps {
            let _ = fs::remove_file(tmp);
        }
    }
    result
}
