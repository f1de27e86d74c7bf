//! The shared source leaves out its proc-macro entry points, and exposes the expansions, under
//! this cfg.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(twinproc_macros_as_lib)");
    println!("cargo::rustc-cfg=twinproc_macros_as_lib");
}
