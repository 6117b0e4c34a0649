//! Fuzz-style tests of the config and census parsers (proptest: stable Rust
//! has no cargo-fuzz). Inputs are the shipped configs and census with
//! random token-level mutations (deleted, duplicated, swapped, replaced
//! tokens; numbers replaced by extremes or by random bit patterns), token
//! soups, and arbitrary bytes. Every input must give either a study that
//! holds its invariants or a typed [`ConfigError`] whose message says what
//! is wrong and whose place is well formed; never a panic, never more than
//! a few seconds.
//!
//! Case counts are small by default so the file runs in CI in well under
//! 30 s; `PROPTEST_CASES=N` sets every target's count, and
//! `PROPTEST_RNG_SEED=S` explores other inputs than the fixed default seed:
//!
//! ```sh
//! PROPTEST_CASES=200000 PROPTEST_RNG_SEED=$RANDOM cargo test --release --test fuzz
//! ```

use crate::util::configs_dir;

use crate::common;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use std::fs;
use std::time::{Duration, Instant};
use stoploss::config::{self, MAX_TRIALS};
use stoploss::error::{ConfigError, ErrorKind};
use stoploss::report::{CsvExporter, Exporter, JsonExporter};

/// The longest any single parse may take: a hang shows up as a failure.
const MAX_CASE_TIME: Duration = Duration::from_secs(5);

/// A proptest config with `default_cases` unless `PROPTEST_CASES` is set,
/// a fixed seed unless `PROPTEST_RNG_SEED` is set (CI stays reproducible),
/// and no regression files written into the source tree (failing inputs
/// found are kept as explicit regression tests below instead).
fn fuzz_config(default_cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = default_cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(20_260_611);
    }
    c.failure_persistence = None;
    c
}

const SHIPPED: [&str; 5] = [
    "small-100.json",
    "mid-500.json",
    "census-5000.json",
    "timing-400.json",
    "renewal-200.json",
];

fn shipped_text(i: usize) -> String {
    fs::read_to_string(configs_dir().join(SHIPPED[i % SHIPPED.len()])).expect("shipped config")
}

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/// Splits JSON-ish text into tokens: strings (with escapes), numbers and
/// bare words, single punctuation characters, and whitespace runs. Joining
/// the tokens gives the text back.
fn json_tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let c = chars[i];
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
        } else if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
        } else if c.is_alphanumeric() || matches!(c, '-' | '+' | '.') {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '-' | '+' | '.'))
            {
                i += 1;
            }
        } else {
            i += 1;
        }
        out.push(chars[start..i].iter().collect());
    }
    out
}

fn is_number(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_digit() || c == '-')
}

/// Replacement tokens: extreme and malformed numbers, JSON punctuation and
/// literals, odd strings.
const JSON_DICTIONARY: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1",
    "0.5",
    "1.0000001",
    "2",
    "12",
    "1e-308",
    "5e-324",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e400",
    "-1e400",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "4294967296",
    "10000000",
    "100000000",
    "1e13",
    "1e15",
    "99999999999999999999999",
    "0.0000001",
    "NaN",
    "Infinity",
    "-Infinity",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "false",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"é\"",
    "\u{feff}",
    "//",
    "\"census-5000.csv\"",
    "\"/dev/null\"",
    "\"..\"",
    "\"/\"",
    "\"poisson\"",
    "\"pareto\"",
    "\"alpha\"",
    "\"spliced\"",
    "\"excluded\"",
    "\"lasers\"",
    "\"candidates\"",
];

/// One mutation: what to do, where, and with what (indices are taken
/// modulo the lengths they index).
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    FromDictionary(usize, usize),
    FromText(usize, usize),
    Swap(usize, usize),
    Insert(usize, usize),
    /// The `n`th number becomes a random float (any bit pattern).
    RandomNumber(usize, u64),
    /// The `n`th number becomes a random integer.
    RandomInteger(usize, i64),
    /// The `n`th number becomes one from [`NUMBERS`].
    Number(usize, usize),
    /// Two numbers change places.
    SwapNumbers(usize, usize),
    /// The `n`th string becomes the `m`th (keys and values alike).
    SwapString(usize, usize),
}

/// Numbers at and beyond the edges of what the config allows.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1",
    "0.5",
    "0.999999",
    "1.0000001",
    "1.01",
    "2",
    "12",
    "13",
    "120",
    "1e-308",
    "5e-324",
    "1e308",
    "-1e308",
    "1e400",
    "18446744073709551615",
    "18446744073709551616",
    "4294967296",
    "1000000",
    "1000001",
    "10000000",
    "10000001",
    "100000000",
    "100000001",
    "1e9",
    "1e12",
    "1e13",
    "1.0000001e13",
    "1e15",
    "0.0000001",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let idx = any::<usize>();
    prop_oneof![
        idx.prop_map(Mutation::Delete),
        idx.prop_map(Mutation::Duplicate),
        (idx, idx).prop_map(|(a, b)| Mutation::FromDictionary(a, b)),
        (idx, idx).prop_map(|(a, b)| Mutation::FromText(a, b)),
        (idx, idx).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (idx, idx).prop_map(|(a, b)| Mutation::Insert(a, b)),
        (idx, any::<u64>()).prop_map(|(a, b)| Mutation::RandomNumber(a, b)),
        (idx, any::<i64>()).prop_map(|(a, b)| Mutation::RandomInteger(a, b)),
    ]
}

/// Mutations that keep the JSON well formed, so the input reaches
/// validation.
fn value_mutation() -> impl Strategy<Value = Mutation> {
    let idx = any::<usize>();
    prop_oneof![
        1 => (idx, any::<u64>()).prop_map(|(a, b)| Mutation::RandomNumber(a, b)),
        1 => (idx, any::<i64>()).prop_map(|(a, b)| Mutation::RandomInteger(a, b)),
        3 => (idx, idx).prop_map(|(a, b)| Mutation::Number(a, b)),
        1 => (idx, idx).prop_map(|(a, b)| Mutation::SwapNumbers(a, b)),
        1 => (idx, idx).prop_map(|(a, b)| Mutation::SwapString(a, b)),
    ]
}

fn mutate(tokens: &mut Vec<String>, m: &Mutation, dictionary: &[&str]) {
    if tokens.is_empty() {
        return;
    }
    let n = tokens.len();
    let nth = |tokens: &[String], k: usize, what: fn(&str) -> bool| {
        let found: Vec<usize> = (0..tokens.len()).filter(|&i| what(&tokens[i])).collect();
        (!found.is_empty()).then(|| found[k % found.len()])
    };
    let number_at = |tokens: &[String], k: usize| nth(tokens, k, is_number);
    let string_at = |tokens: &[String], k: usize| nth(tokens, k, |t| t.starts_with('"'));
    match *m {
        Mutation::Delete(i) => {
            tokens.remove(i % n);
        }
        Mutation::Duplicate(i) => {
            let t = tokens[i % n].clone();
            tokens.insert(i % n, t);
        }
        Mutation::FromDictionary(i, j) => tokens[i % n] = dictionary[j % dictionary.len()].into(),
        Mutation::FromText(i, j) => tokens[i % n] = tokens[j % n].clone(),
        Mutation::Swap(i, j) => tokens.swap(i % n, j % n),
        Mutation::Insert(i, j) => tokens.insert(i % n, dictionary[j % dictionary.len()].into()),
        Mutation::RandomNumber(k, bits) => {
            if let Some(i) = number_at(tokens, k) {
                tokens[i] = format!("{:?}", f64::from_bits(bits));
            }
        }
        Mutation::RandomInteger(k, v) => {
            if let Some(i) = number_at(tokens, k) {
                tokens[i] = v.to_string();
            }
        }
        Mutation::Number(k, j) => {
            if let Some(i) = number_at(tokens, k) {
                tokens[i] = NUMBERS[j % NUMBERS.len()].into();
            }
        }
        Mutation::SwapNumbers(a, b) => {
            if let (Some(i), Some(j)) = (number_at(tokens, a), number_at(tokens, b)) {
                tokens.swap(i, j);
            }
        }
        Mutation::SwapString(a, b) => {
            if let (Some(i), Some(j)) = (string_at(tokens, a), string_at(tokens, b)) {
                tokens[i] = tokens[j].clone();
            }
        }
    }
}

// ---------------------------------------------------------------------------
// What every outcome must satisfy
// ---------------------------------------------------------------------------

/// The line number a location names, if any (`line 12, column 3 (months)`,
/// `stop_loss.specific[0] (line 4, column 9)`).
fn line_in(location: &str) -> Option<usize> {
    let rest = &location[location.find("line ")? + 5..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A typed error with a message and a well-formed place. `lines` is the
/// number of lines of the input when the error is about that input.
fn check_error(e: &ConfigError, input_file: &str, lines: usize) {
    let shown = e.to_string();
    assert!(!e.message.trim().is_empty(), "empty message: {e:?}");
    assert!(!e.file.is_empty(), "no file: {e:?}");
    assert!(
        shown.contains(&e.message) && shown.contains(&e.location),
        "{shown}"
    );
    for internal in ["struct Raw", "variant Raw", "enum Raw"] {
        assert!(
            !e.message.contains(internal),
            "internal type name in: {shown}"
        );
    }
    if let Some(line) = line_in(&e.location) {
        assert!(line >= 1, "line 0 in: {shown}");
        if e.file == input_file {
            assert!(line <= lines + 1, "line {line} of {lines} in: {shown}");
        }
    } else if !e.location.is_empty() {
        // Otherwise a JSON path: field names, dots and indices.
        assert!(
            e.location
                .chars()
                .all(|c| !c.is_control() && c != '\n' && c != '\r'),
            "odd location in: {shown:?}"
        );
    }
}

/// What a study that passed validation must hold.
fn check_study(study: &stoploss::model::Study) {
    assert!((1..=MAX_TRIALS).contains(&study.trials));
    assert!(study.population.member_count() > 0);
    assert!(!study.contract.candidates.is_empty());
    let gross = study.population.expected_gross_claims();
    assert!(gross.is_finite() && gross >= 0.0, "expected gross {gross}");
    for o in &study.contract.specific {
        let d = o.terms.deductible;
        assert!(d > 0.0, "deductible {d}");
    }
}

/// Parses `text` as a config beside the shipped ones and checks the outcome.
fn check_config_text(text: &str) {
    let start = Instant::now();
    let outcome = config::parse(text, "fuzz.json", &configs_dir());
    let took = start.elapsed();
    assert!(took < MAX_CASE_TIME, "parse took {took:?}");
    match outcome {
        Ok(study) => check_study(&study),
        Err(e) => check_error(&e, "fuzz.json", text.lines().count()),
    }
}

// ---------------------------------------------------------------------------
// Config parser
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(fuzz_config(2000))]

    /// The shipped configs with one to four token mutations.
    #[test]
    fn mutated_shipped_configs(
        which in 0usize..3,
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let mut tokens = json_tokens(&shipped_text(which));
        for m in &mutations {
            mutate(&mut tokens, m, JSON_DICTIONARY);
        }
        check_config_text(&tokens.concat());
    }

    /// The shipped configs with one to six mutations that keep the JSON
    /// well formed: extreme, random and swapped numbers, swapped strings.
    #[test]
    fn shipped_configs_with_mutated_values(
        which in 0usize..3,
        mutations in prop::collection::vec(value_mutation(), 1..7),
    ) {
        let mut tokens = json_tokens(&shipped_text(which));
        for m in &mutations {
            mutate(&mut tokens, m, JSON_DICTIONARY);
        }
        check_config_text(&tokens.concat());
    }
}

proptest! {
    #![proptest_config(fuzz_config(1000))]

    /// Random sequences of JSON tokens drawn from the shipped configs and
    /// the dictionary, inside an object.
    #[test]
    fn token_soup(picks in prop::collection::vec(any::<usize>(), 0..60)) {
        let pool: Vec<String> = json_tokens(&shipped_text(0))
            .into_iter()
            .filter(|t| !t.trim().is_empty())
            .chain(JSON_DICTIONARY.iter().map(|s| s.to_string()))
            .collect();
        let body: Vec<&str> = picks.iter().map(|&p| pool[p % pool.len()].as_str()).collect();
        check_config_text(&format!("{{{}}}", body.join(" ")));
    }

    /// Arbitrary bytes, read from a file as the command line does (so
    /// invalid UTF-8 is covered too).
    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400), brace in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.json");
        let mut data = if brace { b"{".to_vec() } else { Vec::new() };
        data.extend_from_slice(&bytes);
        fs::write(&path, &data).unwrap();
        let start = Instant::now();
        let outcome = config::load(&path);
        prop_assert!(start.elapsed() < MAX_CASE_TIME);
        match outcome {
            Ok(study) => check_study(&study),
            Err(e) => check_error(&e, &path.display().to_string(), data.split(|b| *b == b'\n').count()),
        }
    }
}

/// Claims one plan year of the whole population expects.
fn expected_claims(study: &stoploss::model::Study) -> f64 {
    let p = &study.population;
    p.members
        .iter()
        .map(|m| {
            p.profiles[m.profile as usize]
                .components
                .iter()
                .map(|c| c.frequency.mean())
                .sum::<f64>()
        })
        .sum()
}

/// Trials each valid mutated study is run for.
const RUN_TRIALS: u64 = 32;

proptest! {
    #![proptest_config(fuzz_config(1000))]

    /// Mutated values that still validate are run (a few trials, when the
    /// work is small): every number in results.json and summary.csv must be
    /// finite, and the figures ordered as any sample's are.
    #[test]
    fn valid_mutations_run_to_finite_results(
        which in 0usize..3,
        mutations in prop::collection::vec(value_mutation(), 1..3),
    ) {
        let mut tokens = json_tokens(&shipped_text(which));
        for m in &mutations {
            mutate(&mut tokens, m, JSON_DICTIONARY);
        }
        let Ok(mut study) = config::parse(&tokens.concat(), "fuzz.json", &configs_dir()) else {
            return Ok(());
        };
        let work = RUN_TRIALS as f64 * expected_claims(&study);
        let member_years = RUN_TRIALS as f64 * study.population.member_count() as f64;
        if work > 2e6 || member_years > 4e6 {
            return Ok(());
        }
        study.trials = RUN_TRIALS;
        let start = Instant::now();
        let results = stoploss::run::run_study(&study, &|_| {});
        prop_assert!(start.elapsed() < MAX_CASE_TIME);
        let json = JsonExporter.serialize(&results).unwrap();
        common::check_results_json(std::str::from_utf8(&json).unwrap());
        let csv = CsvExporter.serialize(&results).unwrap();
        common::check_summary_csv(std::str::from_utf8(&csv).unwrap());
    }
}

// ---------------------------------------------------------------------------
// Census parser
// ---------------------------------------------------------------------------

/// Class names of the shipped census config.
fn census_classes() -> Vec<String> {
    ["employee", "spouse", "child"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The header and the first 60 members of the shipped census.
fn census_sample() -> String {
    let text = fs::read_to_string(configs_dir().join("census-5000.csv")).expect("census");
    text.lines().take(61).map(|l| format!("{l}\n")).collect()
}

/// Census tokens: fields, commas, quotes and line ends, so mutations can
/// break rows, fields and quoting alike.
fn csv_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    for c in text.chars() {
        if matches!(c, ',' | '\n' | '\r' | '"') {
            if !field.is_empty() {
                out.push(std::mem::take(&mut field));
            }
            out.push(c.to_string());
        } else {
            field.push(c);
        }
    }
    if !field.is_empty() {
        out.push(field);
    }
    out
}

const CSV_DICTIONARY: &[&str] = &[
    "",
    ",",
    "\n",
    "\r\n",
    "\r",
    "\"",
    "\"a,b\"",
    "\"\"\"\"",
    "\u{feff}",
    "0",
    "-1",
    "12",
    "13",
    "0.5",
    "1000",
    "1000.0001",
    "1e308",
    "1e400",
    "NaN",
    "inf",
    "-inf",
    "5e-324",
    "employee",
    "child",
    "spouse",
    "employe",
    "family",
    "ee",
    "member_id",
    "employee_id",
    "class",
    "tier",
    "risk_factor",
    "months",
    "E00001",
    " ",
    "\t",
    "é",
    "\u{0}",
];

/// Reads `bytes` as a census and checks the outcome.
fn check_census_bytes(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.csv");
    fs::write(&path, bytes).unwrap();
    let start = Instant::now();
    let outcome = config::read_census(&path, &census_classes());
    let took = start.elapsed();
    assert!(took < MAX_CASE_TIME, "read took {took:?}");
    let lines = bytes.split(|b| *b == b'\n').count();
    match outcome {
        Ok(rows) => {
            assert!(!rows.is_empty());
            let mut ids = std::collections::HashSet::new();
            for r in &rows {
                assert!(ids.insert(r.member_id.clone()), "duplicate {}", r.member_id);
                assert!(!r.member_id.is_empty() && !r.employee_id.is_empty());
                assert!(r.class < 3);
                assert!(
                    r.risk_factor.is_finite() && r.risk_factor > 0.0 && r.risk_factor <= 1000.0
                );
                assert!(r.months > 0.0 && r.months <= 12.0);
                assert!(r.line >= 2 && r.line as usize <= lines, "line {}", r.line);
            }
        }
        Err(e) => {
            assert!(
                matches!(
                    e.kind,
                    ErrorKind::Census | ErrorKind::Io | ErrorKind::TooLarge
                ),
                "kind {:?}",
                e.kind
            );
            check_error(&e, &path.display().to_string(), lines);
        }
    }
}

proptest! {
    #![proptest_config(fuzz_config(1000))]

    /// The shipped census with one to four token mutations.
    #[test]
    fn mutated_census(mutations in prop::collection::vec(mutation(), 1..5)) {
        let mut tokens = csv_tokens(&census_sample());
        for m in &mutations {
            mutate(&mut tokens, m, CSV_DICTIONARY);
        }
        check_census_bytes(tokens.concat().as_bytes());
    }

    /// Arbitrary bytes after a valid header.
    #[test]
    fn census_arbitrary_rows(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut data = b"member_id,employee_id,class,tier,risk_factor,months\n".to_vec();
        data.extend_from_slice(&bytes);
        check_census_bytes(&data);
    }
}

// ---------------------------------------------------------------------------
// Regressions: inputs these targets (or the corpus work) found
// ---------------------------------------------------------------------------

/// serde accepts a list for any object, field by field: `[2.5, 10000]` for
/// a Pareto read as alpha 2.5, theta 10000, and swapped numbers would have
/// passed silently. Refused now.
#[test]
fn positional_lists_are_refused() {
    let text = shipped_text(0);
    let from = "\"frequency\": {\"poisson\": {\"mean\": 1.5}}";
    assert!(text.contains(from), "small-100 has a Poisson frequency");
    let text = text.replacen(from, "\"frequency\": {\"poisson\": [1.5]}", 1);
    let e = config::parse(&text, "f.json", &configs_dir()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Schema);
    assert!(e.location.ends_with("frequency.poisson"), "{e}");
}

/// A distribution given as a number was reported as malformed JSON.
#[test]
fn distribution_of_the_wrong_shape_is_a_schema_error() {
    let text = shipped_text(0);
    let from = "\"frequency\": {\"poisson\": {\"mean\": 1.5}}";
    let text = text.replacen(from, "\"frequency\": 1.5", 1);
    let e = config::parse(&text, "f.json", &configs_dir()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Schema, "{e}");
    assert!(e.message.contains("claim-count distribution"), "{e}");
}

/// A target loss ratio of 5e-324 passed validation and made the priced
/// premium infinite (null in results.json). Refused now.
#[test]
fn tiny_loss_ratio_is_refused() {
    let text = shipped_text(2);
    let from = "\"target_loss_ratio\": 0.83";
    assert!(text.contains(from), "census-5000 prices a premium");
    let text = text.replacen(from, "\"target_loss_ratio\": 5e-324", 1);
    let e = config::parse(&text, "f.json", &configs_dir()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid);
    assert!(e.location.ends_with("target_loss_ratio"), "{e}");
}
