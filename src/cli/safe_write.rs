//! Writing files where someone else may also write: every output file and
//! folder is created new (`O_CREAT | O_EXCL`, which never follows a link
//! planted at its name), under a name nobody can predict, then renamed into
//! place (a rename replaces a link at the target, it does not write through
//! it). Replacing a folder is done under an advisory lock on the folder
//! that holds it, so concurrent `--force` runs take turns; and staging
//! folders left by processes that no longer run (`kill -9`) are removed.
//!
//! Every writer goes through here: `run`, `merge`, `sweep` (the staging
//! folders of [`super::output`]), `report` (files renamed into an existing
//! folder) and `init` ([`create_new`]).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// Letters of randomness in temporary names (62^10, about 8 x 10^17).
const RANDOM_CHARS: usize = 10;

/// Creates `path` for writing; fails if anything, a dangling link
/// included, is already there.
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    o.open(path)
}

/// The prefix of the temporary names of `name` made by this process:
/// `.<name>.tmp-<pid>-` (random letters follow).
fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-{}-", std::process::id())
}

/// Creates a new staging folder for `name` in `out`, named
/// `.<name>.tmp-<pid>-<random>`, and returns its path. Its mode is that of
/// any new folder (0777 less the umask): it becomes the output folder.
pub fn staging_dir(out: &Path, name: &str) -> io::Result<PathBuf> {
    let prefix = temp_prefix(name);
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).rand_bytes(RANDOM_CHARS);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(0o777));
    }
    Ok(b.tempdir_in(out)?.keep())
}

/// A new temporary file for `name` in `dir` (`.<name>.tmp-<pid>-<random>`),
/// removed when dropped unless persisted.
/// Its mode is that of any new file (0666 less the umask), as it replaces one.
pub fn temp_file(dir: &Path, name: &str) -> io::Result<tempfile::NamedTempFile> {
    let prefix = temp_prefix(name);
    let mut b = tempfile::Builder::new();
    b.prefix(&prefix).rand_bytes(RANDOM_CHARS);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// The name under which the folder `name` in `out` is moved aside while
/// the staging folder `staging` replaces it: `.<name>.old-<pid>-<random>`,
/// with the staging folder's random letters.
pub fn aside_path(out: &Path, name: &str, staging: &Path) -> PathBuf {
    let staged = staging
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rest = staged
        .strip_prefix(&format!(".{name}.tmp-"))
        .unwrap_or(&staged);
    out.join(format!(".{name}.old-{rest}"))
}

/// Whether a process with this id runs on this machine.
#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return true;
    }
    // Signal 0 checks existence; EPERM means it exists under another user.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn alive(_pid: u32) -> bool {
    true
}

/// The process id in a leftover name of `name`: `.<name>.tmp-<pid>` or
/// `.<name>.old-<pid>`, optionally followed by `-<random letters>`.
fn leftover_pid(entry: &str, name: &str) -> Option<u32> {
    let rest = entry.strip_prefix(&format!(".{name}."))?;
    let rest = rest
        .strip_prefix("tmp-")
        .or_else(|| rest.strip_prefix("old-"))?;
    let (pid, random) = rest.split_once('-').unwrap_or((rest, "x"));
    if pid.is_empty()
        || !pid.bytes().all(|b| b.is_ascii_digit())
        || random.is_empty()
        || !random.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    pid.parse().ok()
}

/// Removes the staging folders and temporary files of `name` in `dir` that
/// a process killed before it could clean up (SIGKILL, a crash) left behind,
/// and returns a warning for each. Leftovers of processes that still run on
/// this machine are left alone.
pub fn remove_stale(dir: &Path, name: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return warnings;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(pid) = leftover_pid(&file_name.to_string_lossy(), name) else {
            continue;
        };
        if pid == me || alive(pid) {
            continue;
        }
        let path = e.path();
        let removed = match fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(&path),
            Ok(_) => fs::remove_file(&path),
            Err(e) => Err(e),
        };
        warnings.push(match removed {
            Ok(()) => format!(
                "removed {}, left by process {pid}, which no longer runs",
                path.display()
            ),
            Err(err) => format!(
                "cannot remove {}, left by process {pid}, which no longer runs: {err}",
                path.display()
            ),
        });
    }
    warnings
}

/// An exclusive advisory lock on a folder, released when dropped (and by
/// the system when the process dies).
pub struct DirLock {
    _file: File,
}

/// Takes an exclusive lock on the folder `dir`, waiting for other holders.
#[cfg(unix)]
pub fn lock_dir(dir: &Path) -> io::Result<DirLock> {
    use std::os::unix::io::AsRawFd;
    let file = File::open(dir)?;
    loop {
        let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if r == 0 {
            return Ok(DirLock { _file: file });
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// No locking where `flock` does not apply.
#[cfg(not(unix))]
pub fn lock_dir(dir: &Path) -> io::Result<DirLock> {
    Ok(DirLock {
        _file: File::open(dir)?,
    })
}

/// A write beyond the file size limit (`ulimit -f`) fails with an error
/// (EFBIG, reported like a full disk) instead of killing the process with
/// SIGXFSZ, which would leave a truncated file behind.
pub fn ignore_file_size_signal() {
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_names_are_recognized() {
        assert_eq!(leftover_pid(".s.tmp-123", "s"), Some(123));
        assert_eq!(leftover_pid(".s.tmp-123-aB3xYz0912", "s"), Some(123));
        assert_eq!(leftover_pid(".s.old-7-abc", "s"), Some(7));
        assert_eq!(leftover_pid(".s.tmp-12.tmp-3", "s"), None);
        assert_eq!(leftover_pid(".s.x.tmp-12", "s"), None);
        assert_eq!(leftover_pid(".s.tmp-", "s"), None);
        assert_eq!(leftover_pid(".s.tmp-12-", "s"), None);
        assert_eq!(leftover_pid("s", "s"), None);
    }

    #[cfg(unix)]
    #[test]
    fn create_new_refuses_a_dangling_link() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(create_new(&link).is_err());
        assert!(!outside.exists());
    }

    #[test]
    fn staging_names_are_unpredictable() {
        let tmp = tempfile::tempdir().unwrap();
        let a = staging_dir(tmp.path(), "s").unwrap();
        let b = staging_dir(tmp.path(), "s").unwrap();
        assert_ne!(a, b);
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(leftover_pid(&name, "s"), Some(std::process::id()));
        let aside = aside_path(tmp.path(), "s", &a);
        let aside = aside.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(aside, name.replacen(".tmp-", ".old-", 1));
        assert_eq!(leftover_pid(&aside, "s"), Some(std::process::id()));
    }
}
