//! `preprocessor_config.json`: reading every form transformers accepts, writing the form it saves.

use crate::error::{Error, Result};
use crate::kwargs::ImagesKwargs;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The file name transformers saves an image processor's configuration under.
pub const CONFIG_NAME: &str = "preprocessor_config.json";
/// A processor-wide configuration that may hold an `image_processor` section.
pub const PROCESSOR_CONFIG_NAME: &str = "processor_config.json";

/// A configuration as read from disk: the type name, the standard kwargs it sets, and every other key
/// (model kwargs, unknown keys), kept as they were; `processor_class` and `feature_extractor_type`
/// are dropped, as transformers' `ImageProcessingMixin.__init__` drops them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessorConfig {
    /// `image_processor_type` (or the legacy `feature_extractor_type`) as written in the file.
    pub type_name: Option<String>,
    /// The standard kwargs the file sets.
    pub kwargs: ImagesKwargs,
    /// Every other key.
    pub extra: Map<String, Value>,
}

/// The canonical class name of a type name: transformers' backend suffixes (`Fast`, `Pil`) removed and
/// the legacy `FeatureExtractor` spelled `ImageProcessor`.
pub fn canonical_type_name(name: &str) -> String {
    let base = name
        .strip_suffix("Fast")
        .or_else(|| name.strip_suffix("Pil"))
        .unwrap_or(name);
    match base.strip_suffix("FeatureExtractor") {
        Some(model) => format!("{model}ImageProcessor"),
        None => base.to_owned(),
    }
}

/// Reads the JSON object of an image processor from a directory or a file.
///
/// A directory is searched for `preprocessor_config.json`, then for the `image_processor` section of
/// `processor_config.json`; a file is read as is (its `image_processor` section if it has one).
pub fn read_config_object(path: &Path) -> Result<(PathBuf, Map<String, Value>)> {
    let file = if path.is_dir() {
        let preprocessor = path.join(CONFIG_NAME);
        if preprocessor.exists() {
            preprocessor
        } else {
            let processor = path.join(PROCESSOR_CONFIG_NAME);
            if !processor.exists() {
                return Err(Error::Io {
                    path: preprocessor,
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("no {CONFIG_NAME} or {PROCESSOR_CONFIG_NAME} in this directory"),
                    ),
                });
            }
            processor
        }
    } else {
        path.to_path_buf()
    };
    let text = crate::files::read_text(&file, crate::files::MAX_CONFIG_BYTES)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| Error::Json {
        path: file.clone(),
        message: String::new(),
        source: Some(e),
    })?;
    let Value::Object(mut map) = value else {
        return Err(Error::Json {
            path: file,
            message: "expected a JSON object".into(),
            source: None,
        });
    };
    if let Some(Value::Object(section)) = map.remove("image_processor") {
        return Ok((file, section));
    }
    Ok((file, map))
}

impl ProcessorConfig {
    /// The type name a JSON object declares, if any.
    pub fn declared_type(map: &Map<String, Value>) -> Option<String> {
        ["image_processor_type", "feature_extractor_type"]
            .iter()
            .find_map(|key| map.get(*key).and_then(Value::as_str))
            .map(str::to_owned)
    }

    /// Parses a JSON object; `default_to_square` is the processor's own (to read int sizes).
    pub fn from_object(mut map: Map<String, Value>, default_to_square: bool) -> Result<Self> {
        let type_name = Self::declared_type(&map);
        for key in [
            "image_processor_type",
            "feature_extractor_type",
            "processor_class",
        ] {
            map.remove(key);
        }
        let kwargs = ImagesKwargs::take_from_json(&mut map, default_to_square)?;
        Ok(ProcessorConfig {
            type_name,
            kwargs,
            extra: map,
        })
    }

    /// Reads a configuration file or directory (see [`read_config_object`]).
    pub fn load(path: &Path, default_to_square: bool) -> Result<Self> {
        let (_, map) = read_config_object(path)?;
        Self::from_object(map, default_to_square)
    }
}

/// The JSON transformers' `save_pretrained` writes for a processor whose resolved kwargs are `kwargs`:
/// every set standard kwarg but the call-only ones, the extra keys, the canonical type name; keys
/// sorted, indent 2, trailing newline (`json.dumps(d, indent=2, sort_keys=True) + "\n"`).
pub fn to_json_string(
    type_name: &str,
    kwargs: &ImagesKwargs,
    extra: &Map<String, Value>,
) -> String {
    let mut map = kwargs.to_json();
    for key in ImagesKwargs::UNSAVED_KEYS {
        map.remove(*key);
    }
    for (key, value) in extra {
        map.insert(key.clone(), value.clone());
    }
    map.insert(
        "image_processor_type".into(),
        Value::from(canonical_type_name(type_name)),
    );
    // serde_json's map is ordered by key, which is Python's sort_keys order for these ASCII keys.
    let mut text = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default();
    text.push('\n');
    text
}
