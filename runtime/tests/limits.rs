//! The process-wide limits, each in one test of this process (as `PIL.Image.MAX_IMAGE_PIXELS` is
//! process-wide): Pillow's decompression-bomb rule on the size a file's header declares, before any
//! pixel is decoded; and the output budget, before any output is allocated.

mod common;

use common::png_chunk;
use std::path::PathBuf;
use std::time::Instant;
use twinproc::image::{PILLOW_MAX_IMAGE_PIXELS, max_image_pixels, set_max_image_pixels};
use twinproc::{Error, Image};
use twinproc_golden_tests::image_path;

/// A PNG whose header declares `width` x `height` 8-bit gray pixels, and a few bytes of data.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    png.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(png_chunk(b"IEND", &[]));
    png
}

/// A GIF whose screen is `width` x `height`, with one 1x1 frame.
fn gif_header(width: u16, height: u16) -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend(width.to_le_bytes());
    gif.extend(height.to_le_bytes());
    gif.extend([0x80, 0, 0, 0, 0, 0, 255, 255, 255]); // a 2-colour global table
    gif.extend([b',', 0, 0, 0, 0, 1, 0, 1, 0, 0]);
    gif.extend([2, 2, 0x44, 0x01, 0, b';']);
    gif
}

/// A baseline JPEG of 8 x 8 pixels whose frame header then says `width` x `height`.
fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = Vec::new();
    let pixels = image::GrayImage::new(8, 8);
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&pixels)
        .expect("encode");
    let sof = jpeg
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("SOF0");
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("twinproc-bomb-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).expect("write");
    path
}

#[test]
fn decompression_bombs_are_refused_from_the_header() {
    assert_eq!(max_image_pixels(), Some(PILLOW_MAX_IMAGE_PIXELS));
    // Over twice the limit: refused at once, whatever the format, with Pillow's message.
    for (name, bytes, pixels) in [
        ("png", png_header(100_000, 100_000), 10_000_000_000u64),
        ("gif", gif_header(65_535, 65_535), 65_535 * 65_535),
        ("jpg", jpeg_header(65_500, 65_500), 65_500 * 65_500),
    ] {
        let path = write(name, &bytes);
        let start = Instant::now();
        let err = Image::open(&path).unwrap_err();
        assert!(
            start.elapsed().as_secs() < 2,
            "{name}: {:?}",
            start.elapsed()
        );
        let Error::TooLarge(message) = &err else {
            panic!("{name}: {err:?}")
        };
        let expected = format!(
            "image size ({pixels} pixels) exceeds limit of {} pixels, could be decompression bomb DOS attack",
            2 * PILLOW_MAX_IMAGE_PIXELS
        );
        assert!(message.ends_with(&expected), "{name}: {message}");
        std::fs::remove_file(&path).ok();
    }
    // The boundary, on a real image of 451 x 300 = 135,300 pixels: over the limit it decodes (with
    // a warning); over twice the limit it is refused; without a limit it decodes.
    let cat = image_path("chelsea.png");
    set_max_image_pixels(Some(67_650));
    assert!(
        Image::open(&cat).is_ok(),
        "135,300 = 2 x 67,650 pixels is not over twice the limit"
    );
    set_max_image_pixels(Some(67_649));
    assert!(matches!(Image::open(&cat), Err(Error::TooLarge(_))));
    set_max_image_pixels(None);
    assert!(Image::open(&cat).is_ok());
    set_max_image_pixels(Some(PILLOW_MAX_IMAGE_PIXELS));
}

/// Sizes whose outputs overflow or exceed the budget are `TooLarge` before anything is allocated
/// (they aborted or panicked: `pad_size` of `u32::MAX`, LLaVA pinpoints of 100,000²); the budget
/// is settable, `None` lifts it.
#[test]
fn outputs_over_the_budget_are_refused_before_allocation() {
    use twinproc::placement::{DEFAULT_MAX_OUTPUT_BYTES, max_output_bytes, set_max_output_bytes};
    use twinproc::{AutoImageProcessor, ImagesKwargs, SizeDict};
    use twinproc_golden_tests::config_dir;
    assert_eq!(max_output_bytes(), Some(DEFAULT_MAX_OUTPUT_BYTES));
    let image = [Image::from_hwc(vec![9; 40 * 30 * 3], 40, 30, 3)];
    let clip = AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("clip");
    let pad = |side: u32| ImagesKwargs {
        do_pad: Some(true),
        pad_size: Some(SizeDict::height_width(side, side)),
        ..Default::default()
    };
    let start = Instant::now();
    let err = clip.preprocess(&image, &pad(u32::MAX)).unwrap_err();
    assert!(
        matches!(&err, Error::TooLarge(m) if m.contains("4294967295")),
        "{err}"
    );
    let err = clip.preprocess(&image, &pad(100_000)).unwrap_err();
    assert!(
        matches!(&err, Error::TooLarge(m) if m.contains("output budget")),
        "{err}"
    );
    let dir = std::env::temp_dir().join(format!("twinproc-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let llava = config_dir("llava_onevision_qwen2_0.5b_ov").join("preprocessor_config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(llava).expect("read")).expect("json");
    // 260 × 384 a side: whole patches, 260² of them.
    config["image_grid_pinpoints"] = serde_json::json!([[99_840, 99_840]]);
    std::fs::write(dir.join("preprocessor_config.json"), config.to_string()).expect("write");
    let llava = AutoImageProcessor::from_pretrained(&dir).expect("llava");
    let err = llava
        .preprocess(&image, &ImagesKwargs::default())
        .unwrap_err();
    assert!(
        matches!(&err, Error::TooLarge(m) if m.contains("[67601, 3, 384, 384]")),
        "{err}"
    );
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    // The budget is the caller's: below one CLIP output (602,112 bytes), refused; lifted, it runs.
    set_max_output_bytes(Some(602_111));
    assert!(matches!(
        clip.preprocess(&image, &ImagesKwargs::default()),
        Err(Error::TooLarge(_))
    ));
    set_max_output_bytes(Some(602_112));
    assert!(clip.preprocess(&image, &ImagesKwargs::default()).is_ok());
    set_max_output_bytes(None);
    assert!(clip.preprocess(&image, &ImagesKwargs::default()).is_ok());
    set_max_output_bytes(Some(DEFAULT_MAX_OUTPUT_BYTES));
    std::fs::remove_dir_all(&dir).ok();
}

/// A real 8 x 8 PNG with `chunks` inserted after its header.
fn png_with(chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut png = Vec::new();
    image::RgbImage::new(8, 8)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode");
    let after_ihdr = 8 + 8 + 13 + 4;
    let mut out = png[..after_ihdr].to_vec();
    chunks.iter().for_each(|c| out.extend(c));
    out.extend(&png[after_ihdr..]);
    out
}

fn ztxt(text: &[u8]) -> Vec<u8> {
    let mut data = b"comment\0\0".to_vec();
    data.extend(zlib_stored(text));
    png_chunk(b"zTXt", &data)
}

fn itxt(text: &[u8]) -> Vec<u8> {
    let mut data = b"comment\0\x01\0en\0\0".to_vec();
    data.extend(zlib_stored(text));
    png_chunk(b"iTXt", &data)
}

/// zlib, as a PNG's compressed text holds it (stored blocks: no compressor needed).
fn zlib_stored(text: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = text.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend([1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in text {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

/// Pillow's text limits (`PngImagePlugin.MAX_TEXT_CHUNK`, `MAX_TEXT_MEMORY`), with its messages
/// (checked there: a zTXt of 200 MiB raises "Decompressed data too large for
/// PngImagePlugin.MAX_TEXT_CHUNK"); text within them leaves the image as it is.
#[test]
fn png_text_is_held_to_pillows_limits() {
    let mib = vec![b'a'; 1 << 20];
    let over = vec![b'a'; (1 << 20) + 1];
    for (name, chunks, says) in [
        (
            "ztxt",
            vec![ztxt(&over)],
            "Decompressed data too large for PngImagePlugin.MAX_TEXT_CHUNK",
        ),
        (
            "itxt",
            vec![itxt(&over)],
            "Decompressed data too large for PngImagePlugin.MAX_TEXT_CHUNK",
        ),
        (
            "memory",
            vec![ztxt(&mib); 65],
            "Too much memory used in text chunks: 68157440>MAX_TEXT_MEMORY",
        ),
    ] {
        let path = write(&format!("{name}.png"), &png_with(&chunks));
        let err = Image::open(&path).unwrap_err();
        assert!(
            matches!(&err, Error::TooLarge(m) if m.ends_with(says)),
            "{name}: {err}"
        );
        std::fs::remove_file(&path).ok();
    }
    let path = write(
        "fine.png",
        &png_with(&[ztxt(&mib), itxt(b"short"), png_chunk(b"tEXt", b"k\0v")]),
    );
    let with_text = Image::open(&path).expect("text within the limits");
    let plain = write("plain.png", &png_with(&[]));
    let Image::Decoded(a) = with_text else {
        panic!()
    };
    let Image::Decoded(b) = Image::open(&plain).expect("plain") else {
        panic!()
    };
    assert_eq!(a.as_bytes(), b.as_bytes());
    std::fs::remove_file(&path).ok();
    std::fs::remove_file(&plain).ok();
}
