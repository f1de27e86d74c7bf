//! Checking a [`Declaration`]: every error at once, each spanned on the offending token.

use crate::attr::{Declaration, EntryValue, number};
use crate::ctxt::{Ctxt, did_you_mean};
use crate::tables::{
    Kind, SIZE_KEYS as KEYS, STANDARD_KWARGS, VALID_SIZE_KEY_SETS as VALID_KEY_SETS, kind_of,
};
use syn::{Expr, Ident, Lit, LitStr};

/// Keys that configure the declaration rather than a kwarg.
pub const META_KEYS: [&str; 5] = ["kwargs", "type_name", "preprocess", "cpu_twin", "gpu_twin"];
/// PIL's filters, as the declaration names them.
pub const RESAMPLE: [&str; 6] = [
    "Nearest", "Lanczos", "Bilinear", "Bicubic", "Box", "Hamming",
];

fn all_keys() -> impl Iterator<Item = &'static str> {
    STANDARD_KWARGS.iter().map(|k| k.name).chain(META_KEYS)
}

/// A per-channel constant as declared.
pub enum Channels {
    /// A path to a `[f64; 3]` constant.
    Path(syn::Path),
    PerChannel(Vec<f64>),
    Scalar(f64),
}

/// A checked standard kwarg value.
pub enum Standard {
    Bool(bool),
    /// `(key, value)` pairs of a valid key set, in transformers' key order.
    Size(Vec<(&'static str, u32)>),
    Resample(&'static str),
    Float(f64),
    Channels(Channels),
    Layout(&'static str),
    Text(String),
}

/// A declaration whose every value is known to be valid.
pub struct Checked {
    pub kwargs: Option<syn::Path>,
    pub type_name: Option<LitStr>,
    pub preprocess: Option<syn::Path>,
    /// Declared on its own, as the GPU twin of this CPU processor.
    pub cpu_twin: Option<syn::Path>,
    /// Declared on its own, as the CPU twin of this GPU processor.
    pub gpu_twin: Option<syn::Path>,
    /// Standard kwargs: key (with its span) and value.
    pub standard: Vec<(Ident, Standard)>,
    /// Model kwargs: key and default expression.
    pub model: Vec<(Ident, Expr)>,
}

impl Checked {
    /// The standard value of `key`, if declared.
    pub fn get(&self, key: &str) -> Option<&Standard> {
        self.standard.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Standard::Bool(true)))
    }
}

fn bool_value(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<bool> {
    match value {
        EntryValue::Flag => Some(true),
        EntryValue::Expr(Expr::Lit(lit)) if matches!(lit.lit, Lit::Bool(_)) => match &lit.lit {
            Lit::Bool(b) => Some(b.value),
            _ => None,
        },
        EntryValue::Expr(expr) => {
            cx.error_spanned_by(expr, format!("`{key}` expects `true` or `false`"));
            None
        }
        EntryValue::List(_) => {
            cx.error_spanned_by(
                key,
                format!("`{key}` expects `true` or `false`, not a list"),
            );
            None
        }
    }
}

fn size_value(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<Vec<(&'static str, u32)>> {
    let EntryValue::List(items) = value else {
        cx.error_spanned_by(
            key,
            format!("`{key}` expects a size dict, e.g. `{key}(height = 224, width = 224)` or `{key}(shortest_edge = 224)`"),
        );
        return None;
    };
    let mut pairs = Vec::new();
    let mut ok = true;
    for (name, expr) in items {
        let Some(canonical) = KEYS.iter().find(|k| name == *k) else {
            let hint = did_you_mean(&name.to_string(), KEYS);
            cx.error_spanned_by(name, format!("unknown size key `{name}` in `{key}`{hint}"));
            ok = false;
            continue;
        };
        if pairs.iter().any(|(k, _)| k == canonical) {
            cx.error_spanned_by(name, format!("duplicate size key `{name}` in `{key}`"));
            ok = false;
            continue;
        }
        match number(expr) {
            Some(v) if v >= 1.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) => {
                pairs.push((*canonical, v as u32))
            }
            _ => {
                cx.error_spanned_by(expr, format!("`{key}.{name}` must be a positive integer"));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    pairs.sort_by_key(|(k, _)| KEYS.iter().position(|s| s == k));
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
    let valid: &[&[&str]] = if key == "size" {
        &VALID_KEY_SETS
    } else {
        &VALID_KEY_SETS[..1]
    };
    if !valid.contains(&keys.as_slice()) {
        let sets: Vec<String> = valid
            .iter()
            .map(|s| format!("{{{}}}", s.join(", ")))
            .collect();
        cx.error_spanned_by(
            key,
            format!(
                "`{key}` must have one of the key sets {}; got {{{}}}",
                sets.join(", "),
                keys.join(", ")
            ),
        );
        return None;
    }
    Some(pairs)
}

fn channels_value(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<Channels> {
    let EntryValue::Expr(expr) = value else {
        cx.error_spanned_by(
            key,
            format!("`{key}` expects a value: `{key} = [0.5, 0.5, 0.5]`, a number or a constant"),
        );
        return None;
    };
    match expr {
        Expr::Path(path) => Some(Channels::Path(path.path.clone())),
        Expr::Array(array) => {
            let values: Option<Vec<f64>> = array.elems.iter().map(number).collect();
            match values {
                Some(v) if v.len() == 3 => {
                    if key == "image_std" && v.contains(&0.0) {
                        cx.error_spanned_by(expr, "`image_std` of 0 would divide by zero");
                        return None;
                    }
                    Some(Channels::PerChannel(v))
                }
                Some(v) => {
                    cx.error_spanned_by(
                        expr,
                        format!("`{key}` needs 3 values, one per RGB channel (or a single value); got {}", v.len()),
                    );
                    None
                }
                None => {
                    cx.error_spanned_by(expr, format!("`{key}` values must be number literals"));
                    None
                }
            }
        }
        other => match number(other) {
            Some(v) if key == "image_std" && v == 0.0 => {
                cx.error_spanned_by(other, "`image_std` of 0 would divide by zero");
                None
            }
            Some(v) => Some(Channels::Scalar(v)),
            None => {
                cx.error_spanned_by(other, format!("`{key}` expects `[a, b, c]`, a number, or the path of a `[f64; 3]` constant"));
                None
            }
        },
    }
}

fn resample_value(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<&'static str> {
    let path = match value {
        EntryValue::Expr(Expr::Path(path)) => &path.path,
        _ => {
            cx.error_spanned_by(
                key,
                format!("`resample` expects one of {}", RESAMPLE.join(", ")),
            );
            return None;
        }
    };
    let last = path.segments.last()?;
    let name = last.ident.to_string();
    match RESAMPLE.iter().find(|r| **r == name) {
        Some(r) => Some(*r),
        None => {
            let hint = did_you_mean(&name, RESAMPLE);
            cx.error_spanned_by(
                &last.ident,
                format!(
                    "unknown resample `{name}` (expected one of {}){hint}",
                    RESAMPLE.join(", ")
                ),
            );
            None
        }
    }
}

fn string_value(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<LitStr> {
    match value {
        EntryValue::Expr(Expr::Lit(lit)) => match &lit.lit {
            Lit::Str(s) => Some(s.clone()),
            _ => {
                cx.error_spanned_by(lit, format!("`{key}` expects a string literal"));
                None
            }
        },
        _ => {
            cx.error_spanned_by(key, format!("`{key}` expects a string literal"));
            None
        }
    }
}

fn path_value(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<syn::Path> {
    match value {
        EntryValue::Expr(Expr::Path(path)) => Some(path.path.clone()),
        _ => {
            cx.error_spanned_by(
                key,
                format!("`{key}` expects a path, e.g. `{key} = my_module::Name`"),
            );
            None
        }
    }
}

/// Checks every entry; returns what is valid (errors are in `cx`).
pub fn check(cx: &Ctxt, declaration: Declaration) -> Checked {
    let mut checked = Checked {
        kwargs: None,
        type_name: None,
        preprocess: None,
        cpu_twin: None,
        gpu_twin: None,
        standard: Vec::new(),
        model: Vec::new(),
    };
    let mut seen: Vec<Ident> = Vec::new();
    let custom_kwargs = declaration.entries.iter().any(|e| e.key == "kwargs");
    for entry in &declaration.entries {
        let (key, value) = (&entry.key, &entry.value);
        let name = key.to_string();
        if seen.contains(key) {
            cx.error_spanned_by(key, format!("duplicate kwarg `{name}`"));
            continue;
        }
        seen.push(key.clone());
        let standard = match (kind_of(&name), name.as_str()) {
            (Some(Kind::Bool), _) => bool_value(cx, key, value).map(Standard::Bool),
            (Some(Kind::Size), _) => size_value(cx, key, value).map(Standard::Size),
            (Some(Kind::Resample), _) => resample_value(cx, key, value).map(Standard::Resample),
            (Some(Kind::Float), _) => match value {
                EntryValue::Expr(expr) => match number(expr) {
                    Some(v) if v.is_finite() && v > 0.0 => Some(Standard::Float(v)),
                    Some(v) => {
                        cx.error_spanned_by(
                            expr,
                            format!("`{name}` must be finite and positive, got {v}"),
                        );
                        None
                    }
                    None => {
                        cx.error_spanned_by(
                            expr,
                            format!("`{name}` expects a number, e.g. `1.0 / 255.0`"),
                        );
                        None
                    }
                },
                _ => {
                    cx.error_spanned_by(
                        key,
                        format!("`{name}` expects a number, e.g. `1.0 / 255.0`"),
                    );
                    None
                }
            },
            (Some(Kind::Channels), _) => channels_value(cx, key, value).map(Standard::Channels),
            (Some(Kind::Layout), _) => {
                string_value(cx, key, value).and_then(|s| match s.value().as_str() {
                    "channels_first" => Some(Standard::Layout("First")),
                    "channels_last" => Some(Standard::Layout("Last")),
                    _ => {
                        cx.error_spanned_by(
                            &s,
                            format!("`{key}` is \"channels_first\" or \"channels_last\""),
                        );
                        None
                    }
                })
            }
            (Some(Kind::Text), _) => {
                string_value(cx, key, value).map(|s| Standard::Text(s.value()))
            }
            (None, "kwargs") => {
                checked.kwargs = path_value(cx, key, value);
                continue;
            }
            (None, "preprocess") => {
                checked.preprocess = path_value(cx, key, value);
                continue;
            }
            (None, "type_name") => {
                checked.type_name = string_value(cx, key, value);
                continue;
            }
            (None, "cpu_twin") => {
                checked.cpu_twin = path_value(cx, key, value);
                continue;
            }
            (None, "gpu_twin") => {
                checked.gpu_twin = path_value(cx, key, value);
                continue;
            }
            _ => {
                let hint = did_you_mean(&name, all_keys());
                if !custom_kwargs || !hint.is_empty() {
                    let note = if custom_kwargs || !hint.is_empty() {
                        ""
                    } else {
                        " (model kwargs need `kwargs = YourKwargs`)"
                    };
                    cx.error_spanned_by(key, format!("unknown kwarg `{name}`{hint}{note}"));
                    continue;
                }
                match value {
                    EntryValue::Expr(expr) => checked.model.push((key.clone(), expr.clone())),
                    _ => cx.error_spanned_by(
                        key,
                        format!("model kwarg `{name}` expects a default value: `{name} = ...`"),
                    ),
                }
                continue;
            }
        };
        if let Some(standard) = standard {
            checked.standard.push((key.clone(), standard));
        }
    }
    check_consistency(cx, &checked, &seen);
    if let (Some(_), Some(gpu)) = (&checked.cpu_twin, &checked.gpu_twin) {
        cx.error_spanned_by(
            gpu,
            "a declaration names one twin: `gpu_twin = …` on the CPU processor, or `cpu_twin = …` on the GPU processor",
        );
    }
    checked
}

/// The checks transformers' `validate_preprocess_arguments` makes, at compile time.
/// A key that is declared but invalid counts as declared: its own error is enough.
fn check_consistency(cx: &Ctxt, checked: &Checked, declared: &[Ident]) {
    let key = |name: &str| {
        checked
            .standard
            .iter()
            .find(|(k, _)| k == name)
            .map(|(k, _)| k.clone())
    };
    let missing = |name: &str| !declared.iter().any(|k| k == name);
    if checked.flag("do_normalize") {
        for needed in ["image_mean", "image_std"] {
            if missing(needed) {
                cx.error_spanned_by(
                    key("do_normalize"),
                    format!("`do_normalize = true` needs `{needed}`"),
                );
            }
        }
    }
    if checked.flag("do_center_crop") && missing("crop_size") {
        cx.error_spanned_by(
            key("do_center_crop"),
            "`do_center_crop = true` needs `crop_size(height = …, width = …)`",
        );
    }
    if checked.flag("do_resize") && missing("size") {
        cx.error_spanned_by(key("do_resize"), "`do_resize = true` needs `size(…)`");
    }
}
