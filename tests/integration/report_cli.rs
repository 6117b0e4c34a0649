//! The decision-support commands end to end: `run --report`, `stoploss
//! report`, `summary.md`, the recommendation flags and `stoploss sweep`.

use crate::util::s;

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

fn configs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("configs")
}

fn exec(args: &[&str], code: i32) -> Output {
    let out = Command::cargo_bin("stoploss")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!e.contains("panicked"), "{args:?} panicked: {e}");
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}\n--- stdout\n{o}\n--- stderr\n{e}"
    );
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn small(out: &Path, extra: &[&str]) -> PathBuf {
    let cfg = configs().join("small-100.json");
    let mut args = vec![
        "run",
        s(&cfg),
        "--out",
        s(out),
        "--trials",
        "2000",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    exec(&args, 0);
    out.join("small-100")
}

#[test]
fn run_report_writes_a_self_contained_page_and_a_markdown_table() {
    let tmp = TempDir::new().unwrap();
    let dir = small(&tmp.path().join("a"), &["--report"]);
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    for id in [
        "recommendation",
        "candidate-table",
        "frontier-chart",
        "exceedance-chart",
        "cost-parts-chart",
        "fully-insured",
        "assumptions",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "report.html lacks #{id}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 3, "three inline charts");
    assert!(html.contains("<style>"));
    // Nothing to fetch: no scripts, no external sources or links.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src="));
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with("data:"),
            "external link: {}",
            &href[..40.min(href.len())]
        );
    }
    let without_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));

    let results: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let d = &results["decision"];
    for k in [
        "rule",
        "frontier",
        "efficient",
        "recommended",
        "meets_cap",
        "runner_up",
        "comparison",
        "fully_insured",
        "summary",
    ] {
        assert!(d.get(k).is_some(), "decision.{k} missing: {d}");
    }
    let labels: Vec<&str> = results["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    let rec = d["recommended"].as_str().unwrap();
    assert!(labels.contains(&rec));
    assert!(html.contains(&format!(
        "<tr class=\"recommended\"><td class=\"l\">{}</td>",
        rec
    )));
    // The shipped config states its rule: TVaR 95% at most 1.1 x the budget.
    assert_eq!(d["rule"]["risk_measure"], "tvar95");
    assert!((d["rule"]["max_risk"].as_f64().unwrap() - 1_705_000.0).abs() < 1e-6);
    assert_eq!(results["assumptions"]["budget"], 1_550_000.0);

    let md = fs::read_to_string(dir.join("summary.md")).unwrap();
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 1 + labels.len(), "{md}");
    assert!(md.contains(&format!("| **{rec}** (recommended) |")), "{md}");
    assert!(md.contains("- Rule: lowest expected cost among candidates with TVaR 95% at most $1,705,000 (1.1 x budget)."), "{md}");
}

#[test]
fn report_command_rebuilds_the_same_page_from_results_json() {
    let tmp = TempDir::new().unwrap();
    let with = small(&tmp.path().join("a"), &["--report"]);
    let without = small(&tmp.path().join("b"), &[]);
    assert!(!without.join("report.html").exists());
    assert!(without.join("summary.md").exists());
    let out = exec(&["report", s(&without)], 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("report.html"));
    // results.json read back renders byte for byte what the run rendered.
    assert_eq!(
        fs::read(with.join("report.html")).unwrap(),
        fs::read(without.join("report.html")).unwrap()
    );
    assert_eq!(
        fs::read(with.join("summary.md")).unwrap(),
        fs::read(without.join("summary.md")).unwrap()
    );
    let hidden: Vec<_> = fs::read_dir(&without)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty());
}

#[test]
fn report_refuses_what_is_not_a_results_folder() {
    let tmp = TempDir::new().unwrap();
    let e = stderr(&exec(&["report", s(&tmp.path().join("nope"))], 1));
    assert!(e.contains("nope/results.json"), "{e}");
    let dir = tmp.path().join("bad");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join("results.json"),
        r#"{"schema_version": 1, "name": 3}"#,
    )
    .unwrap();
    let e = stderr(&exec(&["report", s(&dir)], 1));
    assert!(e.contains("not a stoploss results.json at name"), "{e}");
    assert!(!dir.join("report.html").exists());
}

#[test]
fn recommendation_flags_override_the_config() {
    let tmp = TempDir::new().unwrap();
    let dir = small(
        &tmp.path().join("a"),
        &[
            "--risk-measure",
            "var99",
            "--max-risk",
            "1800000",
            "--frontier-measure",
            "sd",
        ],
    );
    let r: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let rule = &r["decision"]["rule"];
    assert_eq!(rule["risk_measure"], "var99");
    assert_eq!(rule["frontier_measure"], "sd");
    assert_eq!(rule["max_risk"], 1_800_000.0);
    assert_eq!(rule["max_risk_basis"], "given");
    // The recommendation meets the cap and is the cheapest that does.
    let cands = r["candidates"].as_array().unwrap();
    let rec = r["decision"]["recommended"].as_str().unwrap();
    let best = cands
        .iter()
        .filter(|c| c["employer_cost"]["percentiles"]["p99"].as_f64().unwrap() <= 1_800_000.0)
        .min_by(|a, b| {
            a["employer_cost"]["mean"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["employer_cost"]["mean"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(best["label"], rec);

    let cfg = configs().join("mid-500.json");
    let out = tmp.path().join("b");
    let e = stderr(&exec(
        &[
            "run",
            s(&cfg),
            "--out",
            s(&out),
            "--trials",
            "500",
            "--risk-measure",
            "prob_over_budget",
            "--max-risk",
            "2",
        ],
        1,
    ));
    assert!(
        e.contains("--max-risk: must be a probability from 0 to 1"),
        "{e}"
    );
    assert!(!out.join("mid-500").exists());
    let e = stderr(&exec(
        &["run", s(&cfg), "--out", s(&out), "--risk-measure", "tvar97"],
        2,
    ));
    assert!(e.contains("unknown risk measure `tvar97`"), "{e}");
    let e = stderr(&exec(
        &[
            "run",
            s(&cfg),
            "--out",
            s(&out),
            "--max-risk",
            "1",
            "--max-risk-budget-factor",
            "1.1",
        ],
        2,
    ));
    assert!(e.contains("cannot be used with"), "{e}");
}

#[test]
fn table_shows_the_recommendation() {
    let tmp = TempDir::new().unwrap();
    let cfg = configs().join("small-100.json");
    let out = exec(
        &["run", s(&cfg), "--out", s(tmp.path()), "--trials", "2000"],
        0,
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(table.matches("<< recommended").count(), 1, "{table}");
    assert!(table.contains("\nRecommended: "), "{table}");
    assert!(table.contains("\nRunner-up: "), "{table}");
    assert!(
        table.contains("\nAgainst the fully insured premium of $1,650,000: "),
        "{table}"
    );
}

#[test]
fn sweep_writes_json_csv_and_markdown() {
    let tmp = TempDir::new().unwrap();
    let cfg = configs().join("small-100.json");
    let out = tmp.path().join("s");
    let o = exec(
        &[
            "sweep",
            s(&cfg),
            "--param",
            "population.classes[0].employees.single",
            "--values",
            "30,55",
            "--param",
            "fully_insured_premium",
            "--values",
            "1500000,1650000",
            "--trials",
            "1500",
            "--out",
            s(&out),
        ],
        0,
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(
            "| population.classes[0].employees.single | fully_insured_premium | recommended |"
        ),
        "{stdout}"
    );
    let dir = out.join("small-100-sweep");
    let j: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(j["params"][1], "fully_insured_premium");
    let points = j["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0]["values"], serde_json::json!([30.0, 1500000.0]));
    // 30 single + 45 family employees, then 55 + 45.
    assert_eq!(points[0]["employees"], 75.0);
    assert_eq!(points[1]["employees"], 100.0);
    assert_eq!(j["seed"], 20250101);
    for p in points {
        let rec = p["recommended"].as_str().unwrap();
        assert!(p["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["label"] == rec));
    }
    let csv = fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with(
        "population.classes[0].employees.single,fully_insured_premium,candidate,mean_cost,"
    ));
    assert_eq!(lines.count(), 2 * 12);
    let md = fs::read_to_string(dir.join("sweep.md")).unwrap();
    assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 3);

    // Existing folder without --force.
    let e = stderr(&exec(
        &[
            "sweep",
            s(&cfg),
            "--param",
            "budget",
            "--values",
            "1",
            "--out",
            s(&out),
        ],
        1,
    ));
    assert!(e.contains("already exists"), "{e}");
}

#[test]
fn sweep_errors_name_the_path_and_write_nothing() {
    let tmp = TempDir::new().unwrap();
    let cfg = configs().join("small-100.json");
    let out = tmp.path().join("s");
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "--param",
                "population.classes[0].employes",
                "--values",
                "1,2",
            ],
            "with population.classes[0].employes = 1: ",
        ),
        (
            &["--param", "population.classes[9].members", "--values", "1"],
            "population.classes has 3 entries: index 9 is out of range",
        ),
        (
            &["--param", "population.clases[0].members", "--values", "1"],
            "population has no field `clases` (did you mean `classes`?)",
        ),
        (
            &["--param", "trend.annual", "--values", "0.05,abc"],
            "--values for trend.annual: `abc` is not a finite number",
        ),
        (
            &["--param", "trend.annual", "--values", "0.05,7"],
            "with trend.annual = 7: ",
        ),
        (
            &[
                "--param",
                "trend.annual",
                "--values",
                "0.05,0.1",
                "--param",
                "budget",
                "--values",
                "1",
            ],
            "--param budget has 1 values but --param trend.annual has 2",
        ),
    ];
    for (extra, fragment) in cases {
        let mut args = vec!["sweep", s(&cfg), "--out", s(&out), "--trials", "500"];
        args.extend_from_slice(extra);
        let e = stderr(&exec(&args, 1));
        assert!(e.contains(fragment), "{extra:?}: {e}");
        assert!(!e.contains("(line 1, column"), "{e}");
        if fragment.starts_with("with trend.annual = 7") {
            assert!(
                e.contains("invalid value at trend.annual: must be a rate between -0.5 and 1"),
                "{e}"
            );
        }
        assert!(!out.exists(), "{extra:?} wrote output");
    }
}
