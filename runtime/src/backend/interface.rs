//! What every backend implements.

use crate::error::Result;
use crate::feature::Feature;
use crate::numeric::Pixels;
use crate::placement::Placement;
use crate::plan::ImagePlan;
use crate::tensor::Tensor;

/// Executes host-built plans. Implementations must give bit-identical results: they run the same
/// tables through the same integer and float operations.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// A short name for logs: `cpu`, `cuda:0`.
    fn name(&self) -> String;

    /// Runs `plans[i]` on `inputs[i]`, returning one host tensor per window, image by image, in
    /// order.
    fn execute(&self, inputs: &[Pixels], plans: &[ImagePlan]) -> Result<Vec<Tensor>>;

    /// Runs the plans and writes every output where `placement` puts it (padded, grouped,
    /// stacked), returning the feature where this backend keeps its outputs: host tensors, or
    /// tensors on the GPU for the CUDA backend.
    fn execute_placed(
        &self,
        inputs: &[Pixels],
        plans: &[ImagePlan],
        placement: &Placement,
    ) -> Result<Feature> {
        let tensors = placement.assemble(self.execute(inputs, plans)?)?;
        Ok(Feature::placed(placement, tensors))
    }

    /// Takes back a feature this backend returned, once the caller is done with it, for a later
    /// call to write its outputs into. The CPU twin keeps up to two host buffers: their pages are
    /// already mapped, so the next call skips the kernel's zeroing of fresh memory (a fifth of a
    /// CLIP batch's time on one core). Other backends drop it.
    fn recycle(&self, feature: Feature) {
        drop(feature);
    }

    /// Whether calls can still succeed: `false` once an error left this backend unusable for
    /// the rest of the process (a sticky CUDA error: an illegal address, a failed launch).
    fn is_usable(&self) -> bool {
        true
    }
}
