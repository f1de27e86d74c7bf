//! Every class of declaration error is a compile error from the macro, spanned on the offending token.

#[test]
fn ui() {
    // trybuild's own project does not inherit the workspace's profiles: without this its pass
    // cases link with full debug info (2.5 GB of a fresh CI run's disk).
    if std::env::var_os("CARGO_PROFILE_DEV_DEBUG").is_none() {
        // SAFETY: this binary's only test, set before trybuild starts any thread or process.
        unsafe { std::env::set_var("CARGO_PROFILE_DEV_DEBUG", "line-tables-only") };
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail(concat!(env!("CARGO_MANIFEST_DIR"), "/fail/*.rs"));
    cases.pass(concat!(env!("CARGO_MANIFEST_DIR"), "/pass/*.rs"));
}
