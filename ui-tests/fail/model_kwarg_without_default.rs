use twinproc::{image_processor, images_kwargs};

#[images_kwargs]
pub struct MyKwargs {
    /// Edge of a tile.
    pub tile_size: Option<u32>,
    /// How many tiles at most.
    pub max_tiles: Option<u32>,
}

#[image_processor(kwargs = MyKwargs, tile_size = 512)]
pub struct MyImageProcessor;

fn main() {}
