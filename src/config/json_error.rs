//! serde's errors, said in the config's own words: the JSON path and line,
//! the kind (malformed JSON or a schema mismatch), no internal type names,
//! and a "did you mean" hint for a misspelt field or variant.

use crate::error::{did_you_mean, ConfigError, ErrorKind};

/// Fields whose value is a JSON list; an index under any other field means
/// a list was given where the schema wants an object.
const LIST_FIELDS: [&str; 13] = [
    "classes",
    "claims",
    "specific",
    "aggregate",
    "lasers",
    "candidates",
    "values",
    "seasonality",
    "pmf",
    "above",
    "known_claims",
    "incurred",
    "paid",
];

const FREQUENCIES: &str = "`poisson`, `negative_binomial` or `bernoulli`";
const SEVERITIES: &str =
    "`lognormal`, `gamma`, `exponential`, `weibull`, `pareto`, `spliced` or `empirical`";

/// A serde error on config `text` as a [`ConfigError`] of `file`.
pub(super) fn from_serde(
    e: serde_path_to_error::Error<serde_json::Error>,
    text: &str,
    file: &str,
) -> ConfigError {
    let mut path = e.path().to_string();
    let inner = e.into_inner();
    let mut kind = match inner.classify() {
        serde_json::error::Category::Data => ErrorKind::Schema,
        serde_json::error::Category::Io => ErrorKind::Io,
        _ => ErrorKind::Syntax,
    };
    let mut message = strip_position(&inner.to_string())
        .replace("expected f64", "expected a number")
        .replace("expected u64", "expected a whole number at least 0");
    // serde_json reports a distribution given as anything but a one-key
    // object as a syntax error ("expected value"), though the JSON is fine.
    if message == "number out of range" {
        kind = ErrorKind::Invalid;
        message = "number out of range: give a finite number (JSON has no infinity)".into();
    } else if kind == ErrorKind::Syntax
        && message == "expected value"
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
    {
        kind = ErrorKind::Schema;
        message = match distribution_of(&path) {
            Some((what, names)) => format!(
                "expected an object with one key, the {what} distribution ({names}), holding its parameters"
            ),
            None => "this value has a shape the config schema does not allow here".into(),
        };
    } else if message.contains("unit variant") {
        // `"frequency": "poisson"`: a name without its parameters.
        let (what, names) = distribution_of(&path).unwrap_or(("", ""));
        message = format!(
            "a {what} distribution needs its parameters: an object like {{\"{}\": {{...}}}} with one of {names}",
            path.rsplit('.').next().unwrap_or_default()
        );
    } else if let Some(object) = list_given_for_object(&path) {
        path = object;
        message = "invalid type: a list, expected an object".into();
    } else if message.starts_with("invalid length") && message.contains("expected struct") {
        message = "invalid type: a list, expected an object".into();
    } else {
        message = plain_types(&message);
    }
    if let Some(hint) = meant_number(&message) {
        message.push_str(&hint);
    }
    if let Some(hint) = suggestion(&message) {
        message.push_str(&format!(" (did you mean `{hint}`?)"));
    }
    let located = path != "." && !path.contains('?');
    let location = if located {
        format!("{path} (line {}, column {})", inner.line(), inner.column())
    } else {
        format!("line {}, column {}", inner.line(), inner.column())
    };
    ConfigError::new(kind, file, location, message)
}

/// serde accepts a JSON list for any object, matching elements to fields
/// by position (`"pareto": [2.5, 10000]`): a swapped pair would pass
/// silently. Refuses lists anywhere but in the fields that hold lists.
/// `text` must be well-formed JSON (it has been deserialized).
pub(super) fn check_lists(text: &str, file: &str) -> Result<(), ConfigError> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(());
    };
    match positional_list(&value, &mut String::new(), None) {
        None => Ok(()),
        Some(path) => Err(ConfigError::new(
            ErrorKind::Schema,
            file,
            path,
            format!(
                "invalid type: a list; only {} hold lists: give an object with named fields",
                LIST_FIELDS.join(", ")
            ),
        )),
    }
}

/// Lists allowed by their full path (their keys alone are objects elsewhere,
/// like the top-level `trend`), and the rows of the transition matrix.
const LIST_PATHS: [&str; 5] = [
    "projection.trend",
    "projection.persistence.tiers",
    "projection.persistence.transition",
    "projection.persistence.components",
    "parameter_risk.posterior.components",
];

fn list_allowed(path: &str, key: Option<&str>) -> bool {
    key.is_some_and(|k| LIST_FIELDS.contains(&k))
        || LIST_PATHS.contains(&path)
        || path
            .strip_prefix("projection.persistence.transition[")
            .is_some_and(|rest| !rest.contains('.') && !rest.contains('['))
}

/// The path of the first list in `v` that is not the value of a list field.
fn positional_list(v: &serde_json::Value, path: &mut String, key: Option<&str>) -> Option<String> {
    match v {
        serde_json::Value::Array(items) => {
            if !list_allowed(path, key) {
                return Some(path.clone());
            }
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = positional_list(item, path, None);
                path.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let found = positional_list(item, path, Some(k));
                path.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        _ => None,
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// The kind of distribution a path points into: `...frequency` (or one of
/// its variants) or `...severity` / `...body`.
fn distribution_of(path: &str) -> Option<(&'static str, &'static str)> {
    let mut segments = path.rsplit('.');
    let last = segments.next()?;
    let parent = segments.next().unwrap_or_default();
    if last == "frequency" || parent == "frequency" {
        Some(("claim-count", FREQUENCIES))
    } else if matches!(last, "severity" | "body") || matches!(parent, "severity" | "body") {
        Some(("claim-amount", SEVERITIES))
    } else {
        None
    }
}

/// For a path such as `population[0].x` where `population` is not a list
/// field: the path of the object that was given as a list (`population`).
fn list_given_for_object(path: &str) -> Option<String> {
    let mut prefix = String::new();
    for segment in path.split('.') {
        if let Some((field, _)) = segment.split_once('[') {
            if !LIST_FIELDS.contains(&field) {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(field);
                return Some(prefix);
            }
        }
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(segment);
    }
    None
}

/// serde names the Rust types it expected (`struct RawPopulation`,
/// `struct variant RawFrequency::Poisson`); a config's reader knows them as
/// objects.
fn plain_types(msg: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for w in msg.split(' ') {
        if w.starts_with("Raw") {
            while matches!(
                words.last().map(String::as_str),
                Some("struct" | "variant" | "enum")
            ) {
                words.pop();
            }
            let name_len = w
                .find(|c: char| !(c.is_alphanumeric() || c == ':' || c == '_'))
                .unwrap_or(w.len());
            words.push(format!("an object{}", &w[name_len..]));
        } else {
            words.push(w.to_string());
        }
    }
    words.join(" ")
}

/// For a number written as text (`"150k"`, `"$150,000"`, `"120%"`, `"1.5M"`)
/// where a number belongs, the number it stands for, as a hint.
fn meant_number(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("invalid type: string \"")?;
    if !msg.contains("expected a number") {
        return None;
    }
    let text = &rest[..rest.rfind("\", expected")?];
    let t = text
        .trim()
        .trim_start_matches('$')
        .replace([',', '_', ' '], "");
    let (digits, scale, percent) = match t.chars().last()? {
        'k' | 'K' => (&t[..t.len() - 1], 1e3, false),
        'm' | 'M' => (&t[..t.len() - 1], 1e6, false),
        '%' => (&t[..t.len() - 1], 1.0, true),
        _ => (t.as_str(), 1.0, false),
    };
    let x: f64 = digits.trim_start_matches('$').parse().ok()?;
    if !x.is_finite() {
        return None;
    }
    let value = if percent { x / 100.0 } else { x * scale };
    let shown = crate::format::trim_number(value);
    Some(if percent {
        format!(" (write the number without quotes: {shown} for {text}, a fraction)")
    } else {
        format!(" (write the number without quotes, in dollars: {shown} for {text})")
    })
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (or variant),
/// the closest expected name.
fn suggestion(msg: &str) -> Option<String> {
    let rest = msg
        .strip_prefix("unknown field `")
        .or_else(|| msg.strip_prefix("unknown variant `"))?;
    let (word, expected) = rest.split_once('`')?;
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(word, names.iter().copied()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_type_names_become_objects() {
        assert_eq!(
            plain_types("invalid type: string \"abc\", expected struct RawPopulation"),
            "invalid type: string \"abc\", expected an object"
        );
        assert_eq!(
            plain_types("invalid type: integer `1`, expected struct variant RawFrequency::Poisson"),
            "invalid type: integer `1`, expected an object"
        );
    }

    #[test]
    fn positional_lists_are_refused() {
        let ok = r#"{"a": {"claims": [{"x": 1}], "values": [1, 2]}}"#;
        assert!(check_lists(ok, "f").is_ok());
        let e = check_lists(r#"{"a": {"claims": [{"pareto": [2.5, 1]}]}}"#, "f").unwrap_err();
        assert_eq!(e.location, "a.claims[0].pareto");
        let e = check_lists(r#"{"classes": [[1]]}"#, "f").unwrap_err();
        assert_eq!(e.location, "classes[0]");
    }

    #[test]
    fn lists_where_objects_belong_are_found() {
        assert_eq!(
            list_given_for_object("population[0]").as_deref(),
            Some("population")
        );
        assert_eq!(
            list_given_for_object("population.classes[0].claims[1].severity.spliced[2]").as_deref(),
            Some("population.classes[0].claims[1].severity.spliced")
        );
        assert_eq!(
            list_given_for_object("stop_loss.specific[0].deductible"),
            None
        );
    }
}
