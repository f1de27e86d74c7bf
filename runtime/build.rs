//! Compiles the CUDA kernels' arithmetic for the host (the test suite's proof that the device code
//! equals the CPU twin). The device build of the same header happens at run time, with NVRTC.

fn main() {
    println!("cargo:rerun-if-changed=src/backend/cuda/kernels.cuh");
    println!("cargo:rerun-if-changed=src/backend/cuda/host.c");
    cc::Build::new()
        .file("src/backend/cuda/host.c")
        .include("src/backend/cuda")
        .opt_level(2)
        .warnings(true)
        .extra_warnings(true)
        .compile("twinproc_kernels_host");
}
