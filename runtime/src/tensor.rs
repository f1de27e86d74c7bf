//! Output tensors and the `BatchFeature` that holds them by name.

pub use crate::backend::cuda::DeviceTensor;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// The elements of a tensor, row-major.
#[derive(Debug, Clone, PartialEq)]
pub enum TensorData {
    F32(Vec<f32>),
    U8(Vec<u8>),
    I64(Vec<i64>),
}

impl TensorData {
    fn dtype(&self) -> safetensors::Dtype {
        match self {
            TensorData::F32(_) => safetensors::Dtype::F32,
            TensorData::U8(_) => safetensors::Dtype::U8,
            TensorData::I64(_) => safetensors::Dtype::I64,
        }
    }

    /// The elements as little-endian bytes: borrowed on a little-endian machine (no copy).
    pub fn le_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        if cfg!(target_endian = "little") {
            std::borrow::Cow::Borrowed(match self {
                TensorData::F32(v) => bytemuck::cast_slice(v),
                TensorData::U8(v) => v,
                TensorData::I64(v) => bytemuck::cast_slice(v),
            })
        } else {
            std::borrow::Cow::Owned(self.to_le_bytes())
        }
    }

    /// The elements as little-endian bytes.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            TensorData::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            TensorData::U8(v) => v.clone(),
            TensorData::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }

    fn extend(&mut self, other: &TensorData) -> bool {
        match (self, other) {
            (TensorData::F32(a), TensorData::F32(b)) => a.extend_from_slice(b),
            (TensorData::U8(a), TensorData::U8(b)) => a.extend_from_slice(b),
            (TensorData::I64(a), TensorData::I64(b)) => a.extend_from_slice(b),
            _ => return false,
        }
        true
    }

    fn empty_like(&self) -> TensorData {
        match self {
            TensorData::F32(_) => TensorData::F32(Vec::new()),
            TensorData::U8(_) => TensorData::U8(Vec::new()),
            TensorData::I64(_) => TensorData::I64(Vec::new()),
        }
    }
}

/// A dense tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: TensorData,
}

impl Tensor {
    /// The f32 elements, if the tensor is float32.
    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            TensorData::F32(v) => Some(v),
            _ => None,
        }
    }

    /// Stacks equally shaped tensors along a new first axis (`torch.stack`); `key` names the output in
    /// the error transformers raises when the shapes differ.
    pub fn stack(key: &str, tensors: &[Tensor]) -> Result<Tensor> {
        let Some(first) = tensors.first() else {
            return Err(Error::Stack {
                key: key.into(),
                message: "no tensors to stack".into(),
            });
        };
        let mut data = first.data.empty_like();
        for (i, t) in tensors.iter().enumerate() {
            if t.shape != first.shape {
                return Err(Error::Stack {
                    key: key.into(),
                    message: format!(
                        "stack expects each tensor to be equal size, but got {:?} at entry 0 and {:?} at entry {i}",
                        first.shape, t.shape
                    ),
                });
            }
            if !data.extend(&t.data) {
                return Err(Error::Stack {
                    key: key.into(),
                    message: format!("entry {i} has another dtype than entry 0"),
                });
            }
        }
        let mut shape = vec![tensors.len()];
        shape.extend_from_slice(&first.shape);
        Ok(Tensor { shape, data })
    }
}

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
    /// tensors written from where they are); lists are written as `key.000`, `key.001`, ...
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
        let bytes: Vec<_> = owned.iter().map(|(_, t)| t.data.le_bytes()).collect();
        let write_error = |message: String| Error::Write {
            path: path.to_path_buf(),
            message,
        };
        let views = owned
            .iter()
            .zip(&bytes)
            .map(|((key, t), bytes)| {
                safetensors::tensor::TensorView::new(t.data.dtype(), t.shape.clone(), bytes)
                    .map(|view| (key.clone(), view))
                    .map_err(|e| write_error(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        let metadata = (!metadata.is_empty()).then(|| metadata.into_iter().collect());
        safetensors::serialize_to_file(views, metadata, path)
            .map_err(|e| write_error(e.to_string()))
    }
}
