//! A model kwargs type reads and writes the standard kwargs directly.
use twinproc::{images_kwargs, ModelKwargs, SizeDict};

/// Kwargs with one model field.
#[images_kwargs]
pub struct TileKwargs {
    /// Edge of a tile.
    pub tile_size: Option<u32>,
}

fn main() {
    let mut kwargs = TileKwargs { tile_size: Some(512), ..Default::default() };
    kwargs.size = Some(SizeDict::height_width(1, 2));
    assert_eq!(kwargs.images.size, Some(SizeDict::height_width(1, 2)));
    assert_eq!(TileKwargs::MODEL_KWARGS[0].name, "tile_size");
    assert_eq!(TileKwargs::MODEL_KWARGS[0].meaning, "Edge of a tile.");
    let json = kwargs.model_to_json().unwrap_or_default();
    assert_eq!(json["tile_size"], 512);
}
