//! The rustdoc of a twin: an intro, then a table of every kwarg with its type, default and meaning
//! (what transformers' `@auto_docstring` writes).

use crate::declaration::{Declaration, RESCALE_FACTOR};
use crate::read::{Channels, Standard};
use quote::ToTokens;

/// How a declared standard value reads in the docs.
fn render(value: &Standard) -> String {
    match value {
        Standard::Bool(b) => b.to_string(),
        Standard::Size(pairs) => {
            let items: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{{{}}}", items.join(", "))
        }
        Standard::Resample(r) => (*r).to_owned(),
        Standard::Float(f) => format!("{f:?}"),
        Standard::Channels(Channels::Path(p)) => p.to_token_stream().to_string().replace(' ', ""),
        Standard::Channels(Channels::PerChannel(v)) => format!("{v:?}"),
        Standard::Channels(Channels::Scalar(v)) => format!("{v:?}"),
        Standard::Layout(l) => format!("channels_{}", l.to_lowercase()),
        Standard::Text(t) => format!("{t:?}"),
    }
}

/// Every standard kwarg's default as the docs show it: `(name, text)`.
pub fn standard_defaults(declaration: &Declaration) -> Vec<(String, String)> {
    let rescale_factor = RESCALE_FACTOR.kwarg().name;
    (declaration.standard.rows())
        .map(|(kwarg, declared)| {
            let default = match (declared, kwarg.name) {
                (Some(declared), _) => render(&declared.value),
                // BaseImageProcessor's default.
                (None, name) if name == rescale_factor => format!("{:?}", 1.0 / 255.0),
                (None, _) => "None".to_owned(),
            };
            (kwarg.name.to_owned(), default)
        })
        .collect()
}

/// The markdown of the kwargs table: `| kwarg | type | default | meaning |`.
pub fn kwargs_table(declaration: &Declaration, kwargs_type: &str) -> String {
    let mut text = String::from("| kwarg | type | default | meaning |\n|---|---|---|---|\n");
    let rows = declaration.standard.rows().map(|(kwarg, _)| kwarg);
    for (doc, (_, default)) in rows.zip(standard_defaults(declaration)) {
        text.push_str(&format!(
            "| `{}` | `{}` | `{}` | {} |\n",
            doc.name, doc.ty, default, doc.meaning
        ));
    }
    for model in &declaration.model {
        let (key, default) = (&model.key, model.value.to_token_stream().to_string());
        text.push_str(&format!(
            "| `{key}` | model kwarg | `{default}` | See [`{kwargs_type}::{key}`]. |\n"
        ));
    }
    text
}
