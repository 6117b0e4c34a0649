//! Limits on what a config may ask for beyond the ranges of its values:
//! the text that reaches terminals, file names and documents (study name,
//! labels, names, description), and the size of the work (member-years,
//! candidates). Configs may come from others (a service running what it is
//! sent), so every limit is refused at validation, with what is allowed.

use crate::model::Study;

/// Longest study name (it names output folders, which also carry suffixes
/// such as `.shard-0003-of-0016` and a staging prefix: file names are at
/// most 255 bytes on common file systems).
pub const MAX_NAME_CHARS: usize = 128;

/// Longest option label, class or component name (characters).
pub const MAX_LABEL_CHARS: usize = 200;

/// Longest description (characters).
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;

/// Most member-years (members x trials) a run may simulate: at the 20 to 45
/// million member-years per second a core manages, 10^12 is hours of work
/// even on many cores.
pub const MAX_MEMBER_YEARS: f64 = 1e12;

/// Most candidates (specific x aggregate combinations) a study may compare:
/// each takes about 10 kB of `results.json` and a pass over every trial.
pub const MAX_CANDIDATES: usize = 10_000;

/// Most candidate evaluations (candidates x trials) a run may ask for.
pub const MAX_CANDIDATE_TRIALS: f64 = 1e11;

/// Rough speed for the estimate in messages: member-years per second per core.
const MEMBER_YEARS_PER_CORE_SECOND: f64 = 20e6;

/// Rough bytes of `results.json` per candidate.
const RESULTS_BYTES_PER_CANDIDATE: f64 = 10e3;

/// Why `s` cannot be used as a label, a name or (with `multiline`) a
/// description, if it cannot: empty, too long, or holding a control
/// character (escape sequences would act on a terminal) or a bidirectional
/// override (which reorders what is displayed).
pub fn text_problem(s: &str, max_chars: usize, multiline: bool) -> Option<String> {
    if s.trim().is_empty() {
        return Some("must not be empty".into());
    }
    let n = s.chars().count();
    if n > max_chars {
        return Some(format!(
            "has {n} characters; at most {max_chars} are allowed"
        ));
    }
    let bad = s.chars().find(|&c| {
        (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) || is_bidi_control(c)
    })?;
    Some(format!(
        "contains the control character U+{:04X}: control characters and bidirectional overrides are not allowed (the text is printed in terminals and documents)",
        bad as u32
    ))
}

/// Unicode bidirectional embedding, override and isolate controls.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A workload beyond the limits: the config field at fault and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct Excess {
    /// `trials` (member-years, evaluations) or `stop_loss` (candidates).
    pub field: &'static str,
    /// What is asked, the limit, and the estimate of time and size.
    pub message: String,
}

/// Checks `study`'s workload (with its current trial count) against
/// [`MAX_MEMBER_YEARS`], [`MAX_CANDIDATES`] and [`MAX_CANDIDATE_TRIALS`].
pub fn check_workload(study: &Study) -> Result<(), Excess> {
    check_workload_of(study, study.trials)
}

/// [`check_workload`] for a run of `trials` trials (a precision target's cap).
pub fn check_workload_of(study: &Study, trials: u64) -> Result<(), Excess> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let members = study.population.member_count() as f64;
    let trials = trials as f64;
    let candidates = study.contract.candidates.len();
    if candidates > MAX_CANDIDATES {
        return Err(Excess {
            field: "stop_loss",
            message: format!(
                "composes {} candidates ({} specific x {} aggregate options, or the candidates listed); at most {} are allowed: results.json alone would take about {}, and every trial evaluates every candidate",
                group(candidates as f64),
                study.contract.specific.len(),
                study.contract.aggregate.len() + 1,
                group(MAX_CANDIDATES as f64),
                bytes(candidates as f64 * RESULTS_BYTES_PER_CANDIDATE)
            ),
        });
    }
    let member_years = members * trials;
    if member_years > MAX_MEMBER_YEARS {
        let seconds = member_years / (MEMBER_YEARS_PER_CORE_SECOND * cores as f64);
        return Err(Excess {
            field: "trials",
            message: format!(
                "asks for {} member-years ({} members x {} trials); at most {} are allowed: at about 20 million member-years per second per core this would take {} on this machine's {cores} core(s); run fewer trials",
                group(member_years),
                group(members),
                group(trials),
                group(MAX_MEMBER_YEARS),
                duration(seconds)
            ),
        });
    }
    let evaluations = candidates as f64 * trials;
    if evaluations > MAX_CANDIDATE_TRIALS {
        return Err(Excess {
            field: "trials",
            message: format!(
                "asks for {} candidate evaluations ({} candidates x {} trials); at most {} are allowed; run fewer trials or compare fewer candidates",
                group(evaluations),
                group(candidates as f64),
                group(trials),
                group(MAX_CANDIDATE_TRIALS)
            ),
        });
    }
    Ok(())
}

/// A whole number with thousands separators.
fn group(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// "about 3 hours", "about 12 days", "about 31,710 years".
fn duration(seconds: f64) -> String {
    let (n, unit) = if seconds < 3600.0 * 48.0 {
        (seconds / 3600.0, "hours")
    } else if seconds < 86400.0 * 730.0 {
        (seconds / 86400.0, "days")
    } else {
        (seconds / (86400.0 * 365.25), "years")
    };
    format!("about {} {unit}", group(n.round().max(1.0)))
}

/// "12 MB", "10 GB".
fn bytes(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.0} GB", n / 1e9)
    } else {
        format!("{:.0} MB", (n / 1e6).max(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(text_problem("spec $50k", 200, false), None);
        assert!(text_problem("  ", 200, false).unwrap().contains("empty"));
        assert!(text_problem("a\u{1b}[2J", 200, false)
            .unwrap()
            .contains("U+001B"));
        assert!(text_problem("a\u{202E}b", 200, false)
            .unwrap()
            .contains("U+202E"));
        assert_eq!(text_problem("line\nline", 200, true), None);
        assert!(text_problem("line\nline", 200, false).is_some());
        assert!(text_problem(&"x".repeat(201), 200, false)
            .unwrap()
            .contains("201 characters"));
    }

    #[test]
    fn estimates_read_naturally() {
        assert_eq!(group(1e15), "1,000,000,000,000,000");
        assert_eq!(duration(7200.0), "about 2 hours");
        assert_eq!(duration(86400.0 * 10.0), "about 10 days");
        assert_eq!(bytes(1.001e10), "10 GB");
    }
}
