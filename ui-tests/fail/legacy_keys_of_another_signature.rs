use twinproc::image_processor;

/// Takes the configuration by value: the rewrite must change the caller's map in place.
fn rewrite(config: twinproc::__private::Map<String, twinproc::__private::Value>) -> twinproc::Result<()> {
    let _ = config;
    Ok(())
}

#[image_processor(legacy_keys = rewrite, do_resize = true, resample = Bilinear, size(height = 8, width = 8))]
pub struct LegacyImageProcessor;

fn main() {}
