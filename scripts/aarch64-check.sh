#!/usr/bin/env bash
# The aarch64 (NEON) kernels on an x86-64 machine: cross-compiles the kernel property tests, the
# golden tests and the runtime's unit tests for aarch64 Linux and runs them under qemu's user-mode
# emulation (exact, not timed). Installs what it needs: rustup's aarch64 standard library, and
# Debian's cross linker and qemu-user when run as root. Exits 3 with a note when they cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."
target=aarch64-unknown-linux-gnu

need=()
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null 2>&1; } ||
      { echo "note: cannot install ${need[*]}; the aarch64 kernels were not tested"; exit 3; }
  else
    echo "note: ${need[*]} missing (install as root); the aarch64 kernels were not tested"; exit 3
  fi
fi
rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target" >/dev/null 2>&1 ||
  { echo "note: rustup cannot add $target; the aarch64 kernels were not tested"; exit 3; }

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
# Warning-free on aarch64 too: the x86-64 lints never see code compiled only for other targets.
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-D warnings"
# Release: the emulated tests run about ten times faster optimised.
cargo test --release --target "$target" -p twinproc --lib
cargo test --release --target "$target" -p twinproc-golden-tests --test kernels --test golden
