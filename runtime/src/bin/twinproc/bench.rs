//! `twinproc bench`: timed calls of one batch, the way `scripts/bench.sh` pairs them with
//! transformers.

use super::{BackendArg, InputArg, KernelsArg, load, open_all};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use twinproc::backend::cuda::DeviceOutputs;
use twinproc::backend::{Backend, CpuBackend, CudaBackend, Kernels, select};
use twinproc::processor::Batch;
use twinproc::{Error, Image, ImagesKwargs, Numerics, Processor, Stacking};
/// One `bench` measurement's settings.
pub(super) struct BenchArgs {
    pub(super) backend: BackendArg,
    pub(super) threads: Option<usize>,
    pub(super) kernels: Option<KernelsArg>,
    pub(super) repeat: usize,
    pub(super) input: InputArg,
    pub(super) fresh: bool,
}

/// A timed call.
type Call<'a> = Box<dyn FnMut() -> Result<(), Error> + 'a>;

/// A call on the CUDA backend from inputs in `host`, `pinned` or `device` memory, planned each
/// time, returning as soon as its work is queued.
struct CudaCall<'a> {
    name: String,
    cuda: CudaBackend,
    queue: Box<dyn Fn() -> Result<DeviceOutputs, Error> + 'a>,
}

impl<'a> CudaCall<'a> {
    fn new(processor: &'a Processor, images: &'a [Image], input: InputArg) -> Result<Self, Error> {
        let cuda = CudaBackend::new()?;
        let inputs = processor.inputs(images, &ImagesKwargs::default())?;
        let pixels: Vec<_> = inputs.iter().map(|i| i.pixels.clone()).collect();
        let plan = move || processor.plan_inputs(&inputs, &ImagesKwargs::default());
        let (what, queue): (_, Box<dyn Fn() -> Result<DeviceOutputs, Error>>) = match input {
            InputArg::Pinned => {
                let (cuda, pinned) = (cuda.clone(), cuda.pin(&pixels)?);
                (
                    "pinned",
                    Box::new(move || cuda.execute_pinned(&pinned, &plan()?)),
                )
            }
            InputArg::Device => {
                let (cuda, resident) = (cuda.clone(), cuda.upload(&pixels)?);
                (
                    "device",
                    Box::new(move || cuda.execute_resident(&resident, &plan()?)),
                )
            }
            _ => {
                let cuda = cuda.clone();
                (
                    "host",
                    Box::new(move || cuda.execute_on_device(&pixels, &plan()?)),
                )
            }
        };
        Ok(CudaCall {
            name: format!("{} ({what} input, outputs on the device)", cuda.name()),
            cuda,
            queue,
        })
    }
}

pub(super) fn bench(
    config: &Path,
    numerics: Numerics,
    args: BenchArgs,
    paths: &[PathBuf],
) -> Result<(), Error> {
    let processor = load(config, numerics)?;
    let images = open_all(paths)?;
    let repeat = args.repeat.max(1);
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
            (choice, _) => select(choice.into())?,
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
            ));
        }
        let cuda = std::rc::Rc::new(CudaCall::new(&processor, &images, args.input)?);
        let one = cuda.clone();
        let call: Call = Box::new(move || (one.queue)()?.synchronize());
        let name = cuda.name.clone();
        // Calls back to back, one wait at the end: each call's host work and upload overlap the
        // kernels of the call before.
        let streamed: Call = Box::new(move || {
            for _ in 0..STREAMED_CALLS {
                (cuda.queue)()?;
            }
            cuda.cuda.synchronize()
        });
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
    println!("{line}");
    Ok(())
}

/// Calls per streamed measurement.
const STREAMED_CALLS: usize = 10;
