use twinproc::models::clip::ClipImageProcessor;
use twinproc::models::llava_onevision::LlavaOnevisionKwargs;

fn main() {
    let _ = ClipImageProcessor::new(LlavaOnevisionKwargs::default());
}
