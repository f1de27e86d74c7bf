//! Walking containers by hand where a decoder needs one field the crates do not hand on: a PNG's
//! chunks, and the first directory of a TIFF structure (a TIFF file, or an EXIF block).

/// The chunks of the PNG `data` in file order, (type, data), up to the first one cut short.
pub(crate) fn png_chunks(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut at = 8;
    std::iter::from_fn(move || {
        let len = u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = data.get(at + 4..at + 8)?;
        let body = data.get(at + 8..(at + 8).checked_add(len)?)?;
        at += 12 + len;
        Some((kind, body))
    })
}

/// A classic TIFF structure: its byte order and its bytes.
pub(crate) struct Tiff<'a> {
    data: &'a [u8],
    big_endian: bool,
}

impl<'a> Tiff<'a> {
    /// `data` if it starts as a classic TIFF structure does (`II*\0` or `MM\0*`).
    pub fn new(data: &'a [u8]) -> Option<Tiff<'a>> {
        let big_endian = match data.get(..4)? {
            b"II*\0" => false,
            b"MM\0*" => true,
            _ => return None,
        };
        Some(Tiff { data, big_endian })
    }

    pub fn u16_at(&self, at: usize) -> Option<u16> {
        let b = [*self.data.get(at)?, *self.data.get(at + 1)?];
        Some(match self.big_endian {
            true => u16::from_be_bytes(b),
            false => u16::from_le_bytes(b),
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.data.get(at..at + 4)?.try_into().ok()?;
        Some(match self.big_endian {
            true => u32::from_be_bytes(b),
            false => u32::from_le_bytes(b),
        })
    }

    /// `value` as a SHORT of this structure's byte order.
    pub fn short(&self, value: u16) -> [u8; 2] {
        match self.big_endian {
            true => value.to_be_bytes(),
            false => value.to_le_bytes(),
        }
    }

    /// Where the first directory's entry for `tag` starts (its type at +2, its value at +8).
    pub fn entry(&self, tag: u16) -> Option<usize> {
        let directory = usize::try_from(self.u32_at(4)?).ok()?;
        let entries = usize::from(self.u16_at(directory)?);
        (0..entries)
            .map(|i| directory + 2 + 12 * i)
            .find(|&at| self.u16_at(at) == Some(tag))
    }
}
