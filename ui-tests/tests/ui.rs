//! Every class of declaration error is a compile error from the macro, spanned on the offending token.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail(concat!(env!("CARGO_MANIFEST_DIR"), "/fail/*.rs"));
    cases.pass(concat!(env!("CARGO_MANIFEST_DIR"), "/pass/*.rs"));
}
