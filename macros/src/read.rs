//! The kinds of declared value, and reading each from its tokens: a typed value, or an error
//! spanned on the offending token.

use crate::attr::{EntryValue, number};
use crate::ctxt::{Ctxt, did_you_mean};
use crate::tables::{Kind, Kwarg, SIZE_KEYS as KEYS, VALID_SIZE_KEY_SETS as VALID_KEY_SETS};
use syn::{Expr, Ident, Lit, LitStr};

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

/// PIL's filters, as the declaration names them.
pub const RESAMPLE: [&str; 6] = [
    "Nearest", "Lanczos", "Bilinear", "Bicubic", "Box", "Hamming",
];

/// The value of standard kwarg `kwarg`, read as its kind says.
pub fn standard(cx: &Ctxt, kwarg: &Kwarg, key: &Ident, value: &EntryValue) -> Option<Standard> {
    match kwarg.kind {
        Kind::Bool => bool_value(cx, key, value).map(Standard::Bool),
        Kind::Size => size_value(cx, key, value).map(Standard::Size),
        Kind::Resample => resample_value(cx, key, value).map(Standard::Resample),
        Kind::Float => float_value(cx, key, value).map(Standard::Float),
        Kind::Channels => channels_value(cx, key, value).map(Standard::Channels),
        Kind::Layout => layout_value(cx, key, value).map(Standard::Layout),
        Kind::Text => string(cx, key, value).map(|s| Standard::Text(s.value())),
    }
}

fn float_value(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<f64> {
    let EntryValue::Expr(expr) = value else {
        cx.error_spanned_by(key, format!("`{key}` expects a number, e.g. `1.0 / 255.0`"));
        return None;
    };
    match number(expr) {
        Some(v) if v.is_finite() && v > 0.0 => Some(v),
        Some(v) => {
            cx.error_spanned_by(
                expr,
                format!("`{key}` must be finite and positive, got {v}"),
            );
            None
        }
        None => {
            cx.error_spanned_by(
                expr,
                format!("`{key}` expects a number, e.g. `1.0 / 255.0`"),
            );
            None
        }
    }
}

fn layout_value(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<&'static str> {
    let s = string(cx, key, value)?;
    match s.value().as_str() {
        "channels_first" => Some("First"),
        "channels_last" => Some("Last"),
        _ => {
            cx.error_spanned_by(
                &s,
                format!("`{key}` is \"channels_first\" or \"channels_last\""),
            );
            None
        }
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
                    if let Some(bad) = v.iter().find(|v| !v.is_finite()) {
                        cx.error_spanned_by(
                            expr,
                            format!("`{key}` values must be finite, got {bad}"),
                        );
                        return None;
                    }
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
            Some(v) if !v.is_finite() => {
                cx.error_spanned_by(other, format!("`{key}` must be finite, got {v}"));
                None
            }
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

/// A string literal.
pub fn string(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<LitStr> {
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

/// A path (`kwargs = MyKwargs`).
pub fn path(cx: &Ctxt, key: &Ident, value: &EntryValue) -> Option<syn::Path> {
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
