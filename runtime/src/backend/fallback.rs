//! Auto's backend: the CUDA twin while it can run, the CPU twin once an error has left the device
//! unusable for the rest of the process. The twins give the same bits, so the call that failed is
//! run again on the CPU, and every call after it.

use super::cpu::CpuBackend;
use super::interface::Backend;
use crate::error::Result;
use crate::feature::Feature;
use crate::numeric::Pixels;
use crate::placement::Placement;
use crate::plan::ImagePlan;
use crate::tensor::Tensor;
use std::sync::Arc;

/// `primary` while it is usable, then the CPU twin.
#[derive(Debug)]
pub struct Fallback {
    primary: Arc<dyn Backend>,
    cpu: CpuBackend,
}

impl Fallback {
    pub fn new(primary: Arc<dyn Backend>) -> Self {
        Fallback {
            primary,
            cpu: CpuBackend::new(),
        }
    }

    /// `call` on the primary backend; on the CPU twin when the primary is, or has just become,
    /// unusable. An error that leaves the primary usable is the caller's.
    fn run<T>(&self, call: impl Fn(&dyn Backend) -> Result<T>) -> Result<T> {
        if self.primary.is_usable() {
            match call(&*self.primary) {
                Err(e) if !self.primary.is_usable() => tracing::warn!(
                    "backend: {} failed ({e}) and cannot be used again; running on the CPU twin",
                    self.primary.name()
                ),
                result => return result,
            }
        }
        call(&self.cpu)
    }
}

impl Backend for Fallback {
    fn name(&self) -> String {
        if self.primary.is_usable() {
            self.primary.name()
        } else {
            format!("{} (after {} failed)", self.cpu.name(), self.primary.name())
        }
    }

    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>> {
        self.run(|backend| backend.execute(inputs, plans))
    }

    fn execute_placed(
        &self,
        inputs: &[Pixels],
        plans: &[ImagePlan],
        placement: &Placement,
    ) -> Result<Feature> {
        self.run(|backend| backend.execute_placed(inputs, plans, placement))
    }

    fn recycle(&self, feature: Feature) {
        match self.primary.is_usable() {
            true => self.primary.recycle(feature),
            false => self.cpu.recycle(feature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// Fails every call after the first `works` calls; the failure is sticky or not.
    #[derive(Debug)]
    struct Failing {
        works: usize,
        sticky: bool,
        calls: AtomicUsize,
        broken: AtomicBool,
    }

    impl Backend for Failing {
        fn name(&self) -> String {
            "failing".into()
        }
        fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>> {
            if self.calls.fetch_add(1, Ordering::Relaxed) < self.works {
                return CpuBackend::new().execute(inputs, plans);
            }
            self.broken.store(self.sticky, Ordering::Relaxed);
            Err(Error::Internal("the device failed".into()))
        }
        fn is_usable(&self) -> bool {
            !self.broken.load(Ordering::Relaxed)
        }
    }

    fn failing(works: usize, sticky: bool) -> Arc<Failing> {
        Arc::new(Failing {
            works,
            sticky,
            calls: AtomicUsize::new(0),
            broken: AtomicBool::new(false),
        })
    }

    #[test]
    fn a_sticky_failure_moves_this_call_and_the_next_to_the_cpu() {
        let primary = failing(1, true);
        let fallback = Fallback::new(primary.clone());
        assert_eq!(fallback.name(), "failing");
        for _ in 0..3 {
            assert!(fallback.execute(&[], &[]).is_ok());
        }
        // One call worked, one failed and was run again on the CPU, the third went straight there.
        assert_eq!(primary.calls.load(Ordering::Relaxed), 2);
        assert_eq!(fallback.name(), "cpu (after failing failed)");
    }

    #[test]
    fn an_ordinary_failure_is_the_callers_and_keeps_the_device() {
        let primary = failing(0, false);
        let fallback = Fallback::new(primary.clone());
        assert!(fallback.execute(&[], &[]).is_err());
        assert!(fallback.execute(&[], &[]).is_err());
        assert_eq!(primary.calls.load(Ordering::Relaxed), 2);
        assert_eq!(fallback.name(), "failing");
    }
}
