//! Files read as Pillow reads them, written here by hand from their specifications in shapes
//! Pillow does not write: Adam7-interlaced PNG, whole and cut; palette PNGs of every depth; GIFs
//! whose first frame is smaller than the screen; BMPs whose pixel offset is not where they are.

mod common;

use common::png_chunk;
use twinproc::Image;

/// A PNG written by hand from the specification (every scanline filter 0): `samples` (one value
/// per sample, `channels` a pixel) packed at `depth` bits, of colour type `color_type`,
/// Adam7-interlaced if `interlaced`, with `chunks` (name, data) before its pixels; and the offset
/// where its zlib stream's checksum starts.
fn png_of(
    (width, height): (u32, u32),
    (color_type, depth, channels): (u8, u8, u32),
    interlaced: bool,
    samples: &[u8],
    chunks: &[(&[u8; 4], Vec<u8>)],
) -> (Vec<u8>, usize) {
    let passes: &[(u32, u32, u32, u32)] = match interlaced {
        true => &[
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        ],
        false => &[(0, 0, 1, 1)],
    };
    let mut raw = Vec::new();
    for &(x0, y0, dx, dy) in passes {
        if x0 >= width || y0 >= height {
            continue;
        }
        for y in (y0..height).step_by(dy as usize) {
            raw.push(0);
            let mut row = Vec::new();
            for x in (x0..width).step_by(dx as usize) {
                let at = ((y * width + x) * channels) as usize;
                row.extend_from_slice(&samples[at..at + channels as usize]);
            }
            // Most significant bits first, each row padded to a byte.
            let per_byte = 8 / usize::from(depth);
            raw.extend(row.chunks(per_byte).map(|values| {
                (values.iter().enumerate()).fold(0u8, |byte, (i, &v)| {
                    byte | v << (8 - usize::from(depth) * (i + 1))
                })
            }));
        }
    }
    let zlib = miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6);
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([depth, color_type, 0, 0, u8::from(interlaced)]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(png_chunk(b"IHDR", &ihdr));
    for (name, data) in chunks {
        png.extend(png_chunk(name, data));
    }
    let checksum = png.len() + 8 + zlib.len() - 4;
    png.extend(png_chunk(b"IDAT", &zlib));
    png.extend(png_chunk(b"IEND", &[]));
    (png, checksum)
}

fn pixels_of(image: Image) -> Vec<u8> {
    match image {
        Image::Decoded(decoded)
        | Image::Palette {
            colours: decoded, ..
        } => decoded.as_bytes().to_vec(),
        Image::Bits(bits) => bits.into_raw(),
        Image::Array { data, .. } => data,
        Image::Cmyk { samples, .. } => samples,
    }
}

/// An interlaced PNG gives its pixels; cut after its last pass's bytes (in the zlib checksum) it
/// still does, as in Pillow; cut inside the passes it is truncated.
#[test]
fn interlaced_images_and_their_truncations() {
    let (width, height) = (13, 9);
    let pixels: Vec<u8> = (0..width * height * 3)
        .map(|v| (v * 7 % 251) as u8)
        .collect();
    let (png, checksum) = png_of((width, height), (2, 8, 3), true, &pixels, &[]);
    let whole = Image::decode(&png).expect("an interlaced PNG");
    assert_eq!(pixels_of(whole), pixels);
    let cut = Image::decode(&png[..checksum + 2]).expect("cut in the checksum");
    assert_eq!(pixels_of(cut), pixels);
    let err = Image::decode(&png[..checksum - 20]).expect_err("cut in the passes");
    assert!(err.to_string().contains("image file is truncated"), "{err}");
}

/// A palette image of every depth, interlaced or not, opens as its indices (what Pillow's mode `P`
/// holds: the file's own values) and their colours, with alpha where it has transparency.
#[test]
fn palette_images_keep_their_indices() {
    let (width, height) = (13, 7);
    for depth in [1u8, 2, 4, 8] {
        let colours = 1usize << depth;
        let indices: Vec<u8> = (0..width * height)
            .map(|i| ((i * 37 + i / 5) % colours as u32) as u8)
            .collect();
        let palette: Vec<u8> = (0..colours * 3).map(|v| (v * 29 % 256) as u8).collect();
        let alpha: Vec<u8> = (0..colours.min(3)).map(|v| (v * 100) as u8).collect();
        for (interlaced, transparency) in [(false, false), (true, false), (true, true)] {
            let mut chunks = vec![(b"PLTE", palette.clone())];
            if transparency {
                chunks.push((b"tRNS", alpha.clone()));
            }
            let size = (width, height);
            let (png, _) = png_of(size, (3, depth, 1), interlaced, &indices, &chunks);
            let case = format!("depth {depth}, interlaced {interlaced}, tRNS {transparency}");
            let Ok(Image::Palette {
                colours,
                indices: ours,
            }) = Image::decode(&png)
            else {
                panic!("{case}: not a palette image");
            };
            assert_eq!(ours.map(|i| i.into_raw()), Some(indices.clone()), "{case}");
            let expected: Vec<u8> = (indices.iter())
                .flat_map(|&i| {
                    let i = usize::from(i);
                    let rgb = palette[3 * i..3 * i + 3].iter().copied();
                    let a = transparency.then(|| alpha.get(i).copied().unwrap_or(255));
                    rgb.chain(a)
                })
                .collect();
            assert_eq!(colours.as_bytes(), expected, "{case}");
        }
    }
}

/// A GIF of an 8x8 screen with a 4-colour global palette and one 4x4 frame at (2, 2) of
/// `indices`, after a graphic control extension for each of `controls` (a transparent index, or
/// none). The LZW data is written
/// without compression: a clear code before every index keeps the codes 3 bits wide.
fn small_frame_gif(palette: &[u8; 12], indices: &[u8; 16], controls: &[Option<u8>]) -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend([8, 0, 8, 0, 0x81, 0, 0]);
    gif.extend(palette);
    for control in controls {
        let (flag, index) = control.map_or((0, 0), |index| (1, index));
        gif.extend([0x21, 0xf9, 4, flag, 0, 0, index, 0]);
    }
    gif.extend([0x2c, 2, 0, 2, 0, 4, 0, 4, 0, 0]);
    let (clear, end) = (4u32, 5u32);
    let codes = indices
        .iter()
        .flat_map(|&i| [clear, u32::from(i)])
        .chain([end]);
    let (mut bits, mut count, mut lzw) = (0u32, 0, Vec::new());
    for code in codes {
        bits |= code << count;
        count += 3;
        while count >= 8 {
            lzw.push(bits as u8);
            bits >>= 8;
            count -= 8;
        }
    }
    if count > 0 {
        lzw.push(bits as u8);
    }
    gif.push(2);
    gif.push(lzw.len() as u8);
    gif.extend(&lzw);
    gif.extend([0, 0x3b]);
    gif
}

/// Pillow opens a GIF's first frame on the whole screen (`GifImagePlugin`): outside the frame
/// the transparent index, or 0 where the frame has none (palette entry 0, opaque; transformers'
/// `convert_to_rgb` shows it), its indices inside. A control extension without a transparent
/// index leaves an earlier one's.
#[test]
fn a_small_first_frame_fills_the_screen_as_pillow_does() {
    let palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
    let frame: [u8; 16] = std::array::from_fn(|i| ((i % 4 + i / 4) % 4) as u8);
    let cases: [(&[Option<u8>], Option<u8>); 4] = [
        (&[], None),
        (&[Some(1)], Some(1)),
        (&[Some(3), None], Some(3)),
        (&[Some(3), Some(2)], Some(2)),
    ];
    for (controls, transparent) in cases {
        let gif = small_frame_gif(&palette, &frame, controls);
        let Ok(Image::Palette { colours, indices }) = Image::decode(&gif) else {
            panic!("{transparent:?}: not a palette image");
        };
        let expected: Vec<u8> = (0..64)
            .map(|i| {
                let (x, y) = (i % 8, i / 8);
                match (2..6).contains(&x) && (2..6).contains(&y) {
                    true => frame[(y - 2) * 4 + (x - 2)],
                    false => transparent.unwrap_or(0),
                }
            })
            .collect();
        assert_eq!(indices.map(|i| i.into_raw()), Some(expected.clone()));
        let colours_expected: Vec<u8> = (expected.iter())
            .flat_map(|&i| {
                let rgb = palette[3 * usize::from(i)..][..3].iter().copied();
                let alpha = transparent.map(|t| if i == t { 0 } else { 255 });
                rgb.chain(alpha)
            })
            .collect();
        assert_eq!(colours.as_bytes(), colours_expected, "{transparent:?}");
    }
}

/// A tRNS chunk longer than the palette gives every index it covers its alpha, past the
/// palette's end too (black there), as Pillow's `putpalettealphas` does.
#[test]
fn a_long_trns_applies_past_the_palette() {
    let palette = vec![10, 20, 30, 40, 50, 60];
    let trns = vec![0, 128, 7, 9];
    let chunks = [(b"PLTE", palette), (b"tRNS", trns)];
    let (png, _) = png_of((4, 1), (3, 2, 1), false, &[0, 1, 2, 3], &chunks);
    let Ok(Image::Palette { colours, .. }) = Image::decode(&png) else {
        panic!("not a palette image");
    };
    let expected = [10, 20, 30, 0, 40, 50, 60, 128, 0, 0, 0, 7, 0, 0, 0, 9];
    assert_eq!(colours.as_bytes(), expected);
}

/// A 4-bit palette BMP whose header gives the right pixel data offset, the palette's start, or 0:
/// Pillow reads the pixels after the palette in all three (`BmpImagePlugin`).
#[test]
fn a_bmp_offset_at_the_palette_or_zero_reads_after_it() {
    let indices = [[3u8, 2, 1, 0, 2], [0, 1, 2, 3, 3]];
    let palette: Vec<[u8; 4]> = (0..16u32)
        .map(|i| [(i * 16) as u8, (i * 37) as u8, (i * 91 % 256) as u8, 0])
        .collect();
    // Bottom row first, 4-byte rows of two indices a byte.
    let rows: Vec<u8> = (indices.iter().rev())
        .flat_map(|r| [r[0] << 4 | r[1], r[2] << 4 | r[3], r[4] << 4, 0])
        .collect();
    let right = 14 + 40 + 16 * 4;
    for offset in [right, 54, 0u32] {
        let mut bmp = b"BM".to_vec();
        bmp.extend((right + rows.len() as u32).to_le_bytes());
        bmp.extend([0; 4]);
        bmp.extend(offset.to_le_bytes());
        for field in [40u32, 5, 2] {
            bmp.extend(field.to_le_bytes());
        }
        bmp.extend([1, 0, 4, 0]);
        for field in [0u32, rows.len() as u32, 0, 0, 16, 0] {
            bmp.extend(field.to_le_bytes());
        }
        bmp.extend(palette.iter().flatten());
        bmp.extend(&rows);
        let Ok(Image::Palette {
            colours,
            indices: ours,
        }) = Image::decode(&bmp)
        else {
            panic!("offset {offset}: not a palette image");
        };
        assert_eq!(
            ours.map(|i| i.into_raw()),
            Some(indices.concat()),
            "offset {offset}"
        );
        let rgb: Vec<u8> = (indices.concat().iter())
            .flat_map(|&i| {
                let [b, g, r, _] = palette[usize::from(i)];
                [r, g, b]
            })
            .collect();
        assert_eq!(colours.as_bytes(), rgb, "offset {offset}");
    }
}
