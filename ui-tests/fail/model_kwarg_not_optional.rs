use twinproc::images_kwargs;

#[images_kwargs]
pub struct MyKwargs {
    /// Edge of a tile.
    pub tile_size: u32,
}

fn main() {}
