//! `twinproc`: preprocess images exactly as transformers does, inspect a configuration, benchmark.

mod bench;
mod failure;
mod inputs;

use bench::{BenchArgs, bench};
use clap::{Parser, Subcommand, ValueEnum};
use failure::{Failure, exit, usage_error};
use inputs::{Inputs, SemanticsArg};
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use twinproc::backend::{BackendChoice, Kernels, select};
use twinproc::processor::Origin;
use twinproc::{AutoImageProcessor, Error, Numerics, Processor};

#[derive(Parser)]
#[command(
    name = "twinproc",
    version,
    about = "Vision-model image preprocessing bit-identical to transformers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum NumericsArg {
    Torchvision,
    Pil,
}

impl From<NumericsArg> for Numerics {
    fn from(n: NumericsArg) -> Self {
        match n {
            NumericsArg::Torchvision => Numerics::Torchvision,
            NumericsArg::Pil => Numerics::Pil,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
    Auto,
    Cpu,
    Cuda,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputArg {
    Images,
    Host,
    Pinned,
    Device,
}

#[derive(Subcommand)]
enum Command {
    /// Preprocess IMAGEs as one batch and write every output to a safetensors file.
    Preprocess {
        /// preprocessor_config.json, or the directory holding it.
        #[arg(long)]
        config: PathBuf,
        /// Which transformers backend's numbers to reproduce.
        #[arg(long, value_enum, default_value = "torchvision")]
        numerics: NumericsArg,
        /// Where to compute.
        #[arg(long, value_enum, default_value = "auto")]
        backend: BackendArg,
        /// Worker threads of the CPU twin, decoding included (default: all cores).
        #[arg(long, value_parser = threads)]
        threads: Option<usize>,
        /// The safetensors file to write.
        #[arg(long)]
        out: PathBuf,
        /// How an IMAGE becomes an image: as `PIL.Image.open(path)` handed to the processor
        /// (`object`), or as transformers loads a path string it is given (`path`: EXIF
        /// orientation applied, alpha dropped, each backend's own loader).
        #[arg(long, value_enum, default_value = "object")]
        semantics: SemanticsArg,
        /// Image files (PNG, JPEG, GIF, WebP, TIFF, BMP, ICO, TGA, QOI, Netpbm), decoded as Pillow
        /// opens them; `-`: the encoded bytes of one image on standard input.
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
    /// Print every resolved kwarg, its value, and whether it comes from the file or the default.
    Inspect {
        #[arg(long)]
        config: PathBuf,
    },
    /// Decode IMAGEs once, time repeated preprocess calls, print one JSON line.
    Bench {
        #[arg(long)]
        config: PathBuf,
        #[arg(long, value_enum, default_value = "torchvision")]
        numerics: NumericsArg,
        /// Where to compute (`--threads` applies to the CPU).
        #[arg(long, value_enum, default_value = "cpu")]
        backend: BackendArg,
        /// Worker threads (default: all cores).
        #[arg(long, value_parser = threads)]
        threads: Option<usize>,
        /// The CPU's inner loops (default: the fastest this processor runs; all give the same
        /// bytes).
        #[arg(long, value_enum)]
        kernels: Option<KernelsArg>,
        /// Timed calls.
        #[arg(long, default_value_t = 10, value_parser = repeat)]
        repeat: usize,
        /// What a timed call starts from. `images`: decoded images, through the whole `preprocess`
        /// call (on CUDA its outputs stay on the GPU, waited for). With `--backend cuda`, outputs left on the GPU (what a
        /// model on the same GPU sees), from 8-bit pixels in `host` memory, in `pinned`
        /// (page-locked) memory, or already on the `device`; plans are made in every call.
        #[arg(long, value_enum, default_value = "images")]
        input: InputArg,
        /// Drop each call's outputs instead of giving their memory back for the next call
        /// (`Processor::recycle`, what a loop over `preprocess_into` does): every call then
        /// writes into fresh memory, which the kernel zeroes page by page.
        #[arg(long)]
        fresh: bool,
        /// With `--input host|pinned|device`: also time each phase of `--repeat` calls (host
        /// planning and queuing, the wait; on the GPU, from CUDA events, the upload and each
        /// kernel) and add their medians to the line as `profile`.
        #[arg(long)]
        profile: bool,
        #[arg(required = true)]
        images: Vec<PathBuf>,
    },
}

/// The most worker threads a command starts (more than any machine has cores).
const MAX_THREADS: usize = 1024;
/// The most timed calls of `bench`.
const MAX_REPEAT: usize = 1_000_000;

/// A count from 1 to `max`.
fn count(text: &str, max: usize) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from 1 to {max}")),
    }
}

fn threads(text: &str) -> Result<usize, String> {
    count(text, MAX_THREADS)
}

fn repeat(text: &str) -> Result<usize, String> {
    count(text, MAX_REPEAT)
}

fn load(config: &Path, numerics: Numerics) -> Result<Processor, Error> {
    // The command picks its backend itself: load on the CPU, without probing CUDA twice.
    Ok(AutoImageProcessor::from_pretrained_on(config, BackendChoice::Cpu)?.with_numerics(numerics))
}

/// `--kernels`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum KernelsArg {
    Scalar,
    Neon,
    Avx2,
    Avx512,
    Avx512vbmi,
}

impl From<KernelsArg> for Kernels {
    fn from(kernels: KernelsArg) -> Self {
        match kernels {
            KernelsArg::Scalar => Kernels::Scalar,
            KernelsArg::Neon => Kernels::Neon,
            KernelsArg::Avx2 => Kernels::Avx2,
            KernelsArg::Avx512 => Kernels::Avx512,
            KernelsArg::Avx512vbmi => Kernels::Avx512Vbmi,
        }
    }
}

/// Where `--backend` and the configuration say to run: `auto` follows the configuration's
/// `device` when it names one.
fn choice(arg: BackendArg, processor: &Processor) -> Result<BackendChoice, Error> {
    match (arg, processor.kwargs().device) {
        (BackendArg::Auto, Some(device)) => BackendChoice::for_device(&device),
        (arg, _) => Ok(arg.into()),
    }
}

impl From<BackendArg> for BackendChoice {
    fn from(choice: BackendArg) -> Self {
        match choice {
            BackendArg::Auto => BackendChoice::Auto,
            BackendArg::Cpu => BackendChoice::Cpu,
            BackendArg::Cuda => BackendChoice::Cuda,
        }
    }
}

fn preprocess(
    config: &Path,
    numerics: Numerics,
    (backend, threads): (BackendArg, Option<usize>),
    out: &Path,
    (semantics, paths): (SemanticsArg, &[PathBuf]),
) -> Result<(), Failure> {
    refuse_to_overwrite_an_input(out, config, paths)?;
    let processor = load(config, numerics)?;
    if let Some(n) = threads {
        if matches!(backend, BackendArg::Cuda) {
            return Err(
                Error::InvalidArgument("--threads applies to the CPU backend".into()).into(),
            );
        }
        // The CPU twin and the decoding both run on rayon's global pool.
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| Error::InvalidArgument(format!("cannot start {n} threads: {e}")))?;
    }
    let backend = select(choice(backend, &processor)?)?;
    let inputs = Inputs::new(paths, semantics, numerics)?;
    let metadata = BTreeMap::from([
        ("numerics".to_owned(), numerics.name().to_owned()),
        ("backend".to_owned(), backend.name()),
        (
            "processor".to_owned(),
            processor.model().type_name.to_owned(),
        ),
    ]);
    let written = twinproc::stream::preprocess_to_safetensors(
        &processor,
        &*backend,
        inputs.count(),
        &|i| inputs.open(i),
        out,
        metadata,
    )?;
    let mut stdout = io::stdout().lock();
    for tensor in written {
        writeln!(
            stdout,
            "{}: {} {:?} {}",
            out.display(),
            tensor.name,
            tensor.shape,
            dtype_name(tensor.dtype)
        )?;
    }
    Ok(stdout.flush()?)
}

/// Whether `a` and `b` name the same file (through links).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return (a.dev(), a.ino()) == (b.dev(), b.ino());
        }
    }
    matches!(
        (std::fs::canonicalize(a), std::fs::canonicalize(b)),
        (Ok(a), Ok(b)) if a == b
    )
}

/// `--out` may not name an image or the configuration (it would replace them).
fn refuse_to_overwrite_an_input(
    out: &Path,
    config: &Path,
    images: &[PathBuf],
) -> Result<(), Error> {
    let configs = if config.is_dir() {
        vec![
            config.join(twinproc::config::CONFIG_NAME),
            config.join(twinproc::config::PROCESSOR_CONFIG_NAME),
        ]
    } else {
        vec![config.to_path_buf()]
    };
    match configs
        .iter()
        .chain(images)
        .find(|input| same_file(out, input))
    {
        Some(input) => Err(Error::InvalidArgument(format!(
            "--out {} is the input {}; write the outputs elsewhere",
            out.display(),
            input.display()
        ))),
        None => Ok(()),
    }
}

/// torch's name of a safetensors element type.
fn dtype_name(safetensors_dtype: &str) -> &str {
    match safetensors_dtype {
        "F32" => "float32",
        "U8" => "uint8",
        "I32" => "int32",
        "I64" => "int64",
        other => other,
    }
}

fn inspect(config: &Path) -> Result<(), Failure> {
    let processor = load(config, Numerics::default())?;
    let mut stdout = io::stdout().lock();
    writeln!(
        stdout,
        "{} ({})",
        processor.model().type_name,
        processor.model().description
    )?;
    for (name, value, origin) in processor.kwarg_origins() {
        let origin = match origin {
            Origin::Config => "file",
            Origin::Default => "default",
            Origin::Unset => "unset",
        };
        writeln!(
            stdout,
            "{name:<18} {value:<40} {origin}",
            value = value.to_string()
        )?;
    }
    for (key, value, origin, model_kwarg) in processor.extra_origins()? {
        let origin = if origin == Origin::Config {
            "file"
        } else {
            "default"
        };
        let kind = if model_kwarg {
            "model kwarg"
        } else {
            "kept, not used"
        };
        writeln!(
            stdout,
            "{key:<18} {value:<40} {origin} ({kind})",
            value = value.to_string()
        )?;
    }
    Ok(stdout.flush()?)
}

/// Keeps freed memory in the process for the next chunk of images: glibc otherwise returns a
/// decoded image's pages to the kernel when it is freed (it maps each one alone, or trims the
/// heap), and every later image faults fresh zeroed pages in again.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator's thresholds, before any thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

fn main() -> ExitCode {
    keep_freed_memory();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let result = match &cli.command {
        Command::Preprocess {
            config,
            numerics,
            backend,
            threads,
            out,
            semantics,
            images,
        } => preprocess(
            config,
            (*numerics).into(),
            (*backend, *threads),
            out,
            (*semantics, images),
        ),
        Command::Inspect { config } => inspect(config),
        Command::Bench {
            config,
            numerics,
            backend,
            threads,
            kernels,
            repeat,
            input,
            fresh,
            profile,
            images,
        } => {
            let args = BenchArgs {
                backend: *backend,
                threads: *threads,
                kernels: *kernels,
                repeat: *repeat,
                input: *input,
                fresh: *fresh,
                profile: *profile,
            };
            bench(config, (*numerics).into(), args, images)
        }
    };
    exit(result)
}
