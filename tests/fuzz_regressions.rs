//! Every input the fuzzers kept (`fuzz/corpus/TARGET`, minimized) and every crash they found
//! (`fuzz/regressions/TARGET`, once fixed) through its target again: each returns, none panics.

use std::path::Path;
use twinproc_golden_tests::fuzzing::TARGETS;

/// On a thread of the stack the fuzzer's inputs ran on (its main thread's, and the compiler's
/// for the macro target: 8 MiB), not a test thread's 2 MiB.
#[test]
fn every_kept_fuzz_input_runs_clean() {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(replay)
        .expect("thread")
        .join()
        .expect("replay");
}

fn replay() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut replayed = 0;
    for (name, target) in TARGETS {
        for kind in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(kind).join(name)) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("entry").path();
                // A fuzzer running beside the tests replaces its corpus files as it goes.
                let data = match std::fs::read(&path) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    read => read.expect("read"),
                };
                let run = std::panic::catch_unwind(|| target(&data));
                assert!(run.is_ok(), "{name} panics on {}", path.display());
                replayed += 1;
            }
        }
    }
    assert!(
        replayed > 0,
        "no fuzz inputs found under {}",
        fuzz.display()
    );
    eprintln!("{replayed} fuzz inputs replayed");
}
