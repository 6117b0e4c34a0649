//! Typed errors for user input: every message names the file, the place in
//! it (a JSON path, or a CSV line and column) and what is allowed.

use std::fmt;

/// What sort of input error this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A file could not be read.
    Io,
    /// Not well-formed JSON (syntax, trailing characters).
    Syntax,
    /// Well-formed JSON that does not fit the config schema: unknown field,
    /// wrong type, missing field, unknown variant.
    Schema,
    /// A value out of its allowed range or inconsistent with others.
    Invalid,
    /// A problem in the census CSV.
    Census,
    /// A problem in an empirical severity file.
    DataFile,
    /// A problem in a claimant listing or lag triangle (`stoploss fit`).
    Listing,
    /// A file larger than its documented limit, refused before it is read.
    TooLarge,
}

impl ErrorKind {
    /// The kind in words, as messages print it (`invalid value`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Io => "cannot read",
            ErrorKind::Syntax => "malformed JSON",
            ErrorKind::Schema => "does not fit the config schema",
            ErrorKind::Invalid => "invalid value",
            ErrorKind::Census => "bad census",
            ErrorKind::DataFile => "bad data file",
            ErrorKind::Listing => "bad listing",
            ErrorKind::TooLarge => "file too large",
        }
    }
}

/// An error in a config file or a file it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The kind of error.
    pub kind: ErrorKind,
    /// The file the error is in.
    pub file: String,
    /// Where in the file: a JSON path (`stop_loss.specific[0].deductible`)
    /// or `line N, column C`. Empty when the whole file is at fault.
    pub location: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ConfigError {
    /// A new error.
    pub fn new(
        kind: ErrorKind,
        file: impl Into<String>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ConfigError {
            kind,
            file: file.into(),
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}: {}", self.file, self.kind.name(), self.message)
        } else {
            write!(
                f,
                "{}: {} at {}: {}",
                self.file,
                self.kind.name(),
                self.location,
                self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

/// Longest piece of an input file quoted in a message (characters).
pub const SNIPPET_CHARS: usize = 32;

/// `s` as a message may quote it: at most [`SNIPPET_CHARS`] characters
/// (then `...`), control characters escaped. A census or data file may be
/// any file (`/etc/passwd`), so errors never echo more than a short prefix,
/// and nothing that would act on a terminal.
pub fn snippet(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == SNIPPET_CHARS {
            out.push_str("...");
            break;
        }
        if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// The closest of `candidates` to `word` when it is close enough to be a
/// likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_short_and_inert() {
        assert_eq!(snippet("amount"), "amount");
        assert_eq!(snippet("a\u{1b}[2J"), "a\\u{1b}[2J");
        let long = "root:x:0:0:root:/root:/bin/bash:and:more";
        assert_eq!(snippet(long), format!("{}...", &long[..32]));
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("trails", ["name", "seed", "trials"]),
            Some("trials")
        );
        assert_eq!(
            did_you_mean("poison", ["poisson", "bernoulli"]),
            Some("poisson")
        );
        assert_eq!(did_you_mean("xyz", ["poisson", "bernoulli"]), None);
    }
}
