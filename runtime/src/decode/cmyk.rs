//! CMYK as Pillow holds it and converts it to RGB.

/// Pillow's `cmyk2rgb`: `255 - k` less `c · (255 - k) / 255`, rounded as its `MULDIV255`; with
/// `inverted`, of CMYK stored inverted (`CMYK;I`, Adobe's JPEGs: each sample `255 - v`).
pub(crate) fn cmyk_to_rgb(cmyk: &[u8], inverted: bool) -> Vec<u8> {
    let muldiv255 = |a: u32, b: u32| {
        let t = a * b + 128;
        ((t >> 8) + t) >> 8
    };
    let flip = if inverted { 255 } else { 0 };
    cmyk.chunks_exact(4)
        .flat_map(|px| {
            let [c, m, y, k] = [px[0], px[1], px[2], px[3]].map(|v| u32::from(v ^ flip));
            let nk = 255 - k;
            [c, m, y].map(|v| nk.saturating_sub(muldiv255(v, nk)) as u8)
        })
        .collect()
}
