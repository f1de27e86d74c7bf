//! The typed declaration of `#[image_processor(...)]`: each key an optional value with the span of
//! the key that set it, built from the parsed entries in one pass that reports duplicates, unknown
//! keys and malformed values (each value read by [`read`](crate::read)).

use crate::attr::{Entry, EntryValue};
use crate::ctxt::{Ctxt, did_you_mean};
use crate::read::{self, Standard};
use crate::tables::{Kwarg, STANDARD_KWARGS};
use syn::{Expr, Ident, LitStr};

/// A declared value and the key that declared it (errors about the value point at the key).
pub struct Spanned<T> {
    pub key: Ident,
    pub value: T,
}

/// Wraps a value read for `key`.
fn at<T>(key: &Ident) -> impl FnOnce(T) -> Spanned<T> + '_ {
    move |value| Spanned {
        key: key.clone(),
        value,
    }
}

/// A standard kwarg, by its row in [`STANDARD_KWARGS`]. The constants below are found by name when
/// this crate compiles, so a misspelt one is a build error of the macro crate, not a silent miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(usize);

impl Key {
    const fn named(name: &str) -> Key {
        let mut i = 0;
        while i < STANDARD_KWARGS.len() {
            if const_eq(STANDARD_KWARGS[i].name, name) {
                return Key(i);
            }
            i += 1;
        }
        panic!("not a standard kwarg")
    }

    /// The key of the standard kwarg `name`, if it is one.
    pub fn of(name: &str) -> Option<Key> {
        STANDARD_KWARGS.iter().position(|k| k.name == name).map(Key)
    }

    /// Its row of the table.
    pub fn kwarg(self) -> &'static Kwarg {
        &STANDARD_KWARGS[self.0]
    }
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

pub const DO_RESIZE: Key = Key::named("do_resize");
pub const SIZE: Key = Key::named("size");
pub const RESAMPLE: Key = Key::named("resample");
pub const DEFAULT_TO_SQUARE: Key = Key::named("default_to_square");
pub const DO_CENTER_CROP: Key = Key::named("do_center_crop");
pub const CROP_SIZE: Key = Key::named("crop_size");
pub const RESCALE_FACTOR: Key = Key::named("rescale_factor");
pub const DO_NORMALIZE: Key = Key::named("do_normalize");
pub const IMAGE_MEAN: Key = Key::named("image_mean");
pub const IMAGE_STD: Key = Key::named("image_std");

/// The declared standard kwargs, one optional slot per row of the table.
pub struct Standards {
    slots: Vec<Option<Spanned<Standard>>>,
}

impl Standards {
    fn new() -> Self {
        Standards {
            slots: STANDARD_KWARGS.iter().map(|_| None).collect(),
        }
    }

    /// The declared value of `key`, if valid.
    pub fn get(&self, key: Key) -> Option<&Spanned<Standard>> {
        self.slots[key.0].as_ref()
    }

    /// Whether `key` is declared `true`.
    pub fn flag(&self, key: Key) -> bool {
        matches!(
            self.get(key),
            Some(Spanned {
                value: Standard::Bool(true),
                ..
            })
        )
    }

    /// Every valid declared value, with its row of the table, in table order.
    pub fn declared(&self) -> impl Iterator<Item = (&'static Kwarg, &Spanned<Standard>)> {
        STANDARD_KWARGS
            .iter()
            .zip(&self.slots)
            .filter_map(|(kwarg, slot)| slot.as_ref().map(|s| (kwarg, s)))
    }

    /// Each row of the table with its value, declared or not.
    pub fn rows(&self) -> impl Iterator<Item = (&'static Kwarg, Option<&Spanned<Standard>>)> {
        STANDARD_KWARGS
            .iter()
            .zip(self.slots.iter().map(Option::as_ref))
    }
}

/// The keys that configure the declaration rather than a kwarg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meta {
    Kwargs,
    TypeName,
    Preprocess,
    LegacyKeys,
    CpuTwin,
    GpuTwin,
}

impl Meta {
    const ALL: [(&'static str, Meta); 6] = [
        ("kwargs", Meta::Kwargs),
        ("type_name", Meta::TypeName),
        ("preprocess", Meta::Preprocess),
        ("legacy_keys", Meta::LegacyKeys),
        ("cpu_twin", Meta::CpuTwin),
        ("gpu_twin", Meta::GpuTwin),
    ];

    fn of(name: &str) -> Option<Meta> {
        Meta::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }
}

/// A declaration: every key optional, each value checked on its own (the rules between keys are
/// [`rules`](crate::rules)).
pub struct Declaration {
    /// `kwargs = Type`: the model's kwargs type.
    pub kwargs: Option<Spanned<syn::Path>>,
    /// `type_name = "..."`: the transformers class name, if not the declared one.
    pub type_name: Option<Spanned<LitStr>>,
    /// `preprocess = path`: the model's own logic.
    pub preprocess: Option<Spanned<syn::Path>>,
    /// `legacy_keys = path`: rewrites a configuration's legacy keys before it is read.
    pub legacy_keys: Option<Spanned<syn::Path>>,
    /// `cpu_twin = Path`: declared on its own, as the GPU twin of this CPU processor.
    pub cpu_twin: Option<Spanned<syn::Path>>,
    /// `gpu_twin = Path`: declared on its own, as the CPU twin of this GPU processor.
    pub gpu_twin: Option<Spanned<syn::Path>>,
    pub standard: Standards,
    /// Model kwargs and their default expressions, in source order.
    pub model: Vec<Spanned<Expr>>,
    /// Every key written, valid or not: a rule about a key that is written wrongly stays quiet
    /// (the key's own error is enough).
    written: Vec<Ident>,
}

impl Declaration {
    /// Whether `key` is written in the declaration, valid or not.
    pub fn wrote(&self, key: Key) -> bool {
        self.written.iter().any(|k| k == key.kwarg().name)
    }

    /// Reads the parsed entries: each value checked, each error recorded in `cx`.
    pub fn from_entries(cx: &Ctxt, entries: Vec<Entry>) -> Declaration {
        let mut declaration = Declaration {
            kwargs: None,
            type_name: None,
            preprocess: None,
            legacy_keys: None,
            cpu_twin: None,
            gpu_twin: None,
            standard: Standards::new(),
            model: Vec::new(),
            written: Vec::new(),
        };
        let custom_kwargs = entries.iter().any(|e| e.key == "kwargs");
        for Entry { key, value } in entries {
            let name = key.to_string();
            // The one place a duplicate is found.
            if declaration.written.contains(&key) {
                cx.error_spanned_by(&key, format!("duplicate kwarg `{name}`"));
                continue;
            }
            declaration.written.push(key.clone());
            if let Some(standard) = Key::of(&name) {
                let value = read::standard(cx, standard.kwarg(), &key, &value);
                declaration.standard.slots[standard.0] = value.map(at(&key));
                continue;
            }
            match Meta::of(&name) {
                Some(Meta::Kwargs) => {
                    declaration.kwargs = read::path(cx, &key, &value).map(at(&key))
                }
                Some(Meta::Preprocess) => {
                    declaration.preprocess = read::path(cx, &key, &value).map(at(&key))
                }
                Some(Meta::LegacyKeys) => {
                    declaration.legacy_keys = read::path(cx, &key, &value).map(at(&key))
                }
                Some(Meta::CpuTwin) => {
                    declaration.cpu_twin = read::path(cx, &key, &value).map(at(&key))
                }
                Some(Meta::GpuTwin) => {
                    declaration.gpu_twin = read::path(cx, &key, &value).map(at(&key))
                }
                Some(Meta::TypeName) => {
                    declaration.type_name = read::string(cx, &key, &value).map(at(&key))
                }
                None => declaration.model_kwarg(cx, key, value, custom_kwargs),
            }
        }
        declaration
    }

    /// A key that is neither standard nor meta: a model kwarg, if the declaration has a kwargs
    /// type and the name is no typo of a known key.
    fn model_kwarg(&mut self, cx: &Ctxt, key: Ident, value: EntryValue, custom_kwargs: bool) {
        let name = key.to_string();
        let known = STANDARD_KWARGS
            .iter()
            .map(|k| k.name)
            .chain(Meta::ALL.iter().map(|(n, _)| *n));
        let hint = did_you_mean(&name, known);
        if !custom_kwargs || !hint.is_empty() {
            let note = if custom_kwargs || !hint.is_empty() {
                ""
            } else {
                " (model kwargs need `kwargs = YourKwargs`)"
            };
            cx.error_spanned_by(&key, format!("unknown kwarg `{name}`{hint}{note}"));
            return;
        }
        match value {
            EntryValue::Expr(value) => self.model.push(Spanned { key, value }),
            _ => cx.error_spanned_by(
                &key,
                format!("model kwarg `{name}` expects a default value: `{name} = ...`"),
            ),
        }
    }
}
