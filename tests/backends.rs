//! Backend selection without a GPU: typed errors, a logged fallback, never a panic.

use twinproc::backend::{BackendChoice, CudaBackend, cuda, select};
use twinproc::models::clip::ClipImageProcessorCuda;
use twinproc::{AutoImageProcessor, Error, ImagesKwargs};
use twinproc_golden_tests::config_dir;

#[test]
fn cuda_absence_is_an_error_not_a_panic() {
    match cuda::unavailable_reason() {
        Some(reason) => {
            assert!(reason.contains("CUDA is not available"), "{reason}");
            let err = CudaBackend::new().unwrap_err();
            assert!(matches!(err, Error::BackendUnavailable(_)), "{err}");
            let err = select(BackendChoice::Cuda).unwrap_err();
            assert!(matches!(err, Error::BackendUnavailable(_)), "{err}");
            let err = ClipImageProcessorCuda::new(ImagesKwargs::default()).unwrap_err();
            assert!(matches!(err, Error::BackendUnavailable(_)), "{err}");
        }
        None => {
            // A machine with CUDA libraries: opening may still fail (no device), but with an error.
            if let Err(err) = CudaBackend::new() {
                assert!(
                    matches!(err, Error::BackendUnavailable(_) | Error::Cuda(_)),
                    "{err}"
                );
            }
        }
    }
}

#[test]
fn auto_falls_back_to_the_cpu() {
    let backend = select(BackendChoice::Auto).expect("auto always has a backend");
    if cuda::unavailable_reason().is_some() {
        assert_eq!(backend.name(), "cpu");
        let processor =
            AutoImageProcessor::from_pretrained(config_dir("clip_vit_b32")).expect("auto");
        assert_eq!(processor.backend().name(), "cpu");
    }
    assert_eq!(select(BackendChoice::Cpu).expect("cpu").name(), "cpu");
}
