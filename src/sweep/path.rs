//! JSON paths into a config (`population.classes[0].employees`), as error
//! messages print them, and setting a number at one.

use serde_json::{Map, Number, Value};
use std::fmt;

/// A `--param` path that does not lead to a number of the config.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PathError(pub String);

impl From<String> for PathError {
    fn from(message: String) -> Self {
        PathError(message)
    }
}

impl From<&str> for PathError {
    fn from(message: &str) -> Self {
        PathError(message.to_string())
    }
}

/// One step of a path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.key`
    Key(String),
    /// `[index]`
    Index(usize),
}

/// A parsed path such as `stop_loss.specific[1].premium_pepm.single`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl JsonPath {
    /// Parses `key(.key|[index])*`; keys are letters, digits and `_`.
    pub fn parse(text: &str) -> Result<JsonPath, PathError> {
        let bad = |why: &str| {
            Err(PathError::from(format!(
                "`{text}` is not a JSON path ({why}); write it as error messages do, e.g. population.classes[0].employees"
            )))
        };
        let mut steps = Vec::new();
        let mut rest = text.trim();
        if rest.is_empty() {
            return bad("it is empty");
        }
        let mut expect_key = true;
        while !rest.is_empty() {
            if expect_key {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                if end == 0 {
                    return bad("a key is missing");
                }
                steps.push(Step::Key(rest[..end].to_string()));
                rest = &rest[end..];
                expect_key = false;
            } else if let Some(r) = rest.strip_prefix('.') {
                rest = r;
                expect_key = true;
            } else if let Some(r) = rest.strip_prefix('[') {
                let Some(close) = r.find(']') else {
                    return bad("a `[` is not closed");
                };
                let Ok(i) = r[..close].trim().parse::<usize>() else {
                    return bad("an index is not a whole number");
                };
                steps.push(Step::Index(i));
                rest = &r[close + 1..];
            } else {
                return bad("expected `.` or `[` after a key or index");
            }
        }
        if expect_key {
            return bad("it ends with `.`");
        }
        Ok(JsonPath {
            text: text.trim().to_string(),
            steps,
        })
    }

    /// The path's text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text of the first `n` steps (for messages).
    fn prefix(&self, n: usize) -> String {
        let mut s = String::new();
        for step in &self.steps[..n] {
            match step {
                Step::Key(k) if s.is_empty() => s.push_str(k),
                Step::Key(k) => {
                    s.push('.');
                    s.push_str(k);
                }
                Step::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        if s.is_empty() {
            "the config".into()
        } else {
            s
        }
    }

    /// Checks that the path leads to a number in `root`, or to a key that
    /// its object lacks (which setting will add; validation then judges it).
    pub fn check(&self, root: &Value) -> Result<(), PathError> {
        let mut node = root;
        for (n, step) in self.steps.iter().enumerate() {
            let last = n + 1 == self.steps.len();
            let here = self.prefix(n);
            node = match (step, node) {
                (Step::Key(k), Value::Object(m)) => match m.get(k) {
                    Some(v) => v,
                    None if last => return Ok(()),
                    None => {
                        let keys: Vec<&str> = m.keys().map(String::as_str).collect();
                        let hint = crate::error::did_you_mean(k, keys.iter().copied())
                            .map(|h| format!(" (did you mean `{h}`?)"))
                            .unwrap_or_default();
                        return Err(PathError::from(format!(
                            "{here} has no field `{k}`{hint}; its fields: {}",
                            keys.join(", ")
                        )));
                    }
                },
                (Step::Index(i), Value::Array(a)) => a.get(*i).ok_or_else(|| {
                    format!("{here} has {} entries: index {i} is out of range", a.len())
                })?,
                (Step::Key(k), other) => {
                    return Err(PathError::from(format!(
                        "{here} is {}, not an object: it has no field `{k}`",
                        kind(other)
                    )))
                }
                (Step::Index(i), other) => {
                    return Err(PathError::from(format!(
                        "{here} is {}, not a list: it has no entry [{i}]",
                        kind(other)
                    )))
                }
            };
        }
        match node {
            Value::Number(_) => Ok(()),
            other => Err(PathError::from(format!(
                "the value there is {}, not a number: a sweep sets numbers (point at a number inside it, e.g. `{}.single` for a rate by tier)",
                kind(other),
                self.text
            ))),
        }
    }

    /// Sets the number at the path (adding a missing last key). Whole
    /// numbers are written as integers, so fields such as `trials` accept them.
    pub fn set(&self, root: &mut Value, x: f64) -> Result<(), PathError> {
        self.check(root)?;
        let number = if x.fract() == 0.0 && x.abs() < 9.0e15 {
            Number::from(x as i64)
        } else {
            Number::from_f64(x).ok_or_else(|| format!("{x} is not a finite number"))?
        };
        let mut node = root;
        let (last, init) = self.steps.split_last().expect("a path has a step");
        for step in init {
            node = match step {
                Step::Key(k) => &mut node[k.as_str()],
                Step::Index(i) => &mut node[*i],
            };
        }
        match last {
            Step::Key(k) => {
                if let Value::Object(m) = node {
                    m.insert(k.clone(), Value::Number(number));
                } else {
                    let mut m = Map::new();
                    m.insert(k.clone(), Value::Number(number));
                    *node = Value::Object(m);
                }
            }
            Step::Index(i) => node[*i] = Value::Number(number),
        }
        Ok(())
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a true/false value",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_sets_paths() {
        let p = JsonPath::parse("population.classes[1].employees").unwrap();
        let mut v = json!({"population": {"classes": [{"employees": 1}, {"employees": 2.5}]}});
        p.set(&mut v, 40.0).unwrap();
        assert_eq!(v["population"]["classes"][1]["employees"], json!(40));
        p.set(&mut v, 0.25).unwrap();
        assert_eq!(v["population"]["classes"][1]["employees"], json!(0.25));
        let budget = JsonPath::parse("budget").unwrap();
        budget.set(&mut v, 1e6).unwrap();
        assert_eq!(v["budget"], json!(1000000));
    }

    #[test]
    fn errors_name_the_place() {
        for bad in ["", "a.", ".a", "a[", "a[x]", "a b", "a..b"] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
        let v = json!({"population": {"classes": [{"name": "x", "employees": {"single": 3}}]}});
        let e = JsonPath::parse("population.clases[0]")
            .unwrap()
            .check(&v)
            .unwrap_err();
        assert!(
            e.0.contains("population has no field `clases` (did you mean `classes`?)"),
            "{e}"
        );
        let e = JsonPath::parse("population.classes[2].employees")
            .unwrap()
            .check(&v)
            .unwrap_err();
        assert!(
            e.0.contains("population.classes has 1 entries: index 2"),
            "{e}"
        );
        let e = JsonPath::parse("population.classes[0].name")
            .unwrap()
            .check(&v)
            .unwrap_err();
        assert!(e.0.contains("a string, not a number"), "{e}");
        let e = JsonPath::parse("population.classes[0].employees")
            .unwrap()
            .check(&v)
            .unwrap_err();
        assert!(
            e.0.contains("an object, not a number") && e.0.contains(".single"),
            "{e}"
        );
        assert!(JsonPath::parse("population.classes[0].employees.single")
            .unwrap()
            .check(&v)
            .is_ok());
        let e = JsonPath::parse("population.classes[0].name.x")
            .unwrap()
            .check(&v)
            .unwrap_err();
        assert!(
            e.0.contains("population.classes[0].name is a string, not an object"),
            "{e}"
        );
    }
}
