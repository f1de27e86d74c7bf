//! Every bundled PNG, GIF and JPEG cut short at 20 points decodes as Pillow 13 decodes it
//! (`tests/fixtures/truncation.json`, made by `scripts/make_truncation_fixture.py`): an error where
//! Pillow raises (`image file is truncated`, `cannot identify image file`, …), the whole image
//! where Pillow gives it (a PNG cut after its last row's bytes: Pillow stops reading there).

use twinproc::Image;

use twinproc_golden_tests::{fixtures, image_path};

fn pixels(image: &Image) -> Vec<u8> {
    match image {
        Image::Decoded(decoded)
        | Image::Palette {
            colours: decoded, ..
        } => decoded.as_bytes().to_vec(),
        Image::Bits(bits) => bits.to_vec(),
        Image::Array { data, .. } => data.clone(),
        Image::Cmyk { samples, .. } => samples.clone(),
    }
}

#[test]
fn truncated_files_fail_or_decode_as_pillow_does() {
    let text = std::fs::read_to_string(fixtures().join("truncation.json")).expect("fixture");
    let fixture: serde_json::Value = serde_json::from_str(&text).expect("json");
    let cases = fixture["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    let mut whole = std::collections::HashMap::new();
    for case in cases {
        let file = case["file"].as_str().expect("file");
        let length = case["length"].as_u64().expect("length") as usize;
        let pillow = case["pillow"].as_str().expect("outcome");
        let data = std::fs::read(image_path(file)).expect("image");
        let full = whole
            .entry(file.to_owned())
            .or_insert_with(|| pixels(&Image::decode(&data).expect("the whole file")));
        let result = Image::decode(&data[..length]);
        match (result, pillow) {
            (Err(_), p) if p.starts_with("error") => {}
            (Ok(image), "whole") if pixels(&image) == *full => {}
            (Ok(_), "whole") => failures.push(format!(
                "{file} at {length}: other pixels than the whole image"
            )),
            (Ok(_), p) => failures.push(format!("{file} at {length}: decodes, Pillow: {p}")),
            (Err(e), p) => failures.push(format!("{file} at {length}: {e}; Pillow: {p}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
