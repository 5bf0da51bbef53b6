//! Forms that real specs outside the corpora use, each in a small file of
//! `tests/fixtures/quint_forms/` with what `spec` must do on it: lines of the form
//!
//! ```text
//! // expect: simulate --invariant ok --max-samples 20 => 0
//! // expect: eval ok => 0 true
//! ```
//!
//! run `spec COMMAND FILE ARGS` (for `eval`, `spec eval --file FILE EXPRESSION`) in the fixtures' folder and check the exit code and, when
//! text follows it, that the output (stdout and stderr) contains that text. Most files hold
//! what Quint 0.33 accepts and `spec` once rejected; a file whose first line says
//! `// better than Quint:` holds a mistake Quint accepts and `spec` reports.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn each_form_does_what_its_file_expects() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quint_forms");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("the fixtures are there").flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "qnt")).collect();
    files.sort();
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(file).expect("readable");
        let mut checked = 0;
        for line in text.lines().filter_map(|l| l.trim().strip_prefix("// expect:")) {
            let (command, expected) = line.split_once("=>").unwrap_or_else(|| panic!("{name}: `=>` missing in `{line}`"));
            let mut words = command.split_whitespace();
            let subcommand = words.next().unwrap_or_else(|| panic!("{name}: no command in `{line}`"));
            let expected = expected.trim();
            let (code, wanted) = expected.split_once(' ').unwrap_or((expected, ""));
            let code: i32 = code.parse().unwrap_or_else(|_| panic!("{name}: not an exit code in `{line}`"));
            let mut spec = Command::new(env!("CARGO_BIN_EXE_spec"));
            spec.arg(subcommand).current_dir(&dir);
            if subcommand == "eval" {
                // `eval EXPRESSION`: the rest of the line is the expression.
                spec.arg("--file").arg(&name).arg(words.collect::<Vec<_>>().join(" "));
            } else {
                spec.arg(&name).args(words);
            }
            let out = spec.output().expect("spec runs");
            let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            checked += 1;
            if out.status.code() != Some(code) || !output.contains(wanted.trim()) {
                failures.push(format!("{name}: `{}` gave exit {:?}, expected {code}{}\n{output}", line.trim(), out.status.code(), if wanted.is_empty() { String::new() } else { format!(" and `{}`", wanted.trim()) }));
            }
        }
        assert!(checked > 0, "{name} says what to expect (`// expect: COMMAND ARGS => CODE [TEXT]`)");
    }
    assert!(files.len() >= 10, "the fixtures are there: {}", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
