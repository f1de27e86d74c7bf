//! Palette images' colours: each index's entry of a 256-entry table, which the formats fill as
//! their palettes and transparency say (PNG's PLTE and tRNS, GIF's colour tables).

/// The first `C` samples (3: RGB, 4: RGBA) of each index's entry.
pub(crate) fn looked_up<const C: usize>(indices: &[u8], entries: &[[u8; 4]; 256]) -> Vec<u8> {
    let mut samples = vec![0; indices.len() * C];
    for (sample, &i) in samples.chunks_exact_mut(C).zip(indices) {
        let entry = &entries[usize::from(i)];
        sample.copy_from_slice(&entry[..C]);
    }
    samples
}
