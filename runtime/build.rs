//! Compiles the CUDA kernels' arithmetic for the host (the test suite's proof that the device code
//! equals the CPU twin; the device build of the same header happens at run time, with NVRTC), and
//! the accessors of libjpeg's method tables (against the headers of the libjpeg `mozjpeg-sys`
//! builds, which it hands on as `DEP_JPEG_INCLUDE`).

fn main() {
    println!("cargo:rerun-if-changed=src/backend/cuda/kernels.cuh");
    println!("cargo:rerun-if-changed=src/backend/cuda/host.c");
    println!("cargo:rerun-if-changed=src/decode/jpeg_hooks.c");
    cc::Build::new()
        .file("src/backend/cuda/host.c")
        .include("src/backend/cuda")
        .opt_level(2)
        .warnings(true)
        .extra_warnings(true)
        .compile("twinproc_kernels_host");
    let mut hooks = cc::Build::new();
    hooks
        .file("src/decode/jpeg_hooks.c")
        .opt_level(2)
        .warnings(true);
    let includes =
        std::env::var("DEP_JPEG_INCLUDE").expect("mozjpeg-sys hands on its include paths");
    for dir in std::env::split_paths(&includes) {
        hooks.include(dir);
    }
    hooks.compile("twinproc_jpeg_hooks");
}
