//! Every example, with its expected outcomes from `examples/manifest.tsv` (adding an
//! example is one line there): typecheck, tests, simulations that hold and buggy variants
//! whose violation the simulator finds. Each example also works in the REPL (load, init,
//! step).

use spec_interpreter::repl::Repl;
use std::path::PathBuf;
use std::process::Command;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn manifest() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(examples().join("manifest.tsv")).expect("the manifest exists");
    text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(|l| l.split('\t').map(String::from).collect()).collect()
}

#[test]
fn every_example_has_its_expected_outcomes() {
    let mut failures = Vec::new();
    let rows = manifest();
    assert!(rows.len() >= 24);
    for row in &rows {
        let (file, command, args, code) = (&row[0], &row[1], &row[2], &row[3]);
        let pattern = row.get(4).filter(|p| !p.is_empty());
        let out = Command::new(env!("CARGO_BIN_EXE_spec"))
            .arg(command)
            .arg(examples().join(file))
            .args(args.split_whitespace())
            .output()
            .expect("spec runs");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if out.status.code() != code.parse().ok() {
            failures.push(format!("{file} {command} {args}: exit {:?}, want {code}\n{}", out.status.code(), text.chars().rev().take(600).collect::<String>().chars().rev().collect::<String>()));
        } else if let Some(p) = pattern {
            if !regex::Regex::new(p).unwrap().is_match(&text) {
                failures.push(format!("{file} {command} {args}: output does not match /{p}/"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_example_typechecks_and_is_in_the_manifest() {
    let listed: Vec<String> = manifest().into_iter().map(|r| r[0].clone()).collect();
    let mut count = 0;
    for entry in std::fs::read_dir(examples()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".qnt") {
            continue;
        }
        count += 1;
        assert!(listed.contains(&name), "{name} is not in examples/manifest.tsv");
        let out = Command::new(env!("CARGO_BIN_EXE_spec")).arg("typecheck").arg(entry.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(count >= 12, "at least 12 examples");
}

#[test]
fn every_example_runs_in_the_repl() {
    for entry in std::fs::read_dir(examples()).unwrap().flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("qnt") {
            continue;
        }
        let mut repl = Repl::new();
        let r = repl.input(&format!(".seed 7"));
        assert!(!r.is_error());
        let r = repl.input(&format!(".load {}", path.display()));
        assert!(!r.is_error(), "{}: {}", path.display(), r.text());
        let r = repl.input("init");
        assert!(r.text().starts_with("true"), "{}: init: {}", path.display(), r.text());
        // A step may be disabled in some states; it must never be an error.
        for _ in 0..3 {
            let r = repl.input("step");
            assert!(!r.is_error(), "{}: step: {}", path.display(), r.text());
        }
        assert!(!repl.input(".state").is_error());
    }
}
