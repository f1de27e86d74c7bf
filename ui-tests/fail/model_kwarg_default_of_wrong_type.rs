use twinproc::{image_processor, images_kwargs};

#[images_kwargs]
pub struct MyKwargs {
    /// Edge of a tile.
    pub tile_size: Option<u32>,
}

#[image_processor(kwargs = MyKwargs, tile_size = "large")]
pub struct MyImageProcessor;

fn main() {}
