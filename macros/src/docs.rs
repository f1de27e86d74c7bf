//! The rustdoc of a twin: an intro, then a table of every kwarg with its type, default and meaning
//! (what transformers' `@auto_docstring` writes).

use crate::validate::{Channels, Checked, Standard};
use quote::ToTokens;

use crate::tables::STANDARD_KWARGS;

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
pub fn standard_defaults(checked: &Checked) -> Vec<(String, String)> {
    STANDARD_KWARGS
        .iter()
        .map(|doc| {
            let default = match (checked.get(doc.name), doc.name) {
                (Some(value), _) => render(value),
                (None, "rescale_factor") => format!("{:?}", 1.0 / 255.0),
                (None, _) => "None".to_owned(),
            };
            (doc.name.to_owned(), default)
        })
        .collect()
}

/// The markdown of the kwargs table: `| kwarg | type | default | meaning |`.
pub fn kwargs_table(checked: &Checked, kwargs_type: &str) -> String {
    let mut text = String::from("| kwarg | type | default | meaning |\n|---|---|---|---|\n");
    for (doc, (_, default)) in STANDARD_KWARGS.iter().zip(standard_defaults(checked)) {
        text.push_str(&format!(
            "| `{}` | `{}` | `{}` | {} |\n",
            doc.name, doc.ty, default, doc.meaning
        ));
    }
    for (key, expr) in &checked.model {
        let default = expr.to_token_stream().to_string();
        text.push_str(&format!(
            "| `{key}` | model kwarg | `{default}` | See [`{kwargs_type}::{key}`]. |\n"
        ));
    }
    text
}
