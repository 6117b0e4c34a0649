//! The config hash a state file is bound to.
//!
//! It is computed from the config as parsed, not as typed: objects with
//! their keys sorted, every number as the `f64` the config reads it as
//! (`1e5`, `100000` and `100000.0` are one number), no whitespace. `seed`
//! and `trials` are left out (the seed has its own header field, and the
//! trial count is what resuming changes), and so is `description` (prose).
//! The bytes of the files the config names (the census and empirical
//! severity files) are hashed after it, so editing a census changes the hash.

use crate::error::{ConfigError, ErrorKind};
use serde_json::Value;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3Default;

/// Top-level keys that do not define the simulated trials' model.
const LEFT_OUT: [&str; 3] = ["seed", "trials", "description"];

/// The hash of the config at `path` and the files it names.
pub fn config_hash(path: &Path) -> Result<u64, ConfigError> {
    let file = path.display().to_string();
    let bytes = crate::config::read_limited(path, crate::config::MAX_CONFIG_BYTES, "configs")?;
    let text = crate::config::utf8(bytes, &file, ErrorKind::Syntax)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut value: Value = serde_json::from_str(text).map_err(|e| {
        ConfigError::new(
            ErrorKind::Syntax,
            &file,
            format!("line {}, column {}", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    if let Value::Object(map) = &mut value {
        for key in LEFT_OUT {
            map.remove(key);
        }
    }
    let mut h = Xxh3Default::new();
    h.update(b"stoploss config hash 1\0");
    canonical(&value, &mut h);
    let mut files = Vec::new();
    referenced_files(&value, false, &mut files);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    for name in files {
        let referenced = dir.join(&name);
        let shown = referenced.display().to_string();
        h.update(b"\0file\0");
        h.update(name.as_bytes());
        h.update(b"\0");
        hash_file(&referenced, &mut h)
            .map_err(|e| ConfigError::new(ErrorKind::Io, &shown, "", e.to_string()))?;
    }
    Ok(h.digest())
}

/// Feeds `v` to `h` in canonical form.
fn canonical(v: &Value, h: &mut Xxh3Default) {
    match v {
        Value::Null => h.update(b"null"),
        Value::Bool(b) => h.update(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            // `{:?}` is the shortest text that reads back as the same f64.
            h.update(format!("{x:?}").as_bytes());
        }
        Value::String(s) => string(s, h),
        Value::Array(items) => {
            h.update(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    h.update(b",");
                }
                canonical(item, h);
            }
            h.update(b"]");
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            h.update(b"{");
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    h.update(b",");
                }
                string(k, h);
                h.update(b":");
                canonical(&map[k], h);
            }
            h.update(b"}");
        }
    }
}

/// A string as JSON text (quoted and escaped), so no two values feed the
/// same bytes.
fn string(s: &str, h: &mut Xxh3Default) {
    h.update(Value::String(s.to_string()).to_string().as_bytes());
}

/// Paths of the files `v` names, in canonical (sorted-key) order:
/// `population.census` and every `empirical.file`.
fn referenced_files(v: &Value, in_empirical: bool, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => {
            for item in items {
                referenced_files(item, false, out);
            }
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for k in keys {
                let child = &map[k];
                match (k.as_str(), child) {
                    ("file", Value::String(f)) if in_empirical => out.push(f.clone()),
                    ("census", Value::String(f)) => out.push(f.clone()),
                    _ => referenced_files(child, k == "empirical", out),
                }
            }
        }
        _ => {}
    }
}

fn hash_file(path: &Path, h: &mut Xxh3Default) -> io::Result<()> {
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = match f.read(&mut buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => r?,
        };
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    h.update(&total.to_le_bytes());
    Ok(())
}
