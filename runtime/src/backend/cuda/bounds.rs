//! The check every batch passes before a kernel runs: each descriptor reads and writes inside its
//! buffers, and reads the stage only where earlier waves wrote it.

use super::abi::{FROM_INPUT, FROM_STAGE, Pass};
use super::batch::KernelBatch;
use crate::error::{Error, Result};

impl KernelBatch {
    /// Checks that every descriptor reads and writes inside its buffers (the kernels index raw
    /// pointers; a layout bug must be an error here, not memory corruption there).
    pub fn check_bounds(&self) -> Result<()> {
        let fits =
            |offset: i64, len: usize, size: usize| offset >= 0 && offset as usize + len <= size;
        let read_len = |p: &Pass| p.in_w as usize * p.in_h as usize * p.in_channels as usize;
        let write_len = |p: &Pass| p.out_w as usize * p.out_h as usize * p.channels as usize;
        let source_len = |source: i32| {
            if source == FROM_INPUT {
                self.input_bytes
            } else {
                self.stage_bytes
            }
        };
        // The kernels keep a pixel's channels in `TP_MAX_CHANNELS` registers.
        let channels_fit =
            |p: &Pass| (1..=4).contains(&p.channels) && (1..=4).contains(&p.in_channels);
        let passes = self.stage.iter().map(|s| &s.pass);
        if let Some(p) = passes
            .chain(self.output_passes.iter().map(|o| &o.pass))
            .find(|p| !channels_fit(p))
        {
            return Err(Error::Internal(format!(
                "a pass of more than 4 channels: {p:?}"
            )));
        }
        if self.stage_waves.len() != self.stage.len() {
            return Err(Error::Internal("stage passes without their waves".into()));
        }
        // Each stage range's writer and its wave, by offset: a pass reads the stage only where
        // earlier waves wrote it.
        let mut writers: Vec<(i64, i64, usize)> = (self.stage.iter().zip(&self.stage_waves))
            .map(|(s, &wave)| (s.dst, s.dst + write_len(&s.pass) as i64, wave))
            .collect();
        writers.sort_unstable();
        for (s, &wave) in self.stage.iter().zip(&self.stage_waves) {
            if !fits(s.src, read_len(&s.pass), source_len(s.source))
                || !fits(s.dst, write_len(&s.pass), self.stage_bytes)
            {
                return Err(Error::Internal(format!("stage pass out of bounds: {s:?}")));
            }
            if s.source == FROM_STAGE {
                let end = s.src + read_len(&s.pass) as i64;
                let first = writers.partition_point(|w| w.1 <= s.src);
                if (writers[first..].iter())
                    .take_while(|w| w.0 < end)
                    .any(|w| w.2 >= wave)
                {
                    return Err(Error::Internal(format!(
                        "a stage pass reads what its own wave writes: {s:?}"
                    )));
                }
            }
        }
        for o in &self.output_passes {
            let canvas = o.canvas_h as usize * o.canvas_w as usize * o.pass.channels as usize;
            if !fits(o.src, read_len(&o.pass), source_len(o.source))
                || !fits(o.dst, canvas, self.placement.elements)
                || o.win_h > o.canvas_h
                || o.win_w > o.canvas_w
            {
                return Err(Error::Internal(format!("output pass out of bounds: {o:?}")));
            }
        }
        Ok(())
    }
}
