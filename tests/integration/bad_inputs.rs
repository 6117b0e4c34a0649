//! The bad-input corpus: every way a config, census or data file can be
//! wrong that the tool must refuse with a clear error, and a few oddities it
//! must accept.
//!
//! Each case starts from a valid input in `tests/bad_inputs/` (`base.json`,
//! or `census.json` with `census.csv`), breaks one thing, and asserts
//!
//! - through the library (`stoploss::config::load`): the exact kind of
//!   error (`ErrorKind`), the file it names, the place (a JSON path such as
//!   `stop_loss.specific[0].deductible`, or `line 6, column 5 (risk_factor)`
//!   in a census) and the words saying what is allowed;
//! - through the command line: `stoploss validate` and `stoploss run` both
//!   exit with 1 and print the same place and words on stderr, nothing
//!   panics, and no output folder, staging folder or other file is left.
//!
//! Cases that are valid configs but cannot run (too many trials for the
//! machine's memory) pass `validate` and are refused by `run` before it
//! starts. Every case is listed in [`cases`]; the test fails if there are
//! fewer than 60.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};
use stoploss::error::ErrorKind;
use tempfile::TempDir;

/// The least number of cases the corpus must hold (issue 6).
const MIN_CASES: usize = 60;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

fn read_value(name: &str) -> Value {
    let text = fs::read_to_string(corpus_dir().join(name)).expect("corpus file");
    serde_json::from_str(&text).expect("corpus base is JSON")
}

/// The valid config without a census (two tiers, classes `employees` and
/// `dependents`, one specific and one aggregate option).
fn base() -> Value {
    read_value("base.json")
}

/// The valid census config: classes `employee` and `child`, census
/// `census.csv` beside it, tiers `ee` and `family`.
fn census_config() -> Value {
    read_value("census.json")
}

/// The valid census: header on line 1, members A1, A1C, B1, C1 on lines 2-5.
/// Columns: 1 member_id, 2 employee_id, 3 class, 4 tier, 5 risk_factor,
/// 6 months.
fn census() -> String {
    fs::read_to_string(corpus_dir().join("census.csv")).expect("corpus census")
}

/// `v` with the value at JSON pointer `ptr` set (the parent must exist).
fn set(mut v: Value, ptr: &str, value: Value) -> Value {
    let (parent, key) = ptr.rsplit_once('/').expect("a JSON pointer");
    match v.pointer_mut(parent).expect("parent exists") {
        Value::Object(m) => {
            m.insert(key.to_string(), value);
        }
        Value::Array(a) => {
            let i: usize = key.parse().expect("array index");
            if i == a.len() {
                a.push(value);
            } else {
                a[i] = value;
            }
        }
        other => panic!("cannot set {ptr} in {other}"),
    }
    v
}

/// `v` without the key at JSON pointer `ptr`.
fn remove(mut v: Value, ptr: &str) -> Value {
    let (parent, key) = ptr.rsplit_once('/').expect("a JSON pointer");
    v.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove(key))
        .unwrap_or_else(|| panic!("{ptr} exists"));
    v
}

fn text(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("serialize")
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` in text"));
    1 + text[..at].matches('\n').count()
}

const CLAIM0: &str = "/population/classes/0/claims/0";
const SEV0: &str = "population.classes[0].claims[0].severity";
const FREQ0: &str = "population.classes[0].claims[0].frequency";

/// What a case must produce.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// `load` fails with this kind; `validate` and `run` exit 1.
    Error(ErrorKind),
    /// A valid config: `validate` exits 0, `run` refuses it (exit 1)
    /// before it starts.
    RefusedByRun,
}

/// How the config reaches the tool.
enum Config {
    /// `study.json` in the case's folder, with these bytes.
    Bytes(Vec<u8>),
    /// A path outside the folder (a device).
    Path(&'static str),
}

struct Case {
    name: &'static str,
    config: Config,
    /// Other files written beside `study.json`.
    files: Vec<(&'static str, Vec<u8>)>,
    /// A file made sparse with this length (replacing any content).
    sparse: Option<(&'static str, u64)>,
    /// Extra arguments for `stoploss run`.
    run_args: Vec<&'static str>,
    /// `--confine` for the library, `validate` and `run`.
    confine: bool,
    expect: Expect,
    /// The file the error names (its file name).
    file: &'static str,
    /// The place: the error's location is this, or starts with it followed
    /// by ` (` or `,` (serde adds the line and column to JSON paths).
    at: String,
    /// Fragments the message must contain.
    says: Vec<&'static str>,
    /// Fragments it must not contain.
    lacks: Vec<&'static str>,
}

impl Case {
    fn new(name: &'static str, config: impl Into<Vec<u8>>) -> Case {
        Case {
            name,
            config: Config::Bytes(config.into()),
            files: Vec::new(),
            sparse: None,
            run_args: Vec::new(),
            confine: false,
            expect: Expect::RefusedByRun,
            file: "study.json",
            at: String::new(),
            says: Vec::new(),
            lacks: Vec::new(),
        }
    }

    /// A case on `base.json` edited by `f`.
    fn base(name: &'static str, f: impl FnOnce(Value) -> Value) -> Case {
        Case::new(name, text(&f(base())))
    }

    /// A case on `census.json` edited by `f`, with the valid census.
    fn census_cfg(name: &'static str, f: impl FnOnce(Value) -> Value) -> Case {
        Case::new(name, text(&f(census_config()))).file("census.csv", census())
    }

    /// A case on the valid census config with this census.
    fn census(name: &'static str, csv: impl Into<Vec<u8>>) -> Case {
        Case::new(name, text(&census_config())).file("census.csv", csv)
    }

    fn file(mut self, name: &'static str, bytes: impl Into<Vec<u8>>) -> Case {
        self.files.retain(|(n, _)| *n != name);
        self.files.push((name, bytes.into()));
        self
    }

    fn sparse(mut self, name: &'static str, len: u64) -> Case {
        self.sparse = Some((name, len));
        self
    }

    fn confine(mut self) -> Case {
        self.confine = true;
        self
    }

    fn run_args(mut self, args: &[&'static str]) -> Case {
        self.run_args = args.to_vec();
        self
    }

    fn err(mut self, kind: ErrorKind, at: impl Into<String>, says: &[&'static str]) -> Case {
        self.expect = Expect::Error(kind);
        self.at = at.into();
        self.says = says.to_vec();
        self
    }

    /// The error is in `file`, not in `study.json`.
    fn in_file(mut self, file: &'static str) -> Case {
        self.file = file;
        self
    }

    fn lacks(mut self, fragments: &[&'static str]) -> Case {
        self.lacks = fragments.to_vec();
        self
    }

    fn refused_by_run(mut self, says: &[&'static str]) -> Case {
        self.expect = Expect::RefusedByRun;
        self.says = says.to_vec();
        self
    }
}

use ErrorKind::{Census, DataFile, Invalid, Io, Schema, Syntax, TooLarge};

/// JSON that is not well formed, or not one object.
fn syntax_cases() -> Vec<Case> {
    let base_text = text(&base());
    let with = |from: &str, to: &str| {
        assert!(base_text.contains(from), "`{from}` in base.json");
        base_text.replacen(from, to, 1)
    };
    let ded = "\"deductible\": 50000";
    let ded_at: &'static str = format!("line {}", line_of(&base_text, ded)).leak();
    let comma = with("\"premium_pepm\": 5\n", "\"premium_pepm\": 5,\n");
    let comma_line = line_of(&comma, "\"premium_pepm\": 5,") + 1;
    let last_line = base_text.lines().count();
    let mut invalid_utf8 = base_text.clone().into_bytes();
    let name_at = base_text.find("\"bad\"").expect("name") + 2;
    invalid_utf8[name_at] = 0xff;
    vec![
        Case::new(
            "missing comma",
            "{\n  \"name\": \"broken\",\n  \"trials\": 2000\n  \"population\": {}\n}\n",
        )
        .err(Syntax, "line 4", &["expected `,` or `}`"]),
        Case::new("truncated", "{\"name\": \"x\", ").err(Syntax, "line 1", &["EOF"]),
        Case::new("empty file", "").err(Syntax, "line 1", &["EOF while parsing"]),
        Case::new("only whitespace", "  \n\n").err(Syntax, "line 3", &["EOF while parsing"]),
        Case::new("trailing garbage", format!("{base_text}\n}} extra")).err(
            Syntax,
            format!("line {}", last_line + 1),
            &["after the end of the config object"],
        ),
        Case::new("two objects", format!("{base_text}\n{base_text}")).err(
            Syntax,
            format!("line {}", last_line + 1),
            &["after the end of the config object"],
        ),
        Case::new("top-level array", "[{\"name\": \"x\"}]").err(
            Schema,
            "line 1",
            &["a config must be one JSON object"],
        ),
        Case::new("NaN literal", with(ded, "\"deductible\": NaN")).err(
            Syntax,
            "stop_loss.specific[0].deductible",
            &[ded_at, "expected value"],
        ),
        Case::new("Infinity literal", with(ded, "\"deductible\": Infinity")).err(
            Syntax,
            "stop_loss.specific[0].deductible",
            &[ded_at, "expected value"],
        ),
        // JSON has no infinity; 1e400 is the closest a file can get.
        Case::new("number beyond f64", with(ded, "\"deductible\": 1e400")).err(
            Invalid,
            "stop_loss.specific[0].deductible",
            &["number out of range"],
        ),
        Case::new(
            "negative number beyond f64",
            with(ded, "\"deductible\": -1e400"),
        )
        .err(
            Invalid,
            "stop_loss.specific[0].deductible",
            &["number out of range"],
        ),
        Case::new("comment", with("{\n", "{\n  // the 2026 renewal\n")).err(
            Syntax,
            "line 2",
            &["key must be a string"],
        ),
        Case::new("single quotes", with("\"bad\"", "'bad'")).err(
            Syntax,
            "name",
            &["line 2", "expected value"],
        ),
        Case::new("trailing comma", comma).err(
            Syntax,
            format!("line {comma_line}"),
            &["trailing comma"],
        ),
        Case::new("invalid UTF-8", invalid_utf8).err(
            Syntax,
            "line 2, column 13",
            &["not UTF-8 text"],
        ),
        Case::new(
            "duplicate key",
            with(
                "\"name\": \"bad\",",
                "\"name\": \"bad\",\n  \"name\": \"worse\",",
            ),
        )
        .err(Schema, "line 3", &["duplicate field `name`"]),
    ]
}

/// Unknown fields and variants, with a hint when one is close.
fn unknown_field_cases() -> Vec<Case> {
    vec![
        Case::base("unknown top-level field", |c| {
            set(remove(c, "/trials"), "/trails", json!(2000))
        })
        .err(
            Schema,
            "trails",
            &["unknown field `trails`", "did you mean `trials`?"],
        ),
        Case::base("unknown field in a specific option", |c| {
            set(c, "/stop_loss/specific/0/deductable", json!(60000))
        })
        .err(
            Schema,
            "stop_loss.specific[0].deductable",
            &["unknown field `deductable`", "did you mean `deductible`?"],
        ),
        Case::base("unknown frequency", |c| {
            set(
                c,
                &format!("{CLAIM0}/frequency"),
                json!({"poison": {"mean": 1.0}}),
            )
        })
        .err(
            Schema,
            FREQ0,
            &["unknown variant `poison`", "did you mean `poisson`?"],
        ),
        Case::base("unknown severity", |c| {
            set(
                c,
                &format!("{CLAIM0}/severity"),
                json!({"lognormall": {"mean": 6000, "cv": 3}}),
            )
        })
        .err(
            Schema,
            SEV0,
            &["unknown variant `lognormall`", "did you mean `lognormal`?"],
        ),
        Case::base("unknown severity parameter", |c| {
            set(
                c,
                &format!("{CLAIM0}/severity"),
                json!({"lognormal": {"mu": 7, "sigm": 1.5}}),
            )
        })
        .err(
            Schema,
            format!("{SEV0}.lognormal.sigm"),
            &["unknown field `sigm`", "did you mean `sigma`?"],
        ),
        Case::base("unknown class field", |c| {
            set(
                remove(c, "/population/classes/1/members"),
                "/population/classes/1/member",
                json!(8),
            )
        })
        .err(
            Schema,
            "population.classes[1].member",
            &["unknown field `member`", "did you mean `members`?"],
        ),
        Case::base("unknown aggregate field", |c| {
            set(
                remove(c, "/stop_loss/aggregate/0/attachment_factor"),
                "/stop_loss/aggregate/0/attachment_facter",
                json!(1.25),
            )
        })
        .err(
            Schema,
            "stop_loss.aggregate[0].attachment_facter",
            &["did you mean `attachment_factor`?"],
        ),
        Case::base("unknown field without a close name", |c| {
            set(c, "/colour", json!("blue"))
        })
        .err(
            Schema,
            "colour",
            &["unknown field `colour`", "expected one of `name`"],
        )
        .lacks(&["did you mean"]),
    ]
}

/// Values of the wrong JSON type.
fn wrong_type_cases() -> Vec<Case> {
    vec![
        Case::base("string for a number", |c| {
            set(c, "/stop_loss/specific/0/deductible", json!("50000"))
        })
        .err(
            Schema,
            "stop_loss.specific[0].deductible",
            &["invalid type: string \"50000\", expected a number"],
        ),
        Case::base("string for employees", |c| {
            set(c, "/population/classes/0/employees", json!("ten"))
        })
        .err(
            Schema,
            "population.classes[0].employees",
            &["a number (composite) or an object of numbers by tier"],
        ),
        Case::base("fractional trials", |c| set(c, "/trials", json!(1.5))).err(
            Schema,
            "trials",
            &["expected a whole number at least 0"],
        ),
        Case::base("negative trials", |c| set(c, "/trials", json!(-5))).err(
            Schema,
            "trials",
            &["-5", "expected a whole number at least 0"],
        ),
        Case::base("string seed", |c| set(c, "/seed", json!("seven"))).err(
            Schema,
            "seed",
            &["invalid type: string \"seven\""],
        ),
        Case::base("object for a list", |c| {
            set(c, "/population/classes/0/claims", json!({}))
        })
        .err(
            Schema,
            "population.classes[0].claims",
            &["invalid type: map, expected a sequence"],
        ),
        Case::base("string for a boolean", |c| {
            set(c, "/stop_loss/include_no_specific", json!("yes"))
        })
        .err(
            Schema,
            "stop_loss.include_no_specific",
            &["expected a boolean"],
        ),
        Case::base("number for a name", |c| set(c, "/name", json!(42))).err(
            Schema,
            "name",
            &["invalid type: integer `42`, expected a string"],
        ),
        Case::base("string in a tiered rate", |c| {
            set(
                c,
                "/stop_loss/specific/0/premium_pepm",
                json!({"single": "60", "family": 140}),
            )
        })
        .err(
            Schema,
            "stop_loss.specific[0].premium_pepm.single",
            &["invalid type: string \"60\", expected a number"],
        ),
        Case::new(
            "tier given twice",
            text(&base()).replacen("\"family\": 140", "\"family\": 140, \"single\": 70", 1),
        )
        .err(
            Schema,
            "stop_loss.specific[0].premium_pepm",
            &["tier `single` is given twice"],
        ),
        Case::base("list for an object", |c| set(c, "/population", json!([]))).err(
            Schema,
            "population",
            &["invalid type: a list, expected an object"],
        ),
        Case::base("string for an object", |c| set(c, "/fees", json!(5)))
            .err(
                Schema,
                "fees",
                &["invalid type: integer `5`, expected an object"],
            )
            .lacks(&["Raw"]),
        Case::base("number for a distribution", |c| {
            set(c, &format!("{CLAIM0}/frequency"), json!(5))
        })
        .err(
            Schema,
            FREQ0,
            &["expected an object with one key, the claim-count distribution"],
        ),
        Case::base("two distributions at once", |c| {
            set(
                c,
                &format!("{CLAIM0}/severity"),
                json!({"exponential": {"mean": 5000}, "gamma": {"mean": 5000, "cv": 2}}),
            )
        })
        .err(
            Schema,
            SEV0,
            &["expected an object with one key, the claim-amount distribution"],
        ),
        Case::base("distribution without parameters", |c| {
            set(c, &format!("{CLAIM0}/frequency"), json!("poisson"))
        })
        .err(
            Schema,
            format!("{FREQ0}.poisson"),
            &["needs its parameters", "`negative_binomial`"],
        ),
        Case::base("list for distribution parameters", |c| {
            set(
                c,
                &format!("{CLAIM0}/severity"),
                json!({"pareto": [2.5, 10000]}),
            )
        })
        .err(
            Schema,
            format!("{SEV0}.pareto"),
            &["invalid type: a list", "give an object with named fields"],
        ),
        Case::base("list for the trend", |c| {
            set(c, "/trend", json!([0.07, 12]))
        })
        .err(Schema, "trend", &["invalid type: a list"]),
        Case::base("list for a class", |c| {
            set(
                c,
                "/population/classes/1",
                json!(["dependents", 0, 8, null, []]),
            )
        })
        .err(Schema, "population.classes[1]", &["invalid type: a list"]),
    ]
}

/// Required fields left out.
fn missing_cases() -> Vec<Case> {
    let root_missing = |name, key: &str, says| {
        let t = text(&remove(base(), &format!("/{key}")));
        let last = t.lines().count();
        Case::new(name, t).err(Schema, format!("line {last}"), says)
    };
    vec![
        // A top-level field is missed where the object ends: the last line.
        root_missing(
            "no population",
            "population",
            &["missing field `population`"],
        ),
        root_missing("no name", "name", &["missing field `name`"]),
        root_missing("no stop_loss", "stop_loss", &["missing field `stop_loss`"]),
        Case::base("no deductible", |c| {
            remove(c, "/stop_loss/specific/0/deductible")
        })
        .err(
            Schema,
            "stop_loss.specific[0]",
            &["missing field `deductible`"],
        ),
        Case::base("no frequency", |c| {
            remove(c, &format!("{CLAIM0}/frequency"))
        })
        .err(
            Schema,
            "population.classes[0].claims[0]",
            &["missing field `frequency`"],
        ),
        Case::base("no pareto theta", |c| {
            set(
                c,
                &format!("{CLAIM0}/severity"),
                json!({"pareto": {"alpha": 2.5}}),
            )
        })
        .err(Schema, format!("{SEV0}.pareto"), &["missing field `theta`"]),
        Case::base("no employees without a census", |c| {
            remove(c, "/population/classes/0/employees")
        })
        .err(
            Invalid,
            "population.classes[0].employees",
            &["is required without a census"],
        ),
        Case::base("no premium", |c| {
            remove(c, "/stop_loss/specific/0/premium_pepm")
        })
        .err(
            Invalid,
            "stop_loss.specific[0].premium_pepm",
            &["is required", "target_loss_ratio"],
        ),
        Case::base("lognormal mean without cv", |c| {
            set(
                c,
                &format!("{CLAIM0}/severity"),
                json!({"lognormal": {"mean": 6000}}),
            )
        })
        .err(
            Invalid,
            format!("{SEV0}.lognormal"),
            &["give either mu and sigma, or mean and cv"],
        ),
    ]
}

/// Zero, negative, infinite and absurdly large parameters.
fn parameter_cases() -> Vec<Case> {
    let claim =
        |name, sev: Value| Case::base(name, move |c| set(c, &format!("{CLAIM0}/severity"), sev));
    let freq =
        |name, f: Value| Case::base(name, move |c| set(c, &format!("{CLAIM0}/frequency"), f));
    vec![
        Case::base("negative deductible", |c| {
            set(c, "/stop_loss/specific/0/deductible", json!(-50000))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].deductible",
            &["greater than 0", "-50000"],
        ),
        Case::base("zero deductible", |c| {
            set(c, "/stop_loss/specific/0/deductible", json!(0))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].deductible",
            &["greater than 0, got 0"],
        ),
        Case::base("absurd deductible", |c| {
            set(c, "/stop_loss/specific/0/deductible", json!(1e14))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].deductible",
            &["at most 10,000,000,000,000 dollars"],
        ),
        Case::base("zero trials", |c| set(c, "/trials", json!(0))).err(
            Invalid,
            "trials",
            &["between 1 and 100000000, got 0"],
        ),
        Case::base("too many trials", |c| set(c, "/trials", json!(100_000_001))).err(
            Invalid,
            "trials",
            &["between 1 and 100000000"],
        ),
        freq("negative poisson mean", json!({"poisson": {"mean": -1}})).err(
            Invalid,
            format!("{FREQ0}.poisson.mean"),
            &["at least 0, got -1"],
        ),
        freq("absurd poisson mean", json!({"poisson": {"mean": 1e7}})).err(
            Invalid,
            format!("{FREQ0}.poisson.mean"),
            &["at most 1000000 claims per member-year"],
        ),
        Case::base("negative binomial variance below mean", |c| {
            set(
                c,
                "/population/classes/1/claims/0/frequency",
                json!({"negative_binomial": {"mean": 5.0, "variance": 3.0}}),
            )
        })
        .err(
            Invalid,
            "population.classes[1].claims[0].frequency.negative_binomial.variance",
            &["must exceed the mean"],
        ),
        freq(
            "absurd negative binomial variance",
            json!({"negative_binomial": {"mean": 1.0, "variance": 1e12}}),
        )
        .err(
            Invalid,
            format!("{FREQ0}.negative_binomial.variance"),
            &["at most 1,000,000 times the mean"],
        ),
        freq("bernoulli above 1", json!({"bernoulli": {"p": 1.5}})).err(
            Invalid,
            format!("{FREQ0}.bernoulli.p"),
            &["a probability between 0 and 1, got 1.5"],
        ),
        claim("zero sigma", json!({"lognormal": {"mu": 7, "sigma": 0}})).err(
            Invalid,
            format!("{SEV0}.lognormal.sigma"),
            &["greater than 0, got 0"],
        ),
        claim("absurd sigma", json!({"lognormal": {"mu": 7, "sigma": 50}})).err(
            Invalid,
            format!("{SEV0}.lognormal.sigma"),
            &["at most 10"],
        ),
        claim("absurd mu", json!({"lognormal": {"mu": 60, "sigma": 1}})).err(
            Invalid,
            format!("{SEV0}.lognormal.mu"),
            &["between -50 and 50, got 60"],
        ),
        claim("zero exponential mean", json!({"exponential": {"mean": 0}})).err(
            Invalid,
            format!("{SEV0}.exponential.mean"),
            &["greater than 0, got 0"],
        ),
        claim(
            "absurd exponential mean",
            json!({"exponential": {"mean": 1e300}}),
        )
        .err(
            Invalid,
            format!("{SEV0}.exponential"),
            &["mean claim of 1e300 dollars", "at most 1,000,000,000,000"],
        ),
        claim(
            "absurd lognormal mean",
            json!({"lognormal": {"mu": 50, "sigma": 10}}),
        )
        .err(
            Invalid,
            format!("{SEV0}.lognormal"),
            &["at most 1,000,000,000,000"],
        ),
        claim(
            "tiny weibull shape",
            json!({"weibull": {"shape": 0.01, "scale": 1000}}),
        )
        .err(Invalid, format!("{SEV0}.weibull.shape"), &["at least 0.05"]),
        claim(
            "negative empirical amount",
            json!({"empirical": {"values": [100, -5]}}),
        )
        .err(
            Invalid,
            format!("{SEV0}.empirical.values"),
            &["entry 1 must be a finite amount at least 0, got -5"],
        ),
        claim("empty empirical list", json!({"empirical": {"values": []}})).err(
            Invalid,
            format!("{SEV0}.empirical.values"),
            &["at least one amount"],
        ),
        Case::base("reimbursement above 100%", |c| {
            set(c, "/stop_loss/specific/0/reimbursement_pct", json!(1.5))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].reimbursement_pct",
            &["at most 1, got 1.5"],
        ),
        Case::base("zero loss ratio", |c| {
            set(c, "/stop_loss/target_loss_ratio", json!(0))
        })
        .err(
            Invalid,
            "stop_loss.target_loss_ratio",
            &["a loss ratio must be between 0.01 and 1", "got 0"],
        ),
        // Found by tests/fuzz.rs: a priced premium divided by 5e-324 was
        // infinite.
        Case::base("tiny loss ratio", |c| {
            let c = remove(c, "/stop_loss/specific/0/premium_pepm");
            set(c, "/stop_loss/specific/0/target_loss_ratio", json!(5e-324))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].target_loss_ratio",
            &["between 0.01 and 1", "got 5e-324"],
        ),
        Case::base("absurd trend", |c| {
            set(c, "/trend", json!({"annual": 5, "months": 12}))
        })
        .err(Invalid, "trend.annual", &["between -0.5 and 1"]),
        Case::base("fractional employees", |c| {
            set(c, "/population/classes/1/employees", json!(1.5))
        })
        .err(
            Invalid,
            "population.classes[1].employees",
            &["whole number", "got 1.5"],
        ),
        Case::base("absurd members", |c| {
            set(c, "/population/classes/1/members", json!(2e7))
        })
        .err(
            Invalid,
            "population.classes[1].members",
            &["between 0 and 10000000"],
        ),
        Case::base("no members at all", |c| {
            let c = set(c, "/population/classes/0/members", json!(0));
            let c = set(c, "/population/classes/0/employees", json!(0));
            set(c, "/population/classes/1/members", json!(0))
        })
        .err(Invalid, "population.classes", &["hold no members"]),
        Case::base("too many claims a year", |c| {
            let c = set(c, "/population/classes/1/members", json!(2_000_000));
            set(
                c,
                "/population/classes/1/claims/0/frequency",
                json!({"poisson": {"mean": 1000}}),
            )
        })
        .err(
            Invalid,
            "population.classes",
            &["2.000e9 claims a plan year", "at most 1e9"],
        ),
        Case::base("absurd attachment factor", |c| {
            set(c, "/stop_loss/aggregate/0/attachment_factor", json!(50))
        })
        .err(
            Invalid,
            "stop_loss.aggregate[0].attachment_factor",
            &["at most 10"],
        ),
        Case::base("negative admin fee", |c| {
            set(c, "/fees", json!({"admin_pepm": -40}))
        })
        .err(Invalid, "fees.admin_pepm", &["at least 0, got -40"]),
        Case::base("absurd premium", |c| {
            set(
                c,
                "/stop_loss/specific/0/premium_pepm",
                json!({"single": 60, "family": 1e12}),
            )
        })
        .err(
            Invalid,
            "stop_loss.specific[0].premium_pepm.family",
            &["at most 1,000,000,000 dollars per employee per month"],
        ),
        Case::base("zero budget", |c| set(c, "/budget", json!(0))).err(
            Invalid,
            "budget",
            &["greater than 0"],
        ),
        Case::base("negative specific maximum", |c| {
            set(c, "/stop_loss/specific/0/max_reimbursement", json!(-1))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].max_reimbursement",
            &["greater than 0, got -1"],
        ),
        Case::base("absurd aggregating deductible", |c| {
            set(
                c,
                "/stop_loss/specific/0/aggregating_deductible",
                json!(1e20),
            )
        })
        .err(
            Invalid,
            "stop_loss.specific[0].aggregating_deductible",
            &["at most 10,000,000,000,000 dollars"],
        ),
        Case::base("name with a slash", |c| {
            set(c, "/name", json!("../escape/name"))
        })
        .err(Invalid, "name", &["is not allowed", "output folder"]),
        Case::base("empty name", |c| set(c, "/name", json!(""))).err(
            Invalid,
            "name",
            &["is not allowed"],
        ),
        Case::base("no classes", |c| set(c, "/population/classes", json!([]))).err(
            Invalid,
            "population.classes",
            &["at least one class"],
        ),
        Case::base("duplicate class", |c| {
            set(c, "/population/classes/1/name", json!("employees"))
        })
        .err(
            Invalid,
            "population.classes[1].name",
            &["class `employees` is defined twice"],
        ),
        Case::base("no claim components", |c| {
            set(c, "/population/classes/0/claims", json!([]))
        })
        .err(
            Invalid,
            "population.classes[0].claims",
            &["at least one claim component"],
        ),
    ]
}

/// Pareto tails with an infinite mean, and mean/cv pairs no distribution
/// of the family can have.
fn distribution_cases() -> Vec<Case> {
    let claim =
        |name, sev: Value| Case::base(name, move |c| set(c, &format!("{CLAIM0}/severity"), sev));
    let spliced = |alpha: f64, threshold: f64| {
        json!({"spliced": {
            "body": {"lognormal": {"mean": 6000, "cv": 3}},
            "threshold": threshold, "tail_probability": 0.01, "tail_alpha": alpha}})
    };
    vec![
        claim(
            "pareto alpha below 1",
            json!({"pareto": {"alpha": 0.8, "theta": 10000}}),
        )
        .err(
            Invalid,
            format!("{SEV0}.pareto.alpha"),
            &["greater than 1", "infinite mean", "got 0.8"],
        ),
        claim(
            "pareto alpha exactly 1",
            json!({"pareto": {"alpha": 1.0, "theta": 10000}}),
        )
        .err(
            Invalid,
            format!("{SEV0}.pareto.alpha"),
            &["infinite mean", "got 1"],
        ),
        claim(
            "negative pareto alpha",
            json!({"pareto": {"alpha": -2, "theta": 10000}}),
        )
        .err(Invalid, format!("{SEV0}.pareto.alpha"), &["greater than 1"]),
        claim("spliced tail alpha 1", spliced(1.0, 100_000.0)).err(
            Invalid,
            format!("{SEV0}.spliced.tail_alpha"),
            &["infinite mean"],
        ),
        claim("spliced threshold under the body", spliced(2.0, 0.001)).err(
            Invalid,
            format!("{SEV0}.spliced.threshold"),
            &["leaves the body almost no mass below it"],
        ),
        claim(
            "lognormal mean/cv out of reach",
            json!({"lognormal": {"mean": 1e-30, "cv": 1e10}}),
        )
        .err(
            Invalid,
            format!("{SEV0}.lognormal.mean"),
            &["with cv 10000000000 gives a lognormal whose mu must be a finite number between -50 and 50"],
        ),
        claim(
            "gamma mean/cv out of reach",
            json!({"gamma": {"mean": 3000, "cv": 1e200}}),
        )
        .err(
            Invalid,
            format!("{SEV0}.gamma.cv"),
            &["gives a gamma whose shape"],
        ),
        claim("zero cv", json!({"lognormal": {"mean": 6000, "cv": 0}})).err(
            Invalid,
            format!("{SEV0}.lognormal.cv"),
            &["greater than 0, got 0"],
        ),
        claim(
            "both lognormal parameterisations",
            json!({"lognormal": {"mu": 7.0, "sigma": 1.5, "mean": 5000, "cv": 3.0}}),
        )
        .err(
            Invalid,
            format!("{SEV0}.lognormal"),
            &["give either mu and sigma, or mean and cv"],
        ),
        claim(
            "gamma with lognormal parameters",
            json!({"gamma": {"mu": 7.0, "sigma": 1.5}}),
        )
        .err(
            Invalid,
            format!("{SEV0}.gamma"),
            &["has parameters of another distribution"],
        ),
    ]
}

/// Empty, duplicate and inconsistent stop-loss options and candidates.
fn option_cases() -> Vec<Case> {
    vec![
        Case::base("empty specific list", |c| {
            set(c, "/stop_loss/specific", json!([]))
        })
        .err(
            Invalid,
            "stop_loss.specific",
            &["lists no specific option", "include_no_specific"],
        ),
        Case::base("duplicate specific options", |c| {
            set(
                c,
                "/stop_loss/specific",
                json!([
                    {"deductible": 50000, "premium_pepm": 60},
                    {"deductible": 50000, "premium_pepm": 55}
                ]),
            )
        })
        .err(
            Invalid,
            "stop_loss.specific[1]",
            &["repeats the option labelled `spec $50k`", "distinct label"],
        ),
        Case::base("duplicate aggregate options", |c| {
            set(
                c,
                "/stop_loss/aggregate/1",
                json!({"attachment_factor": 1.25, "premium_pepm": 4}),
            )
        })
        .err(
            Invalid,
            "stop_loss.aggregate[1]",
            &["repeats the option labelled `agg 125%`"],
        ),
        Case::base("no candidate left", |c| {
            let c = set(c, "/stop_loss/aggregate", json!([]));
            set(c, "/stop_loss/include_no_aggregate", json!(false))
        })
        .err(Invalid, "stop_loss.aggregate", &["no candidate is left"]),
        Case::base("empty candidate list", |c| {
            set(c, "/stop_loss/candidates", json!([]))
        })
        .err(
            Invalid,
            "stop_loss.candidates",
            &["is empty: list at least one candidate"],
        ),
        Case::base("duplicate candidate", |c| {
            set(
                c,
                "/stop_loss/candidates",
                json!([{"specific": "spec $50k"}, {"specific": "spec $50k"}]),
            )
        })
        .err(
            Invalid,
            "stop_loss.candidates[1]",
            &["repeats an earlier candidate"],
        ),
        Case::base("candidate with an unknown aggregate", |c| {
            set(
                c,
                "/stop_loss/candidates",
                json!([{"specific": "spec $50k", "aggregate": "agg 150%"}]),
            )
        })
        .err(
            Invalid,
            "stop_loss.candidates[0].aggregate",
            &["no aggregate option is labelled `agg 150%`", "`agg 125%`"],
        ),
        Case::base("candidate with an unknown specific", |c| {
            set(
                c,
                "/stop_loss/candidates",
                json!([{"specific": "spec $75k"}]),
            )
        })
        .err(
            Invalid,
            "stop_loss.candidates[0].specific",
            &["no specific option is labelled `spec $75k`", "`spec $50k`"],
        ),
        Case::base("two attachment kinds", |c| {
            set(c, "/stop_loss/aggregate/0/attachment_amount", json!(200000))
        })
        .err(
            Invalid,
            "stop_loss.aggregate[0]",
            &["exactly one of attachment_factor, attachment_amount or attachment_monthly"],
        ),
        Case::base("no attachment", |c| {
            remove(c, "/stop_loss/aggregate/0/attachment_factor")
        })
        .err(Invalid, "stop_loss.aggregate[0]", &["exactly one of"]),
        Case::base("both minimum attachments", |c| {
            let c = set(c, "/stop_loss/aggregate/0/min_attachment", json!(100000));
            set(c, "/stop_loss/aggregate/0/min_attachment_pct", json!(0.95))
        })
        .err(
            Invalid,
            "stop_loss.aggregate[0].min_attachment_pct",
            &["not both"],
        ),
        Case::base("quote and loss ratio", |c| {
            set(c, "/stop_loss/specific/0/target_loss_ratio", json!(0.8))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].target_loss_ratio",
            &["give either premium_pepm", "not both"],
        ),
        Case::base("tiered premium missing a tier", |c| {
            set(
                c,
                "/stop_loss/specific/0/premium_pepm",
                json!({"single": 60}),
            )
        })
        .err(
            Invalid,
            "stop_loss.specific[0].premium_pepm",
            &["has no rate for tier(s) family"],
        ),
        Case::base("tiered premium without tiers", |c| {
            set(c, "/stop_loss/specific/0/premium_pepm", json!({}))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].premium_pepm",
            &["gives no tiers"],
        ),
        Case::base("unknown baseline", |c| {
            set(c, "/stop_loss/baseline", json!("spec $50k / agg 150%"))
        })
        .err(
            Invalid,
            "stop_loss.baseline",
            &[
                "no candidate is labelled `spec $50k / agg 150%`",
                "`spec $50k / no aggregate`, `spec $50k / agg 125%`",
            ],
        ),
    ]
}

/// Lasers: the one place where deductibles are ordered (a member's own
/// deductible must lie above the group's).
fn laser_cases() -> Vec<Case> {
    let lasers = |name, l: Value| Case::census_cfg(name, move |c| set(c, "/stop_loss/lasers", l));
    vec![
        Case::base("laser without a census", |c| {
            set(
                c,
                "/stop_loss/lasers",
                json!([{"member_id": "A1", "deductible": 100000}]),
            )
        })
        .err(Invalid, "stop_loss.lasers", &["needs a census"]),
        lasers(
            "laser for an unknown member",
            json!([{"member_id": "ZZ9", "deductible": 100000}]),
        )
        .err(
            Invalid,
            "stop_loss.lasers[0].member_id",
            &["member `ZZ9` is not in the census"],
        ),
        lasers(
            "laser below the deductible",
            json!([{"member_id": "A1", "deductible": 40000}]),
        )
        .err(
            Invalid,
            "stop_loss.lasers[0].deductible",
            &["40000 is not above the smallest specific deductible (50000)"],
        ),
        lasers(
            "laser at the deductible",
            json!([{"member_id": "A1", "deductible": 50000}]),
        )
        .err(
            Invalid,
            "stop_loss.lasers[0].deductible",
            &["not above the smallest specific deductible"],
        ),
        lasers(
            "member lasered twice",
            json!([{"member_id": "A1", "deductible": 100000},
                   {"member_id": "A1", "excluded": true}]),
        )
        .err(
            Invalid,
            "stop_loss.lasers[1].member_id",
            &["member `A1` is lasered twice"],
        ),
        lasers(
            "laser both raised and excluded",
            json!([{"member_id": "A1", "deductible": 100000, "excluded": true}]),
        )
        .err(Invalid, "stop_loss.lasers[0]", &["give either deductible"]),
        lasers("laser with no terms", json!([{"member_id": "A1"}])).err(
            Invalid,
            "stop_loss.lasers[0]",
            &["give either deductible"],
        ),
    ]
}

/// Census files.
fn census_cases() -> Vec<Case> {
    let good = census();
    let add = |row: &str| format!("{good}{row}\n");
    let replace = |from: &str, to: &str| {
        assert!(good.contains(from), "`{from}` in census.csv");
        good.replacen(from, to, 1)
    };
    let mut bom_crlf = b"\xEF\xBB\xBF".to_vec();
    bom_crlf.extend_from_slice(
        replace("A1C,A1,child,family,1.2,12", "A1C,A1,child,family,-1,12")
            .replace('\n', "\r\n")
            .as_bytes(),
    );
    let mut bad_utf8 = add("D1,D1,employee,ee,1,12").into_bytes();
    let at = bad_utf8.len() - "employee,ee,1,12\n".len();
    bad_utf8[at] = 0xff;
    let c = |name, csv: Vec<u8>| Case::census(name, csv).in_file("census.csv");
    vec![
        c(
            "census missing employee_id",
            b"member_id,class,tier\nA1,employee,ee\n".to_vec(),
        )
        .err(Census, "line 1", &["missing required column `employee_id`"]),
        c(
            "census missing class",
            b"member_id,employee_id\nA1,A1\n".to_vec(),
        )
        .err(Census, "line 1", &["missing required column `class`"]),
        c(
            "census bad number",
            add("D1,D1,employee,ee,lots,12").into_bytes(),
        )
        .err(
            Census,
            "line 6, column 5 (risk_factor)",
            &["`lots` is not allowed", "greater than 0 and at most 1000"],
        ),
        c(
            "census months above 12",
            replace("B1,B1,employee,ee,0.9,6", "B1,B1,employee,ee,0.9,13").into_bytes(),
        )
        .err(Census, "line 4, column 6 (months)", &["at most 12"]),
        c(
            "census zero months",
            replace("B1,B1,employee,ee,0.9,6", "B1,B1,employee,ee,0.9,0").into_bytes(),
        )
        .err(
            Census,
            "line 4, column 6 (months)",
            &["`0` is not allowed", "greater than 0"],
        ),
        c(
            "census NaN risk factor",
            add("D1,D1,employee,ee,NaN,12").into_bytes(),
        )
        .err(
            Census,
            "line 6, column 5 (risk_factor)",
            &["`NaN` is not allowed"],
        ),
        c(
            "census infinite risk factor",
            add("D1,D1,employee,ee,inf,12").into_bytes(),
        )
        .err(
            Census,
            "line 6, column 5 (risk_factor)",
            &["`inf` is not allowed"],
        ),
        c(
            "census absurd risk factor",
            add("D1,D1,employee,ee,5000,12").into_bytes(),
        )
        .err(Census, "line 6, column 5 (risk_factor)", &["at most 1000"]),
        c("census line numbers with BOM and CRLF", bom_crlf).err(
            Census,
            "line 3, column 5 (risk_factor)",
            &["`-1` is not allowed"],
        ),
        c(
            "census line numbers after blank lines",
            format!("{good}\n\nD1,D1,employee,ee,lots,12\n").into_bytes(),
        )
        .err(
            Census,
            "line 8, column 5 (risk_factor)",
            &["`lots` is not allowed"],
        ),
        c(
            "census unknown class",
            add("D1,D1,spouse,ee,1,12").into_bytes(),
        )
        .err(
            Census,
            "line 6, column 3 (class)",
            &[
                "unknown class `spouse`",
                "the config defines: employee, child",
            ],
        )
        .lacks(&["did you mean"]),
        c(
            "census misspelt class",
            add("D1,D1,employe,ee,1,12").into_bytes(),
        )
        .err(
            Census,
            "line 6, column 3 (class)",
            &["did you mean `employee`?"],
        ),
        c(
            "census duplicate member",
            add("A1,D1,employee,ee,1,12").into_bytes(),
        )
        .err(
            Census,
            "line 6, column 1 (member_id)",
            &["member_id `A1` already appears on line 2"],
        ),
        c(
            "census empty member_id",
            add(",D1,employee,ee,1,12").into_bytes(),
        )
        .err(
            Census,
            "line 6, column 1 (member_id)",
            &["member_id is empty"],
        ),
        c(
            "census empty employee_id",
            add("D1,,employee,ee,1,12").into_bytes(),
        )
        .err(
            Census,
            "line 6, column 2 (employee_id)",
            &["employee_id is empty"],
        ),
        c("census empty file", Vec::new()).err(
            Census,
            "",
            &["empty", "member_id, employee_id, class"],
        ),
        c("census only a BOM", b"\xEF\xBB\xBF".to_vec()).err(Census, "", &["empty"]),
        c(
            "census header only",
            b"member_id,employee_id,class\n".to_vec(),
        )
        .err(Census, "", &["lists no members"]),
        c(
            "census unknown column",
            b"member_id,employee_id,class,risk_factr\nA1,A1,employee,1\n".to_vec(),
        )
        .err(
            Census,
            "line 1, column 4",
            &["unknown column `risk_factr`", "did you mean `risk_factor`?"],
        ),
        c(
            "census duplicate column",
            b"member_id,employee_id,class,months,months\nA1,A1,employee,12,12\n".to_vec(),
        )
        .err(
            Census,
            "line 1, column 5",
            &["column `months` appears twice"],
        ),
        c(
            "census row with an extra field",
            add("D1,D1,employee,ee,1,12,oops").into_bytes(),
        )
        .err(
            Census,
            "line 6",
            &[
                "the row has 7 field(s) but the header has 6",
                "missing or extra comma",
            ],
        ),
        c(
            "census row with a missing field",
            add("D1,D1,employee,ee,1").into_bytes(),
        )
        .err(
            Census,
            "line 6",
            &["the row has 5 field(s) but the header has 6"],
        ),
        c(
            "census inconsistent tier",
            replace("A1C,A1,child,family", "A1C,A1,child,ee").into_bytes(),
        )
        .err(Census, "line 3 (tier)", &["an employee has one tier"]),
        c("census invalid UTF-8", bad_utf8).err(Census, "line 6, column 3", &["not UTF-8 text"]),
        Case::new("census file missing", text(&census_config()))
            .in_file("census.csv")
            .err(Io, "", &["No such file"]),
        Case::new(
            "census is a folder",
            text(&set(census_config(), "/population/census", json!("."))),
        )
        .in_file(".")
        .err(Io, "", &["is a folder, not a file"]),
    ]
}

/// Empirical severity files.
fn data_file_cases() -> Vec<Case> {
    let config = text(&set(
        base(),
        &format!("{CLAIM0}/severity"),
        json!({"empirical": {"file": "amounts.txt"}}),
    ));
    let c = |name, amounts: &[u8]| {
        Case::new(name, config.clone())
            .file("amounts.txt", amounts)
            .in_file("amounts.txt")
    };
    vec![
        c("data file with a bad amount", b"amount\n1000\n-5\n").err(
            DataFile,
            "line 3",
            &["`-5` is not an amount"],
        ),
        c("data file with no amounts", b"amount\n# none yet\n").err(
            DataFile,
            "",
            &["lists no amounts"],
        ),
        Case::new("data file missing", config.clone())
            .in_file("amounts.txt")
            .err(Io, "", &["No such file"]),
    ]
}

/// Files too large to read, and runs too large for memory: both refused
/// quickly, before anything big is read or allocated.
fn size_cases() -> Vec<Case> {
    const TWO_GB: u64 = 2 << 30;
    let amounts_config = text(&set(
        base(),
        &format!("{CLAIM0}/severity"),
        json!({"empirical": {"file": "amounts.txt"}}),
    ));
    // 200 specific options: 4 KB per trial, 400 GB for 100,000,000 trials.
    let many_options = |c: Value| {
        let options: Vec<Value> = (1..=200)
            .map(|i| json!({"deductible": 10000 * i, "premium_pepm": 10}))
            .collect();
        set(c, "/stop_loss/specific", Value::Array(options))
    };
    let mut cases = vec![
        Case::new("2 GB config", "")
            .sparse("study.json", TWO_GB)
            .err(
                TooLarge,
                "",
                &[
                    "2147483648 bytes (2.0 GiB)",
                    "configs are limited to 64 MiB",
                ],
            ),
        Case::census("2 GB census", Vec::new())
            .sparse("census.csv", TWO_GB)
            .in_file("census.csv")
            .err(
                TooLarge,
                "",
                &["2.0 GiB", "census files are limited to 512 MiB"],
            ),
        Case::new("2 GB data file", amounts_config)
            .sparse("amounts.txt", TWO_GB)
            .in_file("amounts.txt")
            .err(
                TooLarge,
                "",
                &["2.0 GiB", "data files are limited to 256 MiB"],
            ),
        Case::base("trials that do not fit in memory", |c| {
            set(many_options(c), "/trials", json!(100_000_000))
        })
        .refused_by_run(&["100000000 trials of 200 specific options need about", "MiB"]),
        Case::base("--trials that do not fit in memory", many_options)
            .run_args(&["--trials", "100000000"])
            .refused_by_run(&["100000000 trials of 200 specific options need about", "MiB"]),
        Case::base("precision cap that does not fit in memory", |c| {
            set(many_options(c), "/trials", json!(10_000_000))
        })
        .run_args(&["--target-se", "1"])
        .refused_by_run(&["100000000 trials of 200 specific options need about"]),
    ];
    if Path::new("/dev/zero").exists() {
        // A device that never ends: refused before it is opened (only
        // regular files are read; issue 18, item 14).
        let mut endless = Case::new("endless config", "").err(Io, "", &["is not a regular file"]);
        endless.config = Config::Path("/dev/zero");
        endless.file = "zero";
        cases.push(endless);
    }
    cases
}

/// Hostile and careless inputs (issue 18): names and labels that would
/// break file names, terminals, documents or the recommendation, paths
/// outside the config's folder under `--confine`, file contents quoted in
/// messages, malformed first amounts, and workloads beyond the limits.
fn hardening_cases() -> Vec<Case> {
    let long_name: &'static str = "n".repeat(244).leak();
    let spec_label = "/stop_loss/specific/0/label";
    let agg_label = "/stop_loss/aggregate/0/label";
    let empirical = |file: &str| {
        set(
            base(),
            &format!("{CLAIM0}/severity"),
            json!({"empirical": {"file": file}}),
        )
    };
    let amounts = |name, first_line: &'static str| {
        Case::new(name, text(&empirical("amounts.txt")))
            .file("amounts.txt", format!("{first_line}\n1000\n2500\n"))
            .in_file("amounts.txt")
            .err(
                DataFile,
                "line 1",
                &[
                    "is not an amount",
                    "no thousands separators or currency signs",
                ],
            )
    };
    // 101 specific x 100 aggregate options: 10,201 candidates.
    let many_candidates = |c: Value| {
        let specific: Vec<Value> = (1..=101)
            .map(|i| json!({"deductible": 10000 * i, "premium_pepm": 10}))
            .collect();
        let aggregate: Vec<Value> = (1..=100)
            .map(|i| json!({"attachment_amount": 100000 * i, "premium_pepm": 1}))
            .collect();
        set(
            set(c, "/stop_loss/specific", Value::Array(specific)),
            "/stop_loss/aggregate",
            Value::Array(aggregate),
        )
    };
    let passwd_like = format!("root:x:0:0:root:/root:/bin/bash{}", ":secret".repeat(20));
    vec![
        // Item 11: names that no file system takes.
        Case::base("name too long for a folder", |c| {
            set(c, "/name", json!(long_name))
        })
        .err(
            Invalid,
            "name",
            &["has 244 characters; at most 128 are allowed"],
        ),
        // Items 4 and 13: labels.
        Case::base("empty specific label", |c| set(c, spec_label, json!(""))).err(
            Invalid,
            "stop_loss.specific[0].label",
            &["must not be empty"],
        ),
        Case::base("blank aggregate label", |c| set(c, agg_label, json!("   "))).err(
            Invalid,
            "stop_loss.aggregate[0].label",
            &["must not be empty"],
        ),
        Case::base("label that clears the screen", |c| {
            set(c, spec_label, json!("spec \u{1b}[2J"))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].label",
            &["control character U+001B"],
        ),
        Case::base("label that sets the terminal title", |c| {
            set(c, agg_label, json!("\u{1b}]0;owned\u{7}"))
        })
        .err(
            Invalid,
            "stop_loss.aggregate[0].label",
            &["control character U+001B"],
        ),
        Case::base("label with a bidirectional override", |c| {
            set(c, spec_label, json!("spec \u{202e}k05$"))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].label",
            &["control character U+202E", "bidirectional"],
        ),
        Case::base("label too long", |c| {
            set(c, spec_label, json!("x".repeat(201)))
        })
        .err(
            Invalid,
            "stop_loss.specific[0].label",
            &["has 201 characters; at most 200"],
        ),
        Case::base("class name with an escape sequence", |c| {
            set(c, "/population/classes/0/name", json!("emp\u{1b}[31m"))
        })
        .err(
            Invalid,
            "population.classes[0].name",
            &["control character U+001B"],
        ),
        Case::base("description with an escape sequence", |c| {
            set(c, "/description", json!("renewal\n\u{1b}[2J"))
        })
        .err(Invalid, "description", &["control character U+001B"]),
        Case::base("aggregate labelled no aggregate", |c| {
            set(c, agg_label, json!("no aggregate"))
        })
        .err(
            Invalid,
            "stop_loss.aggregate[0].label",
            &[
                "gives two candidates the label",
                "/ no aggregate`",
                "must be unique",
            ],
        ),
        Case::base("specific labelled no specific", |c| {
            set(
                set(c, spec_label, json!("no specific")),
                "/stop_loss/include_no_specific",
                json!(true),
            )
        })
        .err(
            Invalid,
            "stop_loss.specific[0].label",
            &["gives two candidates the label `no specific / no aggregate`"],
        ),
        Case::base("labels that compose to one candidate label", |c| {
            let c = set(
                c,
                "/stop_loss/specific",
                json!([
                    {"deductible": 50000, "premium_pepm": 60, "label": "a / b"},
                    {"deductible": 75000, "premium_pepm": 40, "label": "a"}
                ]),
            );
            set(
                c,
                "/stop_loss/aggregate",
                json!([
                    {"attachment_factor": 1.25, "premium_pepm": 5, "label": "c"},
                    {"attachment_factor": 1.2, "premium_pepm": 6, "label": "b / c"}
                ]),
            )
        })
        .err(
            Invalid,
            "stop_loss.aggregate[1].label",
            &["gives two candidates the label `a / b / c`"],
        ),
        // Item 5: file contents quoted in messages, and --confine.
        Case::census(
            "census that is another kind of file",
            format!("{passwd_like}\nx\n"),
        )
        .in_file("census.csv")
        .err(
            Census,
            "line 1, column 1",
            &["unknown column `root:x:0:0:root:/root:/bin/bash:...`"],
        )
        .lacks(&["secret"]),
        Case::new(
            "data file that is another kind of file",
            text(&empirical("amounts.txt")),
        )
        .file("amounts.txt", format!("header\n{passwd_like}\n"))
        .in_file("amounts.txt")
        .err(
            DataFile,
            "line 2",
            &["`root:x:0:0:root:/root:/bin/bash:...` is not an amount"],
        )
        .lacks(&["secret"]),
        Case::new(
            "absolute census path under --confine",
            text(&set(
                census_config(),
                "/population/census",
                json!("/etc/passwd"),
            )),
        )
        .confine()
        .err(
            Invalid,
            "population.census",
            &["`/etc/passwd` leaves the config's folder", "--confine"],
        ),
        Case::new(
            "census path climbing out under --confine",
            text(&set(
                census_config(),
                "/population/census",
                json!("../census.csv"),
            )),
        )
        .confine()
        .err(
            Invalid,
            "population.census",
            &["`../census.csv` leaves the config's folder"],
        ),
        Case::new(
            "data file path climbing out under --confine",
            text(&empirical("sub/../../amounts.txt")),
        )
        .confine()
        .err(
            Invalid,
            format!("{SEV0}.empirical.file"),
            &["leaves the config's folder"],
        ),
        // Item 10: a malformed first amount is not a header.
        amounts("first amount with thousands separators", "5,000,000"),
        amounts("first amount with a currency sign", "$5000000"),
        amounts("negative first amount", "-5"),
        // Item 12: workloads beyond the limits.
        Case::base("too many member-years", |c| {
            set(
                set(c, "/population/classes/0/members", json!(1_000_000)),
                "/trials",
                json!(100_000_000),
            )
        })
        .err(
            Invalid,
            "trials",
            &[
                "member-years (1,000,008 members x 100,000,000 trials)",
                "at most 1,000,000,000,000 are allowed",
                "this would take about",
            ],
        ),
        Case::base("--trials beyond the member-year limit", |c| {
            set(c, "/population/classes/0/members", json!(1_000_000))
        })
        .run_args(&["--trials", "100000000"])
        .refused_by_run(&[
            "--trials 100000000: asks for",
            "member-years",
            "this would take about",
        ]),
        Case::base("precision cap beyond the member-year limit", |c| {
            set(c, "/population/classes/0/members", json!(1_000_000))
        })
        .run_args(&["--target-se", "1", "--max-trials", "100000000"])
        .refused_by_run(&[
            "--target-se may run up to 100000000 trials: asks for",
            "member-years",
        ]),
        Case::base("too many candidates", many_candidates).err(
            Invalid,
            "stop_loss",
            &[
                "composes 10,201 candidates",
                "at most 10,000 are allowed",
                "results.json alone would take about",
            ],
        ),
    ]
}

/// The whole corpus.
fn cases() -> Vec<Case> {
    [
        syntax_cases(),
        unknown_field_cases(),
        wrong_type_cases(),
        missing_cases(),
        parameter_cases(),
        distribution_cases(),
        option_cases(),
        laser_cases(),
        census_cases(),
        data_file_cases(),
        size_cases(),
        hardening_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

// ---------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------

/// Every file under `dir`, relative.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d)
            .expect("read dir")
            .map(|e| e.expect("entry"))
        {
            let p = e.path();
            out.push(p.strip_prefix(dir).expect("inside").to_path_buf());
            if e.file_type().expect("type").is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn stoploss(args: &[&str]) -> Output {
    Command::cargo_bin("stoploss")
        .expect("the stoploss binary is built")
        .args(args)
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .expect("stoploss runs")
}

/// Checks one case; returns what went wrong.
fn check(case: &Case) -> Result<(), String> {
    let tmp = TempDir::new().map_err(|e| e.to_string())?;
    let dir = tmp.path();
    for (name, bytes) in &case.files {
        fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
    }
    let config = match &case.config {
        Config::Bytes(b) => {
            let p = dir.join("study.json");
            fs::write(&p, b).map_err(|e| e.to_string())?;
            p
        }
        Config::Path(p) => PathBuf::from(p),
    };
    if let Some((name, len)) = case.sparse {
        let f = fs::File::create(dir.join(name)).map_err(|e| e.to_string())?;
        f.set_len(len).map_err(|e| e.to_string())?;
    }
    let before = tree(dir);

    // The library.
    let start = Instant::now();
    let options = stoploss::config::LoadOptions {
        confine: case.confine,
    };
    let loaded = stoploss::config::load_with(&config, &options);
    let took = start.elapsed();
    if took > Duration::from_secs(5) {
        return Err(format!("load took {took:?}"));
    }
    let message = match (case.expect, loaded) {
        (Expect::Error(kind), Err(e)) => {
            if e.kind != kind {
                return Err(format!("kind {:?}, expected {kind:?}: {e}", e.kind));
            }
            let named = Path::new(&e.file)
                .file_name()
                .map_or(e.file.clone(), |n| n.to_string_lossy().into_owned());
            if named != case.file && !(case.file == "." && e.file.ends_with('.')) {
                return Err(format!(
                    "names file `{}`, expected `{}`: {e}",
                    e.file, case.file
                ));
            }
            let at = &case.at;
            let placed = e.location == *at
                || e.location.starts_with(&format!("{at} ("))
                || (!at.is_empty() && e.location.starts_with(&format!("{at},")));
            if !placed {
                return Err(format!("location `{}`, expected `{at}`: {e}", e.location));
            }
            e.to_string()
        }
        (Expect::Error(_), Ok(_)) => return Err("load accepted it".into()),
        (Expect::RefusedByRun, Ok(_)) => String::new(),
        (Expect::RefusedByRun, Err(e)) => return Err(format!("load refused it: {e}")),
    };
    for f in &case.says {
        if case.expect != Expect::RefusedByRun && !message.contains(f) {
            return Err(format!("message lacks `{f}`: {message}"));
        }
    }
    for f in &case.lacks {
        if message.contains(f) {
            return Err(format!("message contains `{f}`: {message}"));
        }
    }

    // The command line.
    let cfg = config.to_str().expect("utf-8 path");
    let out_dir = dir.join("results");
    let out = out_dir.to_str().expect("utf-8 path");
    let mut validate_args = vec!["validate", cfg];
    let mut run_args = vec!["run", cfg, "--out", out, "--quiet"];
    if case.confine {
        validate_args.push("--confine");
        run_args.push("--confine");
    }
    let validate = stoploss(&validate_args);
    run_args.extend(&case.run_args);
    let start = Instant::now();
    let run = stoploss(&run_args);
    let took = start.elapsed();
    let validate_code = if case.expect == Expect::RefusedByRun {
        0
    } else {
        1
    };
    for (what, output, code) in [("validate", &validate, validate_code), ("run", &run, 1)] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        if stderr.contains("panicked") {
            return Err(format!("{what} panicked: {stderr}"));
        }
        if output.status.code() != Some(code) {
            return Err(format!(
                "{what} exited with {:?}, expected {code}\n{stdout}{stderr}",
                output.status.code()
            ));
        }
        if code == 0 {
            continue;
        }
        if !stderr.contains("error: ") || stdout.contains("ok:") || stdout.contains("wrote") {
            return Err(format!("{what} did not report an error:\n{stdout}{stderr}"));
        }
        let mut wanted: Vec<&str> = case.says.clone();
        if !case.at.is_empty() {
            wanted.push(&case.at);
        }
        if let Some(f) = wanted.iter().find(|f| !stderr.contains(**f)) {
            return Err(format!("{what}'s stderr lacks `{f}`: {stderr}"));
        }
    }
    if took > Duration::from_secs(10) {
        return Err(format!("run took {took:?} to refuse it"));
    }
    let after = tree(dir);
    if after != before {
        return Err(format!("files appeared: {before:?} -> {after:?}"));
    }
    Ok(())
}

#[test]
fn every_bad_input_is_refused_with_kind_place_and_rule() {
    let cases = cases();
    assert!(
        cases.len() >= MIN_CASES,
        "the corpus holds {} cases, fewer than {MIN_CASES}",
        cases.len()
    );
    let mut names = std::collections::HashSet::new();
    for c in &cases {
        assert!(names.insert(c.name), "case `{}` is listed twice", c.name);
        assert!(
            !c.says.is_empty(),
            "case `{}` checks no words of its message",
            c.name
        );
    }
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| check(c).err().map(|e| format!("- {}: {e}", c.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!("{} bad-input cases refused as expected", cases.len());
}

// ---------------------------------------------------------------------------
// Oddities that must be accepted
// ---------------------------------------------------------------------------

/// Writes `config` and `census` into a folder, checks that `load`,
/// `validate` and a short `run` accept them, and returns the member count.
fn accepted(config: &[u8], census: Option<&[u8]>) -> usize {
    let tmp = TempDir::new().unwrap();
    let cfg = tmp.path().join("study.json");
    fs::write(&cfg, config).unwrap();
    if let Some(c) = census {
        fs::write(tmp.path().join("census.csv"), c).unwrap();
    }
    let study = stoploss::config::load(&cfg).unwrap_or_else(|e| panic!("refused: {e}"));
    let cfg = cfg.to_str().unwrap();
    let v = stoploss(&["validate", cfg]);
    assert_eq!(v.status.code(), Some(0), "{v:?}");
    let out = tmp.path().join("out");
    let r = stoploss(&[
        "run",
        cfg,
        "--out",
        out.to_str().unwrap(),
        "--trials",
        "300",
        "--quiet",
    ]);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let results = out.join(&study.name).join("results.json");
    let json: Value = serde_json::from_str(&fs::read_to_string(results).unwrap()).unwrap();
    assert_eq!(json["meta"]["trials"], 300);
    study.population.member_count()
}

#[test]
fn census_with_bom_and_crlf_is_accepted() {
    let config = set(
        census_config(),
        "/stop_loss/lasers",
        json!([{"member_id": "A1C", "deductible": 100000}]),
    );
    let mut csv = b"\xEF\xBB\xBF".to_vec();
    csv.extend_from_slice(census().replace('\n', "\r\n").as_bytes());
    assert_eq!(accepted(text(&config).as_bytes(), Some(&csv)), 4);
}

#[test]
fn config_with_bom_and_crlf_is_accepted() {
    let mut config = b"\xEF\xBB\xBF".to_vec();
    config.extend_from_slice(text(&base()).replace('\n', "\r\n").as_bytes());
    assert_eq!(accepted(&config, None), 18);
}

#[test]
fn census_with_blank_lines_spaces_quotes_and_defaults_is_accepted() {
    // Columns in another order, quoted fields, spaces around values, empty
    // optional fields (defaults: risk factor 1, 12 months), blank lines.
    let csv = "class, member_id ,employee_id,months,risk_factor,tier\n\
               \n\
               employee,\"A1\",A1,,,family\n\
               child , A1C ,A1,12,1.2,family\n\
               \n\
               employee,B1,B1,6,,ee\n";
    let config = text(&census_config());
    assert_eq!(accepted(config.as_bytes(), Some(csv.as_bytes())), 3);
}

// ---------------------------------------------------------------------------
// Hostile text that is accepted, and made harmless on export (issue 18)
// ---------------------------------------------------------------------------

/// Labels that spreadsheets take for formulas.
const FORMULAS: [&str; 4] = [
    "=cmd|' /C calc'!A0",
    "+SUM(A1:A9)",
    "-2+3",
    "@HYPERLINK(\"x\")",
];

/// Items 3 and 4: option labels that are formulas or HTML are accepted;
/// `summary.csv` and `sweep.csv` start such cells with `'`, and
/// `summary.md` carries the HTML as entities.
#[test]
fn formula_and_html_labels_are_neutralized_on_export() {
    let tmp = TempDir::new().unwrap();
    let html = "<img src=x onerror=alert(1)>";
    let mut c = set(base(), "/stop_loss/specific/0/label", json!(FORMULAS[0]));
    c = set(
        c,
        "/stop_loss/specific/1",
        json!({"deductible": 75000, "premium_pepm": 40, "label": FORMULAS[1]}),
    );
    c = set(c, "/stop_loss/aggregate/0/label", json!(FORMULAS[2]));
    c = set(
        c,
        "/stop_loss/aggregate/1",
        json!({"attachment_factor": 1.2, "premium_pepm": 6, "label": FORMULAS[3]}),
    );
    c = set(
        c,
        "/stop_loss/specific/2",
        json!({"deductible": 100000, "premium_pepm": 30, "label": html}),
    );
    let cfg = tmp.path().join("study.json");
    fs::write(&cfg, text(&c)).unwrap();
    let out = tmp.path().join("out");
    let (cfg, out_s) = (cfg.to_str().unwrap(), out.to_str().unwrap());
    let r = stoploss(&["run", cfg, "--out", out_s, "--trials", "300", "--quiet"]);
    assert_eq!(r.status.code(), Some(0), "{r:?}");
    let s = stoploss(&[
        "sweep",
        cfg,
        "--param",
        "stop_loss.specific[1].deductible",
        "--values",
        "75000,80000",
        "--out",
        out_s,
        "--trials",
        "300",
        "--quiet",
    ]);
    assert_eq!(s.status.code(), Some(0), "{s:?}");
    let specific = [FORMULAS[0], FORMULAS[1], html];
    let aggregate = ["no aggregate", FORMULAS[2], FORMULAS[3]];
    for (file, column) in [
        ("bad/summary.csv", "label"),
        ("bad-sweep/sweep.csv", "candidate"),
    ] {
        let mut reader = csv::Reader::from_path(out.join(file)).unwrap();
        let at = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == column)
            .unwrap();
        let cells: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[at].to_string())
            .collect();
        let mut expected = Vec::new();
        for sp in specific {
            for ag in aggregate {
                let label = format!("{sp} / {ag}");
                let starts_formula = label.starts_with(['=', '+', '-', '@']);
                expected.push(if starts_formula {
                    format!("'{label}")
                } else {
                    label
                });
            }
        }
        let points = if file.contains("sweep") { 2 } else { 1 };
        assert_eq!(cells.len(), expected.len() * points, "{file}: {cells:?}");
        for e in &expected {
            assert!(cells.contains(e), "{file}: `{e}` not in {cells:?}");
        }
        assert!(
            cells
                .iter()
                .all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])),
            "{file}: {cells:?}"
        );
    }
    let md = fs::read_to_string(out.join("bad/summary.md")).unwrap();
    assert!(!md.contains("<img"), "{md}");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "{md}");
    let sweep_md = fs::read_to_string(out.join("bad-sweep/sweep.md")).unwrap();
    assert!(!sweep_md.contains('<'), "{sweep_md}");
}

/// Item 10: a header that is not number-like is still skipped, with a
/// warning that names the file and the line.
#[test]
fn empirical_header_is_skipped_with_a_warning() {
    let tmp = TempDir::new().unwrap();
    let c = set(
        base(),
        &format!("{CLAIM0}/severity"),
        json!({"empirical": {"file": "amounts.txt"}}),
    );
    let cfg = tmp.path().join("study.json");
    fs::write(&cfg, text(&c)).unwrap();
    fs::write(
        tmp.path().join("amounts.txt"),
        "paid_amount\n1000\n2500\n40000\n",
    )
    .unwrap();
    let v = stoploss(&["validate", cfg.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{v:?}");
    let stderr = String::from_utf8_lossy(&v.stderr);
    assert!(
        stderr.contains(
            "amounts.txt: line 1 (`paid_amount`) is not a number and was skipped as a header"
        ),
        "{stderr}"
    );
    let study = stoploss::config::load(&cfg).unwrap();
    let sev = &study.population.classes[0].components[0].severity;
    let mean = (1000.0 + 2500.0 + 40000.0) / 3.0;
    assert!((sev.mean() - mean).abs() < 1e-6, "{}", sev.mean());
}

/// Item 5: under `--confine` a data file in the config's folder is read,
/// and a link in that folder leading out of it is refused.
#[cfg(unix)]
#[test]
fn confine_accepts_files_inside_and_refuses_links_out() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("cfg");
    fs::create_dir(&dir).unwrap();
    let c = set(
        base(),
        &format!("{CLAIM0}/severity"),
        json!({"empirical": {"file": "data/./amounts.txt"}}),
    );
    let cfg = dir.join("study.json");
    fs::write(&cfg, text(&c)).unwrap();
    fs::create_dir(dir.join("data")).unwrap();
    fs::write(dir.join("data/amounts.txt"), "1000\n2500\n").unwrap();
    let cfg_s = cfg.to_str().unwrap();
    let ok = stoploss(&["validate", "--confine", cfg_s]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    fs::write(tmp.path().join("outside.txt"), "1000\n").unwrap();
    fs::remove_file(dir.join("data/amounts.txt")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("outside.txt"), dir.join("data/amounts.txt"))
        .unwrap();
    let before = tree(tmp.path());
    for args in [
        vec!["validate", "--confine", cfg_s],
        vec![
            "run",
            cfg_s,
            "--confine",
            "--out",
            tmp.path().join("out").to_str().unwrap(),
        ],
    ] {
        let r = stoploss(&args);
        assert_eq!(r.status.code(), Some(1), "{r:?}");
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(
            stderr.contains(&format!(
                "invalid value at {SEV0}.empirical.file: `data/./amounts.txt` is a link that leads out of the config's folder"
            )),
            "{stderr}"
        );
    }
    let sweep = stoploss(&[
        "sweep",
        cfg_s,
        "--confine",
        "--param",
        "trials",
        "--values",
        "300",
        "--out",
        tmp.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(sweep.status.code(), Some(1), "{sweep:?}");
    assert!(
        String::from_utf8_lossy(&sweep.stderr)
            .contains("is a link that leads out of the config's folder"),
        "{sweep:?}"
    );
    assert_eq!(tree(tmp.path()), before);
    // Without --confine the same config runs (the default is unchanged).
    let plain = stoploss(&["validate", cfg_s]);
    assert_eq!(plain.status.code(), Some(0), "{plain:?}");
}
