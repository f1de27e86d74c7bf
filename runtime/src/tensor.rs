//! Host tensors: a shape and its elements.

use crate::error::{Error, Result};

/// The elements of a tensor, row-major.
#[derive(Debug, Clone, PartialEq)]
pub enum TensorData {
    F32(Vec<f32>),
    U8(Vec<u8>),
    I32(Vec<i32>),
    I64(Vec<i64>),
}

impl TensorData {
    /// The elements as little-endian bytes: borrowed on a little-endian machine (no copy).
    pub fn le_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        if cfg!(target_endian = "little") {
            std::borrow::Cow::Borrowed(match self {
                TensorData::F32(v) => bytemuck::cast_slice(v),
                TensorData::U8(v) => v,
                TensorData::I32(v) => bytemuck::cast_slice(v),
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
            TensorData::I32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            TensorData::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }

    fn extend(&mut self, other: &TensorData) -> bool {
        match (self, other) {
            (TensorData::F32(a), TensorData::F32(b)) => a.extend_from_slice(b),
            (TensorData::U8(a), TensorData::U8(b)) => a.extend_from_slice(b),
            (TensorData::I32(a), TensorData::I32(b)) => a.extend_from_slice(b),
            (TensorData::I64(a), TensorData::I64(b)) => a.extend_from_slice(b),
            _ => return false,
        }
        true
    }

    fn empty_like(&self) -> TensorData {
        match self {
            TensorData::F32(_) => TensorData::F32(Vec::new()),
            TensorData::U8(_) => TensorData::U8(Vec::new()),
            TensorData::I32(_) => TensorData::I32(Vec::new()),
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

    /// Concatenates tensors along their first axis (`torch.cat(…, dim=0)`): the other axes and the
    /// dtypes must agree.
    pub fn cat(key: &str, tensors: &[Tensor]) -> Result<Tensor> {
        let error = |message: String| Error::Stack {
            key: key.into(),
            message,
        };
        let Some(first) = tensors.first() else {
            return Err(error("no tensors to concatenate".into()));
        };
        let mut data = first.data.empty_like();
        let mut rows = 0;
        for (i, t) in tensors.iter().enumerate() {
            if t.shape.get(1..) != first.shape.get(1..) || t.shape.is_empty() {
                return Err(error(format!(
                    "cat expects tensors of equal size but in the first axis, got {:?} at entry 0 \
                     and {:?} at entry {i}",
                    first.shape, t.shape
                )));
            }
            if !data.extend(&t.data) {
                return Err(error(format!("entry {i} has another dtype than entry 0")));
            }
            rows += t.shape[0];
        }
        let mut shape = first.shape.clone();
        shape[0] = rows;
        Ok(Tensor { shape, data })
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
