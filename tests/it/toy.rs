//! The toy lab from the command line: training on points, sampling them as CSV, scoring them,
//! and refusing bad data files.

use std::process::{Command, Output, Stdio};

use crate::common;

fn ganimate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ganimate"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn a_toy_run_trains_samples_and_scores_on_the_ring() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ring");
    let out_arg = out.to_str().unwrap();
    let trained = ganimate(&[
        "toy",
        "train",
        "--data",
        "ring",
        "--steps",
        "300",
        "--batch-size",
        "64",
        "--out",
        out_arg,
    ]);
    common::succeeded(&trained);
    let points = dir.path().join("points.csv");
    let sampled = ganimate(&[
        "toy",
        "sample",
        "--checkpoint",
        out_arg,
        "--n",
        "500",
        "--out",
        points.to_str().unwrap(),
    ]);
    common::succeeded(&sampled);
    let read = ganimate::toy::csv::read(&points).unwrap();
    assert_eq!((read.len(), read.dim), (500, 2));
    assert!(
        read.values.iter().all(|v| v.abs() <= 1.5),
        "G's tanh spans the view"
    );
    let scored = ganimate(&["toy", "eval", "--checkpoint", out_arg, "--json"]);
    let (stdout, _) = common::succeeded(&scored);
    let scores: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(scores["samples"], 2500);
    assert_eq!(scores["modes"]["modes"], 8);
    let covered = scores["modes"]["covered"].as_u64().unwrap();
    assert!(covered <= 8);
    let js = scores["divergences"]["js"].as_f64().unwrap();
    assert!((0.0..=std::f64::consts::LN_2 + 1e-9).contains(&js), "{js}");
    // Resuming continues the run; a second run into the same folder must say so.
    let again = ganimate(&[
        "toy", "train", "--data", "ring", "--steps", "300", "--out", out_arg,
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
}

#[test]
fn a_bad_points_file_is_refused_with_its_name_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("drawn.csv");
    std::fs::write(&bad, "x,y\n0.5,0.25\n0.1,oops\n").unwrap();
    let out = dir.path().join("run");
    let output = ganimate(&[
        "toy",
        "train",
        "--data",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("drawn.csv, line 3: `oops` is not a number"),
        "{stderr}"
    );
    assert!(
        !out.exists(),
        "nothing is written for data that was refused"
    );
}

#[test]
fn a_digits_checkpoint_is_not_a_toy_one() {
    let output = ganimate(&["toy", "eval", "--checkpoint", "assets/pretrained"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not of the toy lab"));
}
