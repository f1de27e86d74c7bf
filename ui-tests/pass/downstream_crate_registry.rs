//! A processor declared in a downstream crate is found by `AutoImageProcessor`.
use twinproc::{image_processor, AutoImageProcessor};

/// A downstream model.
#[image_processor(size(height = 16, width = 16), do_resize = true, resample = Bilinear, type_name = "DownstreamImageProcessor")]
pub struct Downstream;

fn main() -> twinproc::Result<()> {
    let dir = std::env::temp_dir().join(format!("twinproc-ui-downstream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|source| twinproc::Error::Io { path: dir.clone(), source })?;
    let processor = Downstream::default();
    processor.save_pretrained(&dir)?;
    let loaded = AutoImageProcessor::from_pretrained(&dir)?;
    assert_eq!(loaded.model().type_name, "DownstreamImageProcessor");
    let fast = twinproc::auto::lookup("DownstreamImageProcessorFast").map(|s| s.type_name);
    assert_eq!(fast, Some("DownstreamImageProcessor"));
    Ok(())
}
