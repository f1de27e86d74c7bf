//! The fuzz targets' bodies (`fuzz/`), shared with the test that replays every input the fuzzers
//! kept (`fuzz/corpus`, `fuzz/regressions`): for any bytes each must return, never panic, hang or
//! exhaust memory.

use serde_json::Value;
use twinproc::config::ProcessorConfig;
use twinproc::{Image, ImagesKwargs, Numerics, Processor};

/// Encoded image bytes, decoded as an image object and as both backends load a path.
pub fn image_bytes(data: &[u8]) {
    let _ = Image::decode(data);
    for numerics in [Numerics::Pil, Numerics::Torchvision] {
        let _ = Image::load_named(data, "<fuzz>", numerics);
    }
}

/// A processor of the configuration `data` (JSON), or `None`; an unnamed type is CLIP's.
fn processor(data: &[u8]) -> Option<Processor> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) else {
        return None;
    };
    let name = ProcessorConfig::declared_type(&map).unwrap_or_else(|| "CLIPImageProcessor".into());
    let model = twinproc::auto::lookup(&name)?;
    let config = model.read_config(map).ok()?;
    Processor::from_config(model, config).ok()
}

/// A configuration's JSON, read and written back.
pub fn config_json(data: &[u8]) {
    if let Some(processor) = processor(data) {
        let _ = processor.to_json_string();
        let _ = processor.extra_origins();
    }
}

/// A configuration and an image size through the planner and the CPU twin: the first three
/// bytes are the image's height, width (1 to 64) and channels (1 to 4), the rest the JSON.
pub fn plan(data: &[u8]) {
    // Outputs a fuzzer can afford; over it, a typed error like any other.
    twinproc::placement::set_max_output_bytes(Some(64 << 20));
    let [h, w, c, json @ ..] = data else { return };
    let (h, w, c) = (
        usize::from(h % 64) + 1,
        usize::from(w % 64) + 1,
        usize::from(c % 4) + 1,
    );
    let Some(processor) = processor(json) else {
        return;
    };
    let pixels: Vec<u8> = (0..h * w * c).map(|i| (i * 37 % 251) as u8).collect();
    for numerics in [twinproc::Numerics::Pil, twinproc::Numerics::Torchvision] {
        let processor = processor.clone().with_numerics(numerics);
        let image = Image::from_hwc(pixels.clone(), h, w, c);
        let _ = processor.preprocess(&[image], &ImagesKwargs::default());
    }
}

/// A fuzz target: any bytes in, nothing out.
pub type Target = fn(&[u8]);

/// `#[image_processor(…)]` and `#[images_kwargs(…)]` expanded as the compiler would (the macro
/// crate's own source, built as a library: `macros/as-lib`): the first line is the attribute's
/// arguments, the rest the item (a unit struct when empty). Whatever the tokens, the expansion
/// returns code or `compile_error!`s; it never panics.
pub fn macro_attribute(data: &[u8]) {
    use std::str::FromStr;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Deeper than the compiler's own token trees get in practice, and than the macro's limit
    // (64 levels), so that limit is what the fuzzer meets; proc_macro2's parser recurses.
    let mut depth = 0i64;
    let deepest = text.chars().fold(0, |deepest, c| {
        depth += match c {
            '(' | '[' | '{' => 1,
            ')' | ']' | '}' => -1,
            _ => 0,
        };
        deepest.max(depth)
    });
    if deepest > 256 {
        return;
    }
    let (args, item) = text.split_once('\n').unwrap_or((text, ""));
    let item = if item.trim().is_empty() {
        "pub struct P;"
    } else {
        item
    };
    let (Ok(args), Ok(item)) = (
        proc_macro2::TokenStream::from_str(args),
        proc_macro2::TokenStream::from_str(item),
    ) else {
        return;
    };
    let _ = twinproc_macros_as_lib::image_processor(args.clone(), item.clone()).to_string();
    let _ = twinproc_macros_as_lib::images_kwargs(args, item).to_string();
}

/// Every target, by its name in `fuzz/`.
pub const TARGETS: [(&str, Target); 4] = [
    ("image_bytes", image_bytes),
    ("config_json", config_json),
    ("plan", plan),
    ("macro_attribute", macro_attribute),
];
