//! The outputs of a call by name (`BatchFeature`), each a tensor or a list, on the host or left on
//! the GPU; how a placement's buffer becomes one.

#[cfg(feature = "cuda")]
use crate::backend::cuda::outputs::DeviceOutputs;
#[cfg(feature = "cuda")]
use crate::backend::cuda::outputs::DeviceTensor;
#[cfg(not(feature = "cuda"))]
use crate::backend::cuda::without::tensor::DeviceTensor;
use crate::error::Result;
use crate::placement::Placement;
use crate::tensor::{Tensor, TensorData};
use std::collections::BTreeMap;
use std::path::Path;

/// One named output: a tensor, or a list of tensors that could not (or were not asked to) be stacked.
#[derive(Debug, Clone, PartialEq)]
pub enum Feature {
    Tensor(Tensor),
    List(Vec<Tensor>),
    /// A tensor left on the GPU where the CUDA twin computed it.
    Device(DeviceTensor),
    /// A list of tensors left on the GPU.
    DeviceList(Vec<DeviceTensor>),
}

impl Feature {
    /// The feature of host tensors `placement` made (see [`Placement::split`]).
    pub fn placed(placement: &Placement, tensors: Vec<Tensor>) -> Feature {
        match (placement.stacked, <[Tensor; 1]>::try_from(tensors)) {
            (true, Ok([tensor])) => Feature::Tensor(tensor),
            (_, Ok(one)) => Feature::List(one.into()),
            (_, Err(list)) => Feature::List(list),
        }
    }

    /// The feature of outputs left on the device, as their placement forms it.
    #[cfg(feature = "cuda")]
    pub fn on_device(outputs: DeviceOutputs) -> Feature {
        let (stacked, tensors) = outputs.into_tensors();
        match (stacked, <[DeviceTensor; 1]>::try_from(tensors)) {
            (true, Ok([tensor])) => Feature::Device(tensor),
            (_, Ok(one)) => Feature::DeviceList(one.into()),
            (_, Err(list)) => Feature::DeviceList(list),
        }
    }

    /// The same feature in host memory (device tensors are copied, host tensors cloned).
    pub fn to_host(&self) -> Result<Feature> {
        Ok(match self {
            Feature::Device(t) => Feature::Tensor(t.to_host()?),
            Feature::DeviceList(list) => Feature::List(
                list.iter()
                    .map(DeviceTensor::to_host)
                    .collect::<Result<_>>()?,
            ),
            host => host.clone(),
        })
    }

    /// Every tensor of the feature, in host memory.
    pub fn into_tensors(self) -> Result<Vec<Tensor>> {
        Ok(match self.to_host()? {
            Feature::Tensor(t) => vec![t],
            Feature::List(list) => list,
            Feature::Device(_) | Feature::DeviceList(_) => Vec::new(),
        })
    }
}

/// The outputs of a processor call by name (`pixel_values`, ...), as transformers' `BatchFeature`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchFeature {
    pub data: BTreeMap<String, Feature>,
}

impl BatchFeature {
    /// The same features and a host tensor named `key`.
    pub fn with_tensor(mut self, key: &str, shape: Vec<usize>, data: TensorData) -> Self {
        self.data
            .insert(key.into(), Feature::Tensor(Tensor { shape, data }));
        self
    }

    /// The tensor on the GPU named `key`, if it is one (the CUDA twin's outputs).
    pub fn device_tensor(&self, key: &str) -> Option<&DeviceTensor> {
        match self.data.get(key)? {
            Feature::Device(t) => Some(t),
            _ => None,
        }
    }

    /// The host tensor named `key`, if it is one (see [`to_host`](Self::to_host) for the CUDA
    /// twin's outputs).
    pub fn tensor(&self, key: &str) -> Option<&Tensor> {
        match self.data.get(key)? {
            Feature::Tensor(t) => Some(t),
            _ => None,
        }
    }

    /// Waits until the kernels writing the features left on the GPU have finished (nothing to wait
    /// for on the host).
    pub fn synchronize(&self) -> Result<()> {
        for feature in self.data.values() {
            match feature {
                Feature::Device(t) => t.synchronize()?,
                Feature::DeviceList(list) => list.iter().try_for_each(DeviceTensor::synchronize)?,
                Feature::Tensor(_) | Feature::List(_) => {}
            }
        }
        Ok(())
    }

    /// The same features in host memory (what the CUDA twin left on the GPU is copied).
    pub fn to_host(&self) -> Result<BatchFeature> {
        let data = self
            .data
            .iter()
            .map(|(key, feature)| Ok((key.clone(), feature.to_host()?)))
            .collect::<Result<_>>()?;
        Ok(BatchFeature { data })
    }

    /// The same features with every tensor in host memory: host tensors move, device ones are
    /// copied.
    pub fn into_host(self) -> Result<BatchFeature> {
        if self.on_host() {
            return Ok(self);
        }
        self.to_host()
    }

    fn on_host(&self) -> bool {
        self.data
            .values()
            .all(|f| matches!(f, Feature::Tensor(_) | Feature::List(_)))
    }

    /// Writes every output to a safetensors file (copying device tensors to the host first, host
    /// tensors written from where they are); lists are written as `key.000`, `key.001`, ... The
    /// same outputs give the same bytes; the file appears whole (written beside it, then renamed),
    /// with the permissions the umask gives; a path that is not a regular file (`/dev/null`) is
    /// written through.
    pub fn save_safetensors(&self, path: &Path, metadata: BTreeMap<String, String>) -> Result<()> {
        let host = match self.on_host() {
            true => std::borrow::Cow::Borrowed(self),
            false => std::borrow::Cow::Owned(self.to_host()?),
        };
        let mut owned: Vec<(String, &Tensor)> = Vec::new();
        for (key, feature) in &host.data {
            match feature {
                Feature::Tensor(t) => owned.push((key.clone(), t)),
                Feature::Device(_) | Feature::DeviceList(_) => {}
                Feature::List(list) => {
                    owned.extend(
                        list.iter()
                            .enumerate()
                            .map(|(i, t)| (format!("{key}.{i:03}"), t)),
                    );
                }
            }
        }
        crate::save::write_safetensors(path, &owned, &metadata)
    }
}
