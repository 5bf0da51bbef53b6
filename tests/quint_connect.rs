//! `spec` as the `quint` of quint-connect (issue 14): the crate in `tests/quint_connect/`
//! depends on quint-connect from the registry and replays traces of `examples/bank.qnt`
//! against a small bank. With a `quint` on `PATH` that is a symlink to `spec`, its model-based
//! test passes, and a deliberately broken driver fails with quint-connect's own diff of the
//! specification's and the implementation's states.
//!
//! The crate is built by `cargo` in its own workspace and target directory (the first build
//! downloads and compiles quint-connect's dependencies, about a minute and a half on two
//! busy cores): it runs in CI (`CI` set) or with `SPEC_SLOW_TESTS=1`, and is skipped with a
//! message when the registry cannot be reached.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// `cargo` in the quint-connect crate, with `quint` (a symlink to `spec`) first on `PATH`.
/// quint-connect reads `QUINT_VERBOSE` when it is compiled: 1 makes it print its diff.
fn cargo(crate_dir: &Path, quint_dir: &Path, args: &[&str]) -> Output {
    let path = format!("{}:{}", quint_dir.display(), std::env::var("PATH").unwrap_or_default());
    Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .args(args)
        .current_dir(crate_dir)
        .env("PATH", path)
        .env("QUINT_VERBOSE", "1")
        .env("CARGO_TARGET_DIR", crate_dir.join("target"))
        .env_remove("QUINT_SEED")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

#[test]
fn quint_connect_replays_specs_traces_with_spec_as_quint() {
    if std::env::var_os("CI").is_none() && std::env::var_os("SPEC_SLOW_TESTS").is_none() {
        eprintln!("skipped: builds a crate from the registry; set SPEC_SLOW_TESTS=1 (CI runs it)");
        return;
    }
    let crate_dir = root().join("tests/quint_connect");
    let fetched = cargo(&crate_dir, Path::new("/nonexistent"), &["fetch", "--locked"]);
    if !fetched.status.success() {
        let offline = cargo(&crate_dir, Path::new("/nonexistent"), &["fetch", "--locked", "--offline"]);
        if !offline.status.success() {
            eprintln!("skipped: the registry cannot be reached and quint-connect is not in the local cache:\n{}", text(&fetched));
            return;
        }
    }

    let quint_dir = std::env::temp_dir().join(format!("spec-quint-connect-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&quint_dir);
    std::fs::create_dir_all(&quint_dir).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_spec"), quint_dir.join("quint")).unwrap();

    // The driver that follows the spec: every state of every trace matches.
    let good = cargo(&crate_dir, &quint_dir, &["test", "--locked", "--test", "bank", "--", "--nocapture"]);
    let t = text(&good);
    assert_eq!(good.status.code(), Some(0), "{t}");
    assert!(t.contains("[OK] random_transfers_follow_the_spec"), "{t}");
    assert!(t.contains("Generating 20 traces using `0x2a` as random seed"), "{t}");
    assert!(t.contains("test random_transfers_follow_the_spec ... ok"), "{t}");
    // `#[quint_test]`: the spec's `run stepsTest`, its steps named and its picks given.
    assert!(t.contains("test the_steps_test_follows_the_spec ... ok"), "{t}");
    assert!(t.contains("[OK] the_steps_test_follows_the_spec"), "{t}");

    // The broken driver: quint-connect reports the divergence with its diff.
    let broken = cargo(&crate_dir, &quint_dir, &["test", "--locked", "--test", "bank", "--", "--ignored", "--exact", "broken_driver_diverges"]);
    let t = text(&broken);
    assert_ne!(broken.status.code(), Some(0), "{t}");
    assert!(t.contains("Specification and implementation states diverge"), "{t}");
    assert!(t.contains("--- specification") && t.contains("+++ implementation"), "{t}");
    assert!(t.contains("State invariant failed"), "{t}");
    assert!(t.contains("[FAIL] broken_driver_diverges"), "{t}");
    // The diff shows the balances that differ, one side each.
    let diff_lines = t.lines().filter(|l| {
        let l = l.trim_start();
        (l.starts_with('-') || l.starts_with('+')) && l.contains("\": ")
    });
    assert!(diff_lines.count() >= 2, "{t}");
    let _ = std::fs::remove_dir_all(&quint_dir);
}
