//! `twinproc bench`: timed calls of one batch, the way `scripts/bench.sh` pairs them with
//! transformers.

#[cfg(feature = "cuda")]
mod device_calls;

use super::failure::Failure;
use super::inputs::{Inputs, SemanticsArg};
use super::{BackendArg, InputArg, KernelsArg, choice, load};
#[cfg(feature = "cuda")]
use device_calls::{device_calls, device_profile};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use twinproc::backend::{Backend, CpuBackend, Kernels, select};
use twinproc::extend::Batch;
use twinproc::{Error, ImagesKwargs, Numerics, Stacking};
#[cfg(not(feature = "cuda"))]
use twinproc::{Image, Processor};
/// One `bench` measurement's settings.
pub(super) struct BenchArgs {
    pub(super) backend: BackendArg,
    pub(super) threads: Option<usize>,
    pub(super) kernels: Option<KernelsArg>,
    pub(super) repeat: usize,
    pub(super) input: InputArg,
    pub(super) fresh: bool,
    pub(super) profile: bool,
}

/// A timed call.
pub(super) type Call<'a> = Box<dyn FnMut() -> Result<(), Error> + 'a>;

pub(super) fn bench(
    config: &Path,
    numerics: Numerics,
    args: BenchArgs,
    paths: &[PathBuf],
) -> Result<(), Failure> {
    if args.profile && args.input == InputArg::Images {
        return Err(
            Error::InvalidArgument("--profile needs --input host|pinned|device".into()).into(),
        );
    }
    let processor = load(config, numerics)?;
    let images = Inputs::new(paths, SemanticsArg::Object, numerics)?.open_all()?;
    let repeat = args.repeat;
    let time = |call: &mut Call| -> Result<f64, Error> {
        let start = Instant::now();
        call()?;
        Ok(start.elapsed().as_secs_f64())
    };
    let (name, mut call, streamed) = if args.input == InputArg::Images {
        let backend: Arc<dyn Backend> = match (args.backend, args.threads) {
            (BackendArg::Cpu, threads) => {
                let cpu = match threads {
                    Some(n) => CpuBackend::with_threads(n)?,
                    None => CpuBackend::new(),
                };
                let kernels = args.kernels.map_or(cpu.kernels(), Kernels::from);
                Arc::new(cpu.with_kernels(kernels)?)
            }
            (arg, _) => select(choice(arg, &processor)?)?,
        };
        let name = backend.name();
        let processor = &processor;
        let images = &images;
        let recycle = !args.fresh;
        let call: Call = Box::new(move || {
            let batch = processor.run(
                &*backend,
                Batch::Flat(images),
                &ImagesKwargs::default(),
                Stacking::Stack,
            )?;
            batch.synchronize()?;
            if recycle {
                batch.data.into_values().for_each(|f| backend.recycle(f));
            }
            Ok(())
        });
        (name, call, None)
    } else {
        if !matches!(args.backend, BackendArg::Cuda) {
            return Err(Error::InvalidArgument(
                "--input host|pinned|device needs --backend cuda".into(),
            )
            .into());
        }
        let (name, call, streamed) = device_calls(&processor, &images, args.input)?;
        (name, call, Some(streamed))
    };
    time(&mut call)?; // warm-up
    let mut seconds = (0..repeat)
        .map(|_| time(&mut call))
        .collect::<Result<Vec<_>, _>>()?;
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    let mut line = serde_json::json!({
        "config": config.display().to_string(),
        "numerics": numerics.name(),
        "backend": name,
        "kernels": args.kernels.map_or(Kernels::best(), Kernels::from).name(),
        "threads": args.threads.unwrap_or_else(rayon::current_num_threads),
        "images": images.len(),
        "recycled": !args.fresh,
        "repeat": seconds.len(),
        "median_s": median,
        "images_per_s": images.len() as f64 / median,
    });
    if let Some(mut streamed) = streamed {
        let mut best = f64::INFINITY;
        for _ in 0..repeat.div_ceil(STREAMED_CALLS).max(2) {
            best = best.min(time(&mut streamed)?);
        }
        line["streamed_images_per_s"] = ((images.len() * STREAMED_CALLS) as f64 / best).into();
    }
    if args.profile {
        line["profile"] = device_profile(&processor, &images, args.input, repeat)?;
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    Ok(stdout.flush()?)
}

/// Calls per streamed measurement.
pub(super) const STREAMED_CALLS: usize = 10;

/// Without the CUDA twin there are no device inputs to profile.
#[cfg(not(feature = "cuda"))]
fn device_profile(
    _: &Processor,
    _: &[Image],
    _: InputArg,
    _: usize,
) -> Result<serde_json::Value, Error> {
    let reason = twinproc::backend::cuda::unavailable_reason().unwrap_or_default();
    Err(Error::BackendUnavailable(reason))
}

/// Without the CUDA twin there are no device inputs to time.
#[cfg(not(feature = "cuda"))]
fn device_calls<'a>(
    _: &'a Processor,
    _: &'a [Image],
    _: InputArg,
) -> Result<(String, Call<'a>, Call<'a>), Error> {
    let reason = twinproc::backend::cuda::unavailable_reason().unwrap_or_default();
    Err(Error::BackendUnavailable(reason))
}
