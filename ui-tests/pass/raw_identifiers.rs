//! Raw identifiers (a struct or a kwarg named by a keyword) are names like any other: the
//! transformers type name, the JSON keys and the twin's name carry no `r#`.
use twinproc::{image_processor, images_kwargs, ImageProcessor, ModelKwargs};

/// Kwargs with a keyword for a name.
#[images_kwargs]
pub struct KeywordKwargs {
    /// A kwarg named `type`.
    pub r#type: Option<u32>,
}

/// A processor named by a raw identifier.
#[image_processor(kwargs = KeywordKwargs, r#type = 3, do_resize = false)]
pub struct r#Processor;

fn main() {
    assert_eq!(KeywordKwargs::MODEL_KWARGS[0].name, "type");
    assert_eq!(<Processor as ImageProcessor>::spec().type_name, "Processor");
    let kwargs = KeywordKwargs { r#type: Some(4), ..Default::default() };
    assert_eq!(kwargs.model_to_json().unwrap_or_default()["type"], 4);
    assert_eq!(Processor::defaults().r#type, Some(3));
    let _cuda: fn() -> KeywordKwargs = ProcessorCuda::defaults;
}
