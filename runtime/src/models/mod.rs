//! The processors of specific models, each declared once with `#[image_processor]`.

pub mod anyres;
pub mod bit;
pub mod blip;
pub mod clip;
pub mod convnext;
pub mod gemma3;
pub mod idefics3;
pub mod llava_next;
pub mod llava_onevision;
pub mod patches;
pub mod pixtral;
pub mod qwen2_vl;
pub mod siglip;
pub mod siglip2;
pub mod vit;

/// OpenAI CLIP's per-channel mean (`OPENAI_CLIP_MEAN`).
pub const OPENAI_CLIP_MEAN: [f64; 3] = [0.48145466, 0.4578275, 0.40821073];
/// OpenAI CLIP's per-channel standard deviation (`OPENAI_CLIP_STD`).
pub const OPENAI_CLIP_STD: [f64; 3] = [0.26862954, 0.26130258, 0.27577711];
/// `IMAGENET_STANDARD_MEAN`.
pub const IMAGENET_STANDARD_MEAN: [f64; 3] = [0.5, 0.5, 0.5];
/// `IMAGENET_STANDARD_STD`.
pub const IMAGENET_STANDARD_STD: [f64; 3] = [0.5, 0.5, 0.5];
