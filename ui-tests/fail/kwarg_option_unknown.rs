use twinproc::images_kwargs;

#[images_kwargs]
pub struct MyKwargs {
    /// Edge of a tile.
    #[kwarg(not_save)]
    pub tile_size: Option<u32>,
}

fn main() {}
