//! What the consultant hands over: the summary and per-month figures of
//! report.html, the client and date, `report --xlsx` and `report --pdf`
//! (all files or none), and the market's maximum liability. The workbook's
//! content is checked with openpyxl (tests/python/test_workbook.py) and the
//! PDF's with pdftotext (tests/pdf/check_pdf.sh), both from .ci/run.

use crate::util::s;

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn stoploss(args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("stoploss").unwrap();
    c.args(args).env("SOURCE_DATE_EPOCH", "1767225600"); // 2026-01-01
    c
}

fn small(out: &Path) -> PathBuf {
    let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/small-100.json");
    stoploss(&[
        "run",
        s(&cfg),
        "--out",
        s(out),
        "--trials",
        "2000",
        "--quiet",
    ])
    .assert()
    .success();
    out.join("small-100")
}

#[test]
fn report_leads_with_a_plain_summary_in_pepm_and_pmpm() {
    let tmp = TempDir::new().unwrap();
    let dir = small(tmp.path());
    stoploss(&["report", s(&dir), "--client", "Acme <Tools>"])
        .assert()
        .success();
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    let results: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    assert!(html.contains("Prepared for Acme &lt;Tools&gt; on 2026-01-01"));
    // The summary comes before the analyst's detail.
    let summary = html.find("id=\"summary\"").unwrap();
    assert!(summary < html.find("id=\"recommendation\"").unwrap());
    assert!(html.contains("id=\"limitations\"") && html.contains("id=\"per-month-table\""));
    // The recommended candidate's expected cost per employee per month,
    // from results.json's own figures.
    let rec = results["decision"]["recommended"].as_str().unwrap();
    let c = results["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == rec)
        .unwrap();
    let months: f64 = results["population"]["employee_months_by_tier"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    let pepm = c["employer_cost"]["mean"].as_f64().unwrap() / months;
    let shown = stoploss::format::monthly(pepm);
    let text = &html[summary..];
    assert!(
        text.contains(&format!("({shown} per employee per month")),
        "no {shown} PEPM in the summary"
    );
    assert!(text.contains("in a 1-in-20 bad year the plan costs"));
    // One convention: se, never a bare ±.
    assert!(!html.contains('±'), "a bare ± in report.html");
}

#[test]
fn client_comes_from_the_config_and_the_flag_wins() {
    let tmp = TempDir::new().unwrap();
    let cfg: Value = serde_json::from_str(
        &fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/small-100.json"))
            .unwrap(),
    )
    .unwrap();
    let mut cfg = cfg;
    cfg["report"] = serde_json::json!({"client": "Config Client LLC"});
    let path = tmp.path().join("c.json");
    fs::write(&path, cfg.to_string()).unwrap();
    let out = tmp.path().join("out");
    stoploss(&[
        "run",
        s(&path),
        "--out",
        s(&out),
        "--trials",
        "1000",
        "--quiet",
        "--report",
    ])
    .assert()
    .success();
    let dir = out.join("small-100");
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Prepared for Config Client LLC"));
    stoploss(&["report", s(&dir), "--client", "Flag Client"])
        .assert()
        .success();
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Prepared for Flag Client") && !html.contains("Config Client"));
    // A control character is refused, naming the field.
    cfg["report"] = serde_json::json!({"client": "bad\u{1b}[2J"});
    fs::write(&path, cfg.to_string()).unwrap();
    let o = stoploss(&["validate", s(&path)]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("report.client"));
}

#[test]
fn xlsx_is_written_beside_the_report() {
    let tmp = TempDir::new().unwrap();
    let dir = small(tmp.path());
    stoploss(&["report", s(&dir), "--xlsx"]).assert().success();
    let bytes = fs::read(dir.join("workbook.xlsx")).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"), "not a zip container");
    assert!(dir.join("report.html").exists());
}

#[test]
fn a_pdf_that_cannot_be_printed_writes_nothing() {
    let tmp = TempDir::new().unwrap();
    let dir = small(tmp.path());
    let o = stoploss(&["report", s(&dir), "--pdf", "--xlsx"])
        .env("STOPLOSS_CHROMIUM", tmp.path().join("no-such-browser"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("cannot start") && e.contains("no-such-browser"),
        "{e}"
    );
    for f in ["report.html", "report.pdf", "workbook.xlsx"] {
        assert!(!dir.join(f).exists(), "{f} written by a failed report");
    }
    // A browser that exits without a PDF is an error too, not an empty file.
    let fake = tmp.path().join("fake-browser");
    fs::write(&fake, "#!/bin/sh\necho no pdf here >&2\nexit 0\n").unwrap();
    let mut perms = fs::metadata(&fake).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs::set_permissions(&fake, perms).unwrap();
    let o = stoploss(&["report", s(&dir), "--pdf"])
        .env("STOPLOSS_CHROMIUM", &fake)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("could not print the report to PDF") && e.contains("no pdf here"),
        "{e}"
    );
    assert!(!dir.join("report.pdf").exists() && !dir.join("report.html").exists());
}

#[test]
fn market_max_liability_is_fixed_costs_plus_attachment() {
    let tmp = TempDir::new().unwrap();
    let dir = small(tmp.path());
    let results: stoploss::results::Results =
        serde_json::from_str(&fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let mut with_aggregate = 0;
    for c in &results.candidates {
        match c.aggregate_attachment {
            Some(a) => {
                let fixed = c.specific_premium.mean + c.aggregate_premium.mean + c.fees.mean;
                assert_eq!(c.market_max_liability(), Some(a + fixed));
                if let Some(strict) = c.max_liability {
                    assert!(strict >= a + fixed - 1e-6, "{}", c.label);
                }
                with_aggregate += 1;
            }
            None => assert_eq!(c.market_max_liability(), None),
        }
    }
    assert!(with_aggregate > 0);
}
